/**
 * One session, live: its two documents, presence, the connections on each document, and the one
 * path by which anything changes — a change (a client's update, or a server write in a typed
 * transaction) becomes one record in the session's DocLog and is broadcast once it is durable
 * ("durable before acknowledged"). Broadcasts are framed once per room, not per subscriber.
 *
 * Messages are decoded and checked by receiver.ts; sockets and budgets are connection.ts's.
 */
import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { type Origin, PEER_ORIGIN, STORE_ORIGIN, type ServerReason, serverOrigin } from '../../lib/doc/origins';
import { DOC_KINDS, type DocKind, type SessionDocs } from '../../lib/doc/schema';
import type { MemberId, SessionId } from '../../lib/ids';
import { CloseCode } from '../../lib/protocol/closeCodes';
import type { Limits } from '../config';
import type { Logger } from '../logger';
import { METRIC, type Metrics } from '../metrics';
import { SeqTracker } from '../cluster/seqTracker';
import type { DocUpdate, Fence, Store, StoredSession } from '../store/types';
import { Channel } from './channel';
import type { Connection } from './connection';
import { DocLog, type DocLogOptions } from './docLog';
import { encodeSyncStep1, encodeUpdate } from './messages';
import { RoomPresence } from './roomPresence';
import { type Shared, shared } from './socket';

export interface RoomDeps {
  store: Store;
  logger: Logger;
  metrics: Metrics;
  limits: Limits;
  log: Omit<DocLogOptions, 'onCompacted' | 'onCompactionError'>;
  /** After a client's change to the shared document is handed to the log (server rules react to it). */
  afterClientChange?(room: Room): void;
  /** The last connection left. */
  onEmpty(room: Room): void;
  /** The store failed under the room: it must be dropped. */
  onBroken(room: Room): void;
  /** Cluster mode (server/cluster/cluster.ts); absent on the embedded server. */
  peers?: RoomPeers;
}

/** What a room needs from the cluster: fences for its server writes, and its peers' ears. */
export interface RoomPeers {
  /** The fence for a server write now; throws RoomUnavailable when this instance is not the owner. */
  fence(id: SessionId): Fence;
  /** A record is durable: peers with the room apply it. */
  published(room: Room, seq: number, updates: readonly DocUpdate[]): void;
  /** A presence batch from this instance's connections (an encoded awareness update). */
  awareness(room: Room, update: Uint8Array): void;
  /** Members with an edit connection on other instances. */
  remoteOnline(id: SessionId): Iterable<MemberId>;
  /** A client built on changes this room lacks: read what the store has beyond it now. */
  behind(room: Room): void;
}

/** A session's documents could not take a server write: the caller answers 503 (or the ack says so). */
export class RoomUnavailable extends Error {}
/** The session's documents are at their size cap: the caller answers 413. */
export class SessionFull extends Error {}

export class Room {
  readonly docs: SessionDocs;
  private readonly presence: RoomPresence;
  private readonly channels: Record<DocKind, Channel>;
  private readonly log: DocLog;
  private outbox: DocUpdate[] = [];
  private docBytes: number;
  private broken = false;
  /** Cluster: which records this room has applied (its own and its peers'). */
  readonly seqs: SeqTracker;

  private constructor(
    readonly id: SessionId,
    private readonly deps: RoomDeps,
    stored: StoredSession,
  ) {
    const docs = {} as Record<DocKind, Y.Doc>;
    this.channels = {} as Record<DocKind, Channel>;
    for (const kind of DOC_KINDS) {
      // The guid is named, not random: a random UUID is most of what loading an empty session costs.
      const doc = new Y.Doc({ guid: `${id}/${kind}` });
      doc.transact(() => {
        for (const u of stored.docs[kind]) Y.applyUpdate(doc, u, STORE_ORIGIN);
      }, STORE_ORIGIN);
      if (doc.store.pendingStructs || doc.store.pendingDs) {
        // Stored updates whose dependencies were lost (a damaged log, quarantined on open): they can
        // never apply; keeping them parked would only make every later update re-check them.
        deps.logger.warn('stored updates with lost dependencies dropped', { room: id, doc: kind });
        doc.store.pendingStructs = null;
        doc.store.pendingDs = null;
      }
      doc.on('update', (update: Uint8Array, origin: unknown) => {
        this.channels[kind].changed();
        if (origin !== PEER_ORIGIN) this.outbox.push({ doc: kind, update });
      });
      docs[kind] = doc;
      this.channels[kind] = new Channel(doc, stored.docs[kind].length === 1 ? (stored.docs[kind][0] ?? null) : null);
    }
    this.docs = docs;
    this.docBytes = DOC_KINDS.reduce((n, k) => n + stored.docs[k].reduce((m, u) => m + u.byteLength, 0), 0);
    this.log = new DocLog(id, deps.store, stored, {
      ...deps.log,
      onCompacted: () => deps.metrics.inc(METRIC.compactions, 'Update logs merged into a snapshot'),
      onCompactionError: (err) => deps.logger.warn('compaction failed; retried later', { room: id, err: String(err) }),
    });
    this.seqs = new SeqTracker(stored.lastSeq);
    const peers = deps.peers;
    this.presence = new RoomPresence(this.docs.shared, {
      broadcast: (msg, origin) => this.broadcast('shared', msg, origin),
      ...(peers ? { publish: (update: Uint8Array) => peers.awareness(this, update), remoteOnline: () => peers.remoteOnline(id) } : {}),
    });
  }

