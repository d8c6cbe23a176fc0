/**
 * One session's live document: the Y.Doc, its awareness, its connections and the persistence
 * pipeline. Every update is appended to the store before it is broadcast ("durable before
 * acknowledged"); with the embedded store that append (one write to its log) is synchronous, so
 * the broadcast goes out in the same tick. Broadcasts are encoded once per room, not per subscriber.
 */
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { type Origin, STORE_ORIGIN, type ServerReason, serverOrigin } from '../../lib/doc/origins';
import type { SessionId } from '../../lib/ids';
import { CloseCode } from '../../lib/protocol/closeCodes';
import { SERVER_OWNED_ROOTS } from '../../lib/doc/schema';
import { encodeSaved } from '../../lib/protocol/saved';
import type { Limits } from '../config';
import type { Logger } from '../logger';
import { METRIC, type Metrics } from '../metrics';
import type { Store } from '../store/types';
import {
  decodeAwarenessEntries,
  decodeMessage,
  encodeAwarenessEntries,
  encodeAwareness,
  encodePermissionDenied,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdate,
  updateAddsTo,
} from './messages';
import { AwarenessBatch } from './awarenessBatch';
import { touchesProtectedRoots } from './guard';
import type { Shared, SocketLike } from './socket';
import type { TokenBucket } from '../tokenBucket';

export interface Connection {
  readonly id: string;
  readonly socket: SocketLike;
  readonly readOnly: boolean;
  /** The transaction origin of this connection's writes (compared by identity). */
  readonly origin: Origin;
  /** Awareness client ids this connection has set; no other connection may set them. */
  readonly awarenessIds: Set<number>;
  /** Whether the client asked for "saved" acknowledgements (lib/protocol/saved.ts). */
  readonly acks: boolean;
  /** Document messages received on this connection so far (what a saved ack counts). */
  received: number;
  /** Awareness updates allowed per second for this connection. */
  readonly awarenessBudget: TokenBucket;
}

/** A connection as it starts: nothing received yet, no awareness client id claimed. */
export function newConnection(
  id: string,
  socket: SocketLike,
  opts: { readOnly: boolean; acks: boolean; awarenessBudget: TokenBucket },
): Connection {
  return {
    id,
    socket,
    readOnly: opts.readOnly,
    origin: { source: 'client', connectionId: id },
    awarenessIds: new Set(),
    acks: opts.acks,
    received: 0,
    awarenessBudget: opts.awarenessBudget,
  };
}

export interface RoomDeps {
  store: Store;
  logger: Logger;
  metrics: Metrics;
  limits: Limits;
  compactAfterUpdates: number;
  /** Called when the last connection leaves, or when the room broke and must be dropped. */
  onEmpty(room: Room): void;
}

export class Room {
  readonly doc: Y.Doc;
  readonly awareness: Awareness;
  private readonly conns = new Set<Connection>();
  /** Presence changes go out coalesced, at most one frame per connection per window (awarenessBatch.ts). */
  private readonly awarenessBatch = new AwarenessBatch(({ clients, soleOrigin }) =>
    this.broadcast(encodeAwareness(encodeAwarenessUpdate(this.awareness, clients)), soleOrigin),
  );
  /** Appends still in flight (only with a store that answers asynchronously), in update order. */
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private lastSeq: number;
  private pending: number;
  private compactScheduled = false;
  private broken = false;
  /** Stored size of the document (snapshot + log), for the per-session cap. */
  private docBytes: number;
  /**
   * The full state as a sync step 2, for clients that have nothing yet (every fresh join, and the
   * whole room at once after a deploy): encoded once per doc version instead of once per join.
   */
  private fullStateStep2: Uint8Array | null = null;
  /**
   * The one stored update the room loaded from, until the doc first changes: it already is the
   * full state, so the first fresh join after a load sends it as is instead of encoding the doc
   * (about 100 ms for a session with 10,000 decisions).
   */
  private loadedState: Uint8Array | null;

