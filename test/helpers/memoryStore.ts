/**
 * A Store in memory for unit tests of the room and the timer: every method of the interface, with
 * knobs to make appends slow (the async path a networked store takes) or fail.
 */
import * as Y from 'yjs';
import type { LinkKind } from '../../lib/capability';
import type { DocKind } from '../../lib/doc/schema';
import type { SessionId } from '../../lib/ids';
import type { DocUpdate, IntegrationRecord, Lookup, SessionRecord, Store, StoredSession } from '../../server/store/types';

interface Stored {
  record: SessionRecord | null;
  snapshots: Record<DocKind, Uint8Array | null>;
  snapshotSeq: number;
  log: { seq: number; updates: DocUpdate[] }[];
}

export class MemoryStore implements Store {
  readonly sessions = new Map<string, Stored>();
  readonly timers = new Map<string, number>();
  readonly integrations = new Map<string, IntegrationRecord>();
  readonly deliveries = new Map<string, number>();
  /** Resolve appends only when released (the order a networked store might answer in). */
  holdAppends = false;
  private held: (() => void)[] = [];
  /** The next append fails with this error. */
  failNext: Error | null = null;
  compactions = 0;
  appends = 0;

  private of(id: string): Stored {
    let s = this.sessions.get(id);
    if (!s) {
      s = { record: null, snapshots: { shared: null, server: null }, snapshotSeq: 0, log: [] };
      this.sessions.set(id, s);
    }
    return s;
  }

  /** Seeds a session with snapshots (and no log). */
  seed(id: string, docs: Partial<Record<DocKind, Uint8Array>>): void {
    const s = this.of(id);
    s.snapshots = { shared: docs.shared ?? null, server: docs.server ?? null };
  }

  /** Releases held appends, in the order given (default: the order they were made). */
  release(order?: number[]): void {
    const all = this.held.splice(0);
    for (const i of order ?? all.map((_, k) => k)) all[i]?.();
  }

  async createSession(record: SessionRecord) {
    this.of(record.id).record = record;
  }
  async findSession(token: string): Promise<Lookup | null> {
    for (const s of this.sessions.values()) {
      if (s.record?.editToken === token) return { session: s.record, kind: 'edit' };
      if (s.record?.viewToken === token) return { session: s.record, kind: 'view' };
    }
    return null;
  }
  async getSession(id: SessionId) {
    return this.sessions.get(id)?.record ?? null;
  }
  async replaceToken(id: SessionId, kind: LinkKind, token: string) {
    const r = this.of(id).record;
    if (r) this.of(id).record = kind === 'edit' ? { ...r, editToken: token } : { ...r, viewToken: token };
  }
  async findSessionByMobKey(key: string) {
    for (const s of this.sessions.values()) if (s.record?.mobKey === key) return s.record;
    return null;
  }
  async replaceMobKey(id: SessionId, key: string) {
    const r = this.of(id).record;
    if (r) this.of(id).record = { ...r, mobKey: key };
  }
  async createIntegration(r: IntegrationRecord) {
    this.integrations.set(r.id, r);
  }
  async listIntegrations(id: SessionId) {
    return [...this.integrations.values()].filter((r) => r.sessionId === id);
  }
  async getIntegration(integrationId: string) {
    return this.integrations.get(integrationId) ?? null;
  }
  async deleteIntegration(id: SessionId, integrationId: string) {
    if (this.integrations.get(integrationId)?.sessionId !== id) return false;
    return this.integrations.delete(integrationId);
  }
  async rememberDelivery(integrationId: string, deliveryId: string, at: number, forgetBefore: number) {
    for (const [k, seen] of this.deliveries) if (seen < forgetBefore) this.deliveries.delete(k);
    const key = `${integrationId} ${deliveryId}`;
    if (this.deliveries.has(key)) return false;
    this.deliveries.set(key, at);
    return true;
  }
  async loadSession(id: SessionId): Promise<StoredSession> {
    const s = this.of(id);
    const docs: Record<DocKind, Uint8Array[]> = { shared: [], server: [] };
    for (const kind of ['shared', 'server'] as const) {
      const snap = s.snapshots[kind];
      if (snap) docs[kind].push(snap);
      for (const r of s.log) for (const u of r.updates) if (u.doc === kind) docs[kind].push(u.update);
    }
    return { docs, lastSeq: s.log.at(-1)?.seq ?? s.snapshotSeq, pending: s.log.length };
  }
  append(id: SessionId, updates: readonly DocUpdate[]): Promise<number> {
    this.appends++;
    if (this.failNext) {
      const err = this.failNext;
      this.failNext = null;
      return Promise.reject(err);
    }
    const s = this.of(id);
    const seq = (s.log.at(-1)?.seq ?? s.snapshotSeq) + 1;
    s.log.push({ seq, updates: [...updates] });
    if (!this.holdAppends) return Promise.resolve(seq);
    return new Promise((resolve) => this.held.push(() => resolve(seq)));
  }
  async compact(id: SessionId, uptoSeq: number) {
    const s = this.of(id);
    for (const kind of ['shared', 'server'] as const) {
      const parts = [...(s.snapshots[kind] ? [s.snapshots[kind] as Uint8Array] : []), ...s.log.filter((r) => r.seq <= uptoSeq).flatMap((r) => r.updates.filter((u) => u.doc === kind).map((u) => u.update))];
      if (parts.length > 0) s.snapshots[kind] = Y.mergeUpdates(parts);
    }
    s.log = s.log.filter((r) => r.seq > uptoSeq);
    s.snapshotSeq = Math.max(s.snapshotSeq, uptoSeq);
    this.compactions++;
  }
  async setTimerDue(id: SessionId, dueAt: number | null) {
    if (dueAt === null) this.timers.delete(id);
    else this.timers.set(id, dueAt);
  }
  async listTimersDue() {
    return [...this.timers].map(([sessionId, dueAt]) => ({ sessionId: sessionId as SessionId, dueAt }));
  }
  async recoveredSessions() {
    return [];
  }
  async health() {
    return { ok: true };
  }
  async close() {}
}