  /** The shared document's presence (receiver.ts applies clients' awareness messages to it). */
  get awareness(): Awareness {
    return this.presence.awareness;
  }

  static async load(id: SessionId, deps: RoomDeps): Promise<Room> {
    return new Room(id, deps, await deps.store.loadSession(id));
  }

  get connectionCount(): number {
    return this.channels.shared.conns.size + this.channels.server.conns.size;
  }

  get isBroken(): boolean {
    return this.broken;
  }

  get pendingRecords(): number {
    return this.log.pending;
  }

  /** Members with an edit connection open on the shared document: "online" for the rotation. */
  onlineMembers(): ReadonlySet<MemberId> {
    return this.presence.onlineMembers();
  }

  /** Members with an edit connection on this instance (what a cluster heartbeat reports). */
  localOnlineMembers(): MemberId[] {
    return this.presence.localOnlineMembers();
  }

  connections(kind: DocKind): ReadonlySet<Connection> {
    return this.channels[kind].conns;
  }

  join(conn: Connection): void {
    const ch = this.channels[conn.channel];
    ch.conns.add(conn);
    conn.send(shared(encodeSyncStep1(ch.doc)));
    if (conn.channel === 'shared') this.presence.joined(conn);
  }

  leave(conn: Connection): void {
    if (!this.channels[conn.channel].conns.delete(conn)) return;
    if (conn.channel === 'shared') this.presence.left(conn);
    if (this.connectionCount === 0) this.deps.onEmpty(this);
  }

  /**
   * The answer to a sync step 1 on document `kind`: what a peer with `stateVector` lacks, sent once
   * everything in it is durable (null when the log failed first: the room closes the connection).
   * The documents hold each change from the moment it is applied, a networked store's append
   * lands a few ms later: a reply encoded meanwhile must wait for it, or a client could be shown
   * a change that a crash of the store then loses. Appends are issued as changes are applied, so
   * the flush after encoding covers everything the reply holds.
   */
  durableSyncReply(kind: DocKind, stateVector: Uint8Array): Promise<Shared | null> {
    const reply = this.channels[kind].syncReply(stateVector);
    return this.log.flush().then(
      () => reply,
      () => null,
    );
  }

  /** Whether a client update of `bytes` would take the session past its size cap. */
  wouldExceedCap(bytes: number): boolean {
    return this.docBytes + bytes > this.deps.limits.maxDocBytes;
  }

  /**
   * Applies a client's update (already checked by receiver.ts) to the shared document; resolves
   * once it is durable, rejects if the log failed.
   */
  applyClientUpdate(conn: Connection, update: Uint8Array): Promise<void> {
    const doc = this.docs.shared;
    // In a cluster, a peer's record that came before an earlier one is parked by Yjs until that one
    // arrives (read back from the store): that is the peers', never this client's, and it must stay.
    const peersParked = doc.store.pendingStructs !== null || doc.store.pendingDs !== null;
    Y.applyUpdate(doc, update, conn.origin);
    const done = this.commit(conn.origin);
    if (!peersParked && (doc.store.pendingStructs || doc.store.pendingDs)) {
      // sharedCheck refuses what Yjs would park; should Yjs park anything anyway, it is dropped here.
      doc.store.pendingStructs = null;
      doc.store.pendingDs = null;
      this.deps.metrics.inc(METRIC.refused, 'Client messages refused, by reason', { reason: 'unresolved_after_check' });
      conn.close(CloseCode.UnresolvedUpdate, 'update depends on changes the server does not have: reload');
    }
    this.deps.afterClientChange?.(this);
    return done;
  }

  /** Applies a server write with a typed origin to both documents; resolves with `fn`'s result once durable. */
  async transact<T>(reason: ServerReason, fn: (docs: SessionDocs) => T): Promise<T> {
    if (this.broken) throw new RoomUnavailable('the session is being reloaded: try again');
    if (this.docBytes > this.deps.limits.maxDocBytes) throw new SessionFull(`the session is over its ${this.deps.limits.maxDocBytes}-byte cap`);
    // In a cluster only the lease holder writes, fenced by its epoch (throws when it is not the owner).
    const fence = this.deps.peers?.fence(this.id);
    const origin = serverOrigin(reason);
    let result: T | undefined;
    try {
      // Both documents in one step: whatever fn writes becomes one log record.
      this.docs.shared.transact(() => this.docs.server.transact(() => (result = fn(this.docs)), origin), origin);
    } finally {
      // Even a write that threw half-way changed the documents: what it changed is stored.
      await this.commit(origin, fence).catch((err: unknown) => {
        throw new RoomUnavailable(`could not save: ${String((err as Error).message ?? err)}`);
      });
    }
    return result as T; // assigned: doc.transact runs its callback synchronously
  }

