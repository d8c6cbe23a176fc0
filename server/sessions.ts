/**
 * Sessions: creation (capability tokens), resolving a token from untrusted input to what it grants,
 * and replacing (revoking) a link. This is where the capability model (lib/capability.ts) meets the
 * store: a token is an edit token, a view token, or nothing.
 */
import { randomBytes } from 'node:crypto';
import type { LinkKind } from '../lib/capability';
import { DEFAULT_SETTINGS, type SessionSettings } from '../lib/doc/schema';
import { newMobKey, newSessionId, newViewToken, parseSessionId, type SessionId } from '../lib/ids';
import type { Clock } from './logger';
import type { Lookup, SessionRecord, Store } from './store/types';

export interface NewSession {
  name?: string;
  turnSeconds?: number;
}

/** Replaced tokens remembered so a connection that resolved one just before the swap is still closed. */
const REVOKED_MEMORY = 10_000;

export class Sessions {
  private readonly revoked = new Set<string>();
  private readonly listeners: ((session: SessionRecord, kind: LinkKind, oldToken: string) => void)[] = [];

  constructor(
    private readonly store: Store,
    /** Writes a new session's documents (Actions.initSession: in a cluster, on the session's owner). */
    private readonly initialize: (id: SessionId, init: { name: string; createdAt: number; settings: SessionSettings }) => Promise<void>,
    private readonly clock: Clock,
  ) {}

  async create(input: NewSession): Promise<SessionRecord> {
    // The first edit token is the session's internal id too (older data has only that).
    const id = newSessionId();
    const record: SessionRecord = { id, editToken: id, viewToken: newViewToken(), createdAt: this.clock.now(), memberKey: new Uint8Array(randomBytes(32)), mobKey: newMobKey() };
    await this.store.createSession(record);
    await this.initialize(id, {
      name: input.name ?? 'Mob session',
      createdAt: record.createdAt,
      settings: { ...DEFAULT_SETTINGS, ...(input.turnSeconds ? { turnSeconds: input.turnSeconds } : {}) },
    });
    return record;
  }

  /** Resolves a raw path segment to a session and the kind of link it is; null when malformed or unknown. */
  async resolve(raw: string): Promise<Lookup | null> {
    // Edit and view tokens share one format; the store tells them apart.
    if (!parseSessionId(raw)) return null;
    return this.store.findSession(raw);
  }

  /** Replaces a session's edit or view link: the old token stops at once; listeners close what it opened. */
  async replaceLink(session: SessionRecord, kind: LinkKind): Promise<SessionRecord> {
    const token = newViewToken() as string;
    const old = kind === 'edit' ? session.editToken : session.viewToken;
    await this.store.replaceToken(session.id, kind, token);
    this.remember(old);
    const updated = kind === 'edit' ? { ...session, editToken: token } : { ...session, viewToken: token };
    for (const l of this.listeners) l(updated, kind, old);
    return updated;
  }

  /** True for a token replaced while this server runs (a connection that resolved it just before). */
  isRevoked(token: string): boolean {
    return this.revoked.has(token);
  }

  onLinkReplaced(listener: (session: SessionRecord, kind: LinkKind, oldToken: string) => void): void {
    this.listeners.push(listener);
  }

  async get(id: SessionId): Promise<SessionRecord | null> {
    return this.store.getSession(id);
  }

  private remember(token: string): void {
    if (this.revoked.size >= REVOKED_MEMORY) {
      const oldest = this.revoked.values().next().value;
      if (oldest !== undefined) this.revoked.delete(oldest);
    }
    this.revoked.add(token);
  }
}