  private constructor(
    readonly id: SessionId,
    private readonly deps: RoomDeps,
    stored: { updates: Uint8Array[]; lastSeq: number; pending: number },
  ) {
    // The session id as the doc's guid: without one, Y.Doc makes a random UUID, about 0.15 ms of
    // webcrypto calls, most of what loading a new session costs (a reconnect wave loads hundreds).
    this.doc = new Y.Doc({ guid: id });
    this.awareness = new Awareness(this.doc);
    this.awareness.setLocalState(null);
    this.doc.transact(() => {
      for (const u of stored.updates) Y.applyUpdate(this.doc, u, STORE_ORIGIN);
    }, STORE_ORIGIN);
    this.lastSeq = stored.lastSeq;
    this.docBytes = stored.updates.reduce((n, u) => n + u.byteLength, 0);
    this.pending = stored.pending;
    this.loadedState = stored.updates.length === 1 ? (stored.updates[0] ?? null) : null;
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      this.fullStateStep2 = null;
      this.loadedState = null;
      this.persist(update, origin);
    });
    this.awareness.on('update', this.onAwareness);
  }

  static async load(id: SessionId, deps: RoomDeps): Promise<Room> {
    return new Room(id, deps, await deps.store.loadDoc(id));
  }

  get connectionCount(): number {
    return this.conns.size;
  }

  get isBroken(): boolean {
    return this.broken;
  }

  join(conn: Connection): void {
    this.conns.add(conn);
    conn.socket.send(encodeSyncStep1(this.doc));
    const states = [...this.awareness.getStates().keys()];
    if (states.length > 0) conn.socket.send(encodeAwareness(encodeAwarenessUpdate(this.awareness, states)));
  }

  leave(conn: Connection): void {
    if (!this.conns.delete(conn)) return;
    const ids = [...conn.awarenessIds].filter((id) => this.awareness.getStates().has(id));
    if (ids.length > 0) removeAwarenessStates(this.awareness, ids, null);
    if (this.conns.size === 0) this.deps.onEmpty(this);
  }

  /** Handles one frame from a connection; a bad frame closes that connection only. */
  receive(conn: Connection, frame: Uint8Array): void {
    // Frames that were already in flight when we decided to close this connection are not read.
    if (!conn.socket.isOpen) return;
    if (frame.byteLength > this.deps.limits.maxFrameBytes) {
      this.refuseAndClose(conn, CloseCode.MessageTooBig, `frame of ${frame.byteLength} bytes exceeds ${this.deps.limits.maxFrameBytes}`);
      return;
    }
    try {
      const msg = decodeMessage(frame);
      switch (msg.kind) {
        case 'syncStep1':
          conn.socket.send(this.syncStep2For(msg.stateVector));
          return;
        case 'syncStep2':
        case 'update':
          this.applyClientUpdate(conn, msg.update);
          return;
        case 'awareness':
          this.applyClientAwareness(conn, msg.update);
          return;
        case 'queryAwareness': {
          const ids = [...this.awareness.getStates().keys()];
          conn.socket.send(encodeAwareness(encodeAwarenessUpdate(this.awareness, ids)));
          return;
        }
        case 'auth':
          return;
        default:
          assertNever(msg);
      }
    } catch (err) {
      this.refuseAndClose(conn, CloseCode.MalformedMessage, `malformed message: ${(err as Error).message}`);
    }
  }

  private syncStep2For(stateVector: Uint8Array): Uint8Array {
    // An empty state vector is a single 0 (no clients): the answer is the whole doc.
    if (stateVector.length === 1 && stateVector[0] === 0) {
      this.fullStateStep2 ??= encodeSyncStep2(this.loadedState ?? Y.encodeStateAsUpdate(this.doc));
      this.loadedState = null;
      return this.fullStateStep2;
    }
    return encodeSyncStep2(Y.encodeStateAsUpdate(this.doc, stateVector));
  }

  private applyClientUpdate(conn: Connection, update: Uint8Array): void {
    if (conn.readOnly) {
      if (updateAddsTo(this.doc, update)) this.refuse(conn, 'read_only', 'this is a read-only view link: changes are not accepted');
      return;
    }
    conn.received++;
    if (this.docBytes + update.byteLength > this.deps.limits.maxDocBytes) {
      this.refuseAndClose(conn, CloseCode.DocumentTooLarge, `session document would exceed ${this.deps.limits.maxDocBytes} bytes`);
      return;
    }
    // Decoding validates the whole update before it can touch the doc.
    if (touchesProtectedRoots(this.doc, update, SERVER_OWNED_ROOTS)) {
      // Yjs needs each client's updates in order: once one is refused, nothing later from that
      // client could ever apply, so this connection cannot continue (permanent: reload to recover).
      this.refuse(conn, 'server_owned', 'the timer, turn history, decision log and settings change only through commands');
      this.refuseAndClose(conn, CloseCode.Forbidden, 'wrote server-owned state: reload the page');
      return;
    }
    Y.applyUpdate(this.doc, update, conn.origin);
    if (conn.acks) {
      // This update's append (if it changed anything) is stored or in flight: ack once it is stored.
      const n = conn.received;
      this.afterStored(() => {
        // An update waiting for missing dependencies is not stored yet: no ack until it is.
        const waiting = this.doc.store.pendingStructs !== null || this.doc.store.pendingDs !== null;
        if (conn.socket.isOpen && !waiting) conn.socket.send(encodeSaved(n));
      });
    }
  }

  private applyClientAwareness(conn: Connection, update: Uint8Array): void {
    if (update.byteLength > this.deps.limits.maxAwarenessBytes) {
      this.refuseAndClose(conn, CloseCode.MessageTooBig, `presence state larger than ${this.deps.limits.maxAwarenessBytes} bytes`);
      return;
    }
    if (!conn.awarenessBudget.take()) {
      this.refuse(conn, 'awareness_rate', 'presence updates too frequent: some were dropped');
      return;
    }
    // Standard providers echo every presence change they receive back to the server, so entries for
    // other clients are normal: an echo (clock not newer than ours) is skipped silently; a newer
    // clock for someone else's id is a forgery and refused visibly.
    const own = [];
    let forged = false;
    for (const entry of decodeAwarenessEntries(update)) {
      if (!conn.awarenessIds.has(entry.clientId)) {
        const claimed = conn.awarenessIds.size > 0 || [...this.conns].some((c) => c !== conn && c.awarenessIds.has(entry.clientId));
        if (claimed) {
          const known = this.awareness.meta.get(entry.clientId)?.clock ?? -1;
          if (entry.clock > known) forged = true;
          continue;
        }
        conn.awarenessIds.add(entry.clientId);
      }
      own.push(entry);
    }
    if (forged) this.refuse(conn, 'awareness_foreign', 'awareness may only be set for your own client id');
    if (own.length > 0) applyAwarenessUpdate(this.awareness, encodeAwarenessEntries(own), conn);
  }

  private onAwareness = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    const changed = [...added, ...updated, ...removed];
    this.awarenessBatch.add(changed, origin);
  };

  /** Applies a server write with a typed origin; resolves with what `fn` returned once it is durable. */
  async transact<T>(reason: ServerReason, fn: (doc: Y.Doc) => T): Promise<T> {
    if (this.broken) throw new Error('room is unavailable');
    let result: T | undefined;
    this.doc.transact(() => {
      result = fn(this.doc);
    }, serverOrigin(reason));
    await this.flush();
    return result as T; // assigned: doc.transact runs its callback synchronously
  }

  /** Resolves when everything applied so far is in the store. */
  flush(): Promise<void> {
    return this.chain;
  }

  private persist(update: Uint8Array, origin: unknown): void {
    if (this.broken) return;
    this.docBytes += update.byteLength;
    let stored: number | Promise<number>;
    try {
      stored = this.deps.store.appendUpdate(this.id, update);
    } catch (err) {
      this.fail(err);
      return;
    }
    // Committed already (embedded store) and nothing earlier still in flight: broadcast right now.
    if (typeof stored === 'number' && this.inFlight === 0) {
      this.stored(stored, update, origin);
      return;
    }
    // Otherwise the chain keeps broadcasts in update order behind the appends still in flight.
    const append = Promise.resolve(stored);
    append.catch(() => undefined); // handled in the chain below; avoids an unhandled rejection meanwhile
    this.inFlight++;
    this.chain = this.chain
      .then(() => append)
      .then((seq) => this.stored(seq, update, origin))
      .catch((err: unknown) => this.fail(err))
      .finally(() => {
        this.inFlight--;
      });
  }

  private stored(seq: number, update: Uint8Array, origin: unknown): void {
    if (this.broken) return;
    this.lastSeq = seq;
    this.pending++;
    this.deps.metrics.inc(METRIC.updatesStored, 'Yjs updates appended to the store');
    this.broadcast(encodeUpdate(update), origin);
    this.scheduleCompaction();
  }

  /** Runs `fn` once everything applied so far is stored: now, or after the appends in flight. */
  private afterStored(fn: () => void): void {
    if (this.inFlight === 0) fn();
    else this.chain = this.chain.then(fn);
  }

  /** Sends `msg` to every connection but its origin; the wire frame is made once for all of them. */
  private broadcast(msg: Uint8Array, origin: unknown): void {
    const shared: Shared = { data: msg };
    const max = this.deps.limits.maxBufferedBytes;
    for (const c of this.conns) {
      if (c.origin === origin || c === origin) continue;
      if (c.socket.offer(shared, max) === 'behind') this.refuseAndClose(c, CloseCode.SlowConsumer, 'too far behind: reconnect to resync');
    }
  }

  private scheduleCompaction(): void {
    if (this.compactScheduled || this.pending < this.deps.compactAfterUpdates) return;
    this.compactScheduled = true;
    setImmediate(() => {
      this.compactScheduled = false;
      void this.compact();
    });
  }

  /**
   * Merges the update log into one snapshot. Everything up to lastSeq is already in the doc, so the
   * doc's full state covers it; appends that land meanwhile have higher seqs and stay in the log.
   */
  async compact(): Promise<void> {
    if (this.broken || this.pending === 0) return;
    const upto = this.lastSeq;
    const pendingAtStart = this.pending;
    const bytesAtStart = this.docBytes;
    try {
      const snapshot = Y.encodeStateAsUpdate(this.doc);
      await this.deps.store.compact(this.id, snapshot, upto);
      this.pending -= pendingAtStart;
      this.docBytes += snapshot.byteLength - bytesAtStart;
      this.deps.metrics.inc(METRIC.compactions, 'Update logs merged into a snapshot');
    } catch (err) {
      this.deps.logger.warn('compaction failed', { room: this.id, err: String(err) });
    }
  }

  private refuse(conn: Connection, reason: string, message: string): void {
    this.deps.metrics.inc(METRIC.refused, 'Client messages refused, by reason', { reason });
    if (conn.socket.isOpen) conn.socket.send(encodePermissionDenied(message));
  }

  private refuseAndClose(conn: Connection, code: number, reason: string): void {
    this.deps.metrics.inc(METRIC.closed, 'Connections closed by the server, by code', { code });
    this.deps.logger.debug('closing connection', { room: this.id, conn: conn.id, code, reason });
    conn.socket.close(code, reason);
  }

  /** The store failed: nothing more is acknowledged; clients reconnect and resync to a fresh load. */
  private fail(err: unknown): void {
    if (this.broken) return;
    this.broken = true;
    this.deps.logger.error('room persistence failed; dropping room', { room: this.id, err: String(err) });
    for (const c of this.conns) this.refuseAndClose(c, CloseCode.ServerError, 'could not save: reconnecting');
    this.deps.onEmpty(this);
  }

  /** Closes every connection (clients reconnect) and frees the doc. Call after flush(). */
  destroy(code: number = CloseCode.GoingAway, reason = 'server restarting'): void {
    for (const c of this.conns) c.socket.close(code, reason);
    this.conns.clear();
    this.awarenessBatch.close();
    this.awareness.off('update', this.onAwareness);
    this.awareness.destroy();
    this.doc.destroy();
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected message ${JSON.stringify(x)}`);
}
