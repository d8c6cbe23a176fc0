/**
 * The Store: what the server keeps durably, behind one interface with a contract test suite
 * (test/contract/store.contract.ts) that every implementation passes: the embedded SQLite store
 * (sqlite.ts, the default) and the cluster store (PostgreSQL + Redis).
 *
 * A session is a record (its internal id, the current edit and view tokens, a key for member
 * tokens) and two documents (lib/doc/schema.ts) kept as one snapshot per document plus an
 * append-only log of records. A record is one change to the documents: one update per document it
 * touched, under one sequence number that the store assigns. The store never compacts by itself:
 * the server's DocLog decides when (server/yjs/docLog.ts) and calls compact().
 */
import type { LinkKind } from '../../lib/capability';
import type { DocKind } from '../../lib/doc/schema';
import type { SessionId } from '../../lib/ids';

export interface SessionRecord {
  /** Internal and stable: names the documents and the log; never a capability by itself. */
  id: SessionId;
  /** The edit link's token (the session's first edit token equals its id). */
  editToken: string;
  /** The watch link's token. */
  viewToken: string;
  createdAt: number;
  /** HMAC key of the session's member tokens (server/memberTokens.ts); never leaves the server. */
  memberKey: Uint8Array;
  /** The mob.sh room key (`/mob/<room>`, issue 33): an edit capability for the timer and goal only. */
  mobKey: string;
}

export interface Lookup {
  session: SessionRecord;
  kind: LinkKind;
}

export interface DocUpdate {
  doc: DocKind;
  update: Uint8Array;
}

export interface StoredSession {
  /** Per document: the snapshot first (if any), then the logged updates in order. */
  docs: Record<DocKind, Uint8Array[]>;
  /** Highest sequence number included, 0 for none. */
  lastSeq: number;
  /** Log records not yet in a snapshot. */
  pending: number;
}

/**
 * A fence for a server write in a cluster: the writer's lease epoch for the session. The store
 * refuses the write (rejects with LeaseLost) unless that epoch is the session's current lease and
 * the lease has not expired, checked in the same transaction as the write. The embedded store has
 * one writer and ignores it.
 */
export interface Fence {
  epoch: number;
}

/** A fenced write came from an instance that no longer holds the session's lease. */
export class LeaseLost extends Error {
  constructor(readonly sessionId: SessionId) {
    super(`this instance no longer holds the lease of session ${sessionId}`);
    this.name = 'LeaseLost';
  }
}

/** A CI/CD or chat integration of one session (issue 33). */
export interface IntegrationRecord {
  /** Public, unguessable: names the endpoint (/api/hooks/<id>); not a secret by itself. */
  id: string;
  sessionId: SessionId;
  provider: 'github' | 'gitlab' | 'cloudevents' | 'chat';
  label: string;
  /** Verifies inbound deliveries (HMAC keys need it in clear); shown once, never listed again. */
  secret: string;
  /** Provider-specific settings as JSON (e.g. a chat destination's URL and format). */
  config: string;
  createdAt: number;
}

export interface StoreHealth {
  ok: boolean;
  /** Why not, readable (e.g. "disk full: could not write to the data directory"). */
  reason?: string;
}

export interface Store {
  createSession(record: SessionRecord): Promise<void>;
  /** The session an edit or view token opens, and which of the two it is; null when neither. */
  findSession(token: string): Promise<Lookup | null>;
  getSession(id: SessionId): Promise<SessionRecord | null>;
  /** Replaces (revokes) the session's edit or view token: the old one finds nothing from then on. */
  replaceToken(id: SessionId, kind: LinkKind, token: string): Promise<void>;
  /** The session a mob.sh room key (`/mob/<room>`) reaches; null when none. */
  findSessionByMobKey(key: string): Promise<SessionRecord | null>;
  /** Replaces the session's mob.sh room key: the old one reaches nothing from then on. */
  replaceMobKey(id: SessionId, key: string): Promise<void>;

  createIntegration(record: IntegrationRecord): Promise<void>;
  listIntegrations(id: SessionId): Promise<IntegrationRecord[]>;
  getIntegration(integrationId: string): Promise<IntegrationRecord | null>;
  /** Revokes an integration of that session; false when it had no such integration. */
  deleteIntegration(id: SessionId, integrationId: string): Promise<boolean>;
  /**
   * Remembers an inbound delivery id for an integration; true the first time, false for a
   * duplicate. Ids older than `forgetBefore` (ms) may be forgotten.
   */
  rememberDelivery(integrationId: string, deliveryId: string, at: number, forgetBefore: number): Promise<boolean>;

  loadSession(id: SessionId): Promise<StoredSession>;
  /**
   * Durably appends one record and resolves with its sequence number once it is stored. Records of
   * one session must be appended one after the other in the order they happened (the DocLog does);
   * a failed append rejects and stores nothing of the record. One exception a networked store
   * cannot rule out: when the connection dies while the commit is under way, the append rejects
   * although the whole record may have been stored (a LeaseLost refusal is always definite). The
   * caller treats any failed append as the end of the room, and a record stored twice through the
   * clients' resync is harmless (applying a Yjs update again changes nothing).
   */
  append(id: SessionId, updates: readonly DocUpdate[], fence?: Fence): Promise<number>;
  /** Folds every record up to `uptoSeq` into the snapshots (never going back); the log drops them. */
  compact(id: SessionId, uptoSeq: number): Promise<void>;

  /** Records when a session's running timer is due (server-clock ms); null clears it. */
  setTimerDue(id: SessionId, dueAt: number | null): Promise<void>;
  /** Every session with a due timer, so a restarted server resolves turns that ended meanwhile. */
  listTimersDue(): Promise<{ sessionId: SessionId; dueAt: number }[]>;
  /**
   * Sessions whose newest records were recovered when the store opened (a crash left them in its
   * log): what was recorded from their documents after those records, such as a timer's due time,
   * may be missing, so the server reads their timers again.
   */
  recoveredSessions(): Promise<SessionId[]>;

  /** Readiness: the store answers and can write (a full disk says so here). */
  health(): Promise<StoreHealth>;
  /** Gives back memory the engine only caches, when the server goes idle (optional). */
  releaseMemory?(): void;
  close(): Promise<void>;
}