  /** Resolves when everything changed so far is durable. */
  flush(): Promise<void> {
    return this.log.flush();
  }

  compact(): Promise<void> {
    return this.log.compact();
  }

  /**
   * Applies a record another instance made durable (cluster): never appended again, broadcast to
   * every connection here. A record this room already has is skipped.
   */
  applyPeerRecord(seq: number, updates: readonly DocUpdate[]): void {
    if (this.broken || !this.seqs.mark(seq)) return;
    this.applyPeerUpdates(updates);
    this.log.observed(seq);
  }

  /** Applies what the store had beyond this room (a gap the bus missed, or a snapshot covering it). */
  applyCatchUp(records: readonly { seq: number; updates: readonly DocUpdate[] }[]): void {
    for (const r of records) {
      if (this.broken) return;
      if (r.seq <= this.seqs.floor) continue;
      // A snapshot answers for every record up to its seq: apply it whole (Yjs skips what it has).
      this.applyPeerUpdates(r.updates);
      this.seqs.coverUpTo(r.seq);
      this.log.observed(r.seq);
    }
  }

  /** A client sent an edit building on changes this room lacks (embedded: nothing to read; the client resyncs). */
  behind(): void {
    this.deps.peers?.behind(this);
  }

  /** Presence from another instance's connections: shown here, never published again. */
  applyPeerAwareness(update: Uint8Array): void {
    this.presence.applyPeer(update);
  }

  private applyPeerUpdates(updates: readonly DocUpdate[]): void {
    let touchedShared = false;
    for (const u of updates) {
      Y.applyUpdate(this.docs[u.doc], u.update, PEER_ORIGIN);
      this.docBytes += u.update.byteLength;
      this.broadcast(u.doc, shared(encodeUpdate(u.update)), PEER_ORIGIN);
      if (u.doc === 'shared') touchedShared = true;
    }
    // The owner's rules react to clients' changes wherever they arrived.
    if (touchedShared) this.deps.afterClientChange?.(this);
  }

  /** The changes made since the last commit become one record; broadcast once it is durable. */
  private commit(origin: Origin, fence?: Fence): Promise<void> {
    const updates = this.outbox;
    if (updates.length === 0) return this.log.flush();
    this.outbox = [];
    for (const u of updates) this.docBytes += u.update.byteLength;
    const started = performance.now();
    return this.log.append(updates, fence).then(
      (seq) => {
        this.deps.metrics.inc(METRIC.updatesStored, 'Yjs updates appended to the store', undefined, updates.length);
        this.deps.metrics.observe(METRIC.updateDurable, 'Seconds from a change to its durable append', (performance.now() - started) / 1000);
        if (this.deps.peers && this.seqs.mark(seq)) this.deps.peers.published(this, seq, updates);
        for (const u of updates) this.broadcast(u.doc, shared(encodeUpdate(u.update)), origin);
      },
      (err: unknown) => {
        this.fail(err);
        throw err;
      },
    );
  }

  /** Sends to every connection on document `kind` but the origin's; the frame is made once for all. */
  broadcast(kind: DocKind, msg: Shared, origin: unknown): void {
    this.channels[kind].broadcast(msg, origin);
  }

  /** Closes every connection opened with `token` (a replaced link); returns how many. */
  closeLink(token: string, code: number, reason: string): number {
    let n = 0;
    for (const kind of DOC_KINDS) {
      for (const c of [...this.channels[kind].conns]) {
        if (c.token !== token) continue;
        c.close(code, reason);
        n++;
      }
    }
    return n;
  }

  /** The store failed: nothing more is acknowledged; clients reconnect and resync to a fresh load. */
  private fail(err: unknown): void {
    if (this.broken) return;
    this.broken = true;
    this.log.abandon();
    this.deps.logger.error('room persistence failed; dropping room', { room: this.id, err: String(err) });
    for (const kind of DOC_KINDS) for (const c of this.channels[kind].conns) c.close(CloseCode.ServerError, 'could not save: reconnecting');
    this.deps.onBroken(this);
  }

  /** Flushes and compacts the log (the room is about to be unloaded). */
  async settle(): Promise<void> {
    await this.log.close();
  }

  /** Closes every connection (clients reconnect) and frees the documents. Call after settle(). */
  destroy(code: number = CloseCode.GoingAway, reason = 'server restarting'): void {
    for (const kind of DOC_KINDS) {
      for (const c of this.channels[kind].conns) c.close(code, reason);
      this.channels[kind].conns.clear();
    }
    this.log.abandon();
    this.presence.destroy();
    for (const kind of DOC_KINDS) this.channels[kind].doc.destroy();
  }
}
