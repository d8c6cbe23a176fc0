/**
 * What the cluster adds to the Store seam (server/store/types.ts): PostgreSQL is the durable log
 * of every session (an append is durable once its transaction commits, and sequence numbers are
 * handed out under the session row's lock, so their order is commit order), and it holds the
 * leases that make one instance the owner of a session's server writes and timer.
 *
 * Redis carries nothing durable (server/cluster/bus.ts): a peer that missed a record reads it
 * back here with readSince().
 */
import type { SessionId } from '../../lib/ids';
import type { DocUpdate, Store } from '../store/types';

export interface LoggedRecord {
  seq: number;
  updates: DocUpdate[];
}

export interface Lease {
  sessionId: SessionId;
  /** The fencing token: grows by one every time the lease changes hands. */
  epoch: number;
  /** The instance holding it. */
  owner: string;
  /** Database time (ms since the epoch) the lease runs out unless renewed. */
  expiresAt: number;
}

export interface ClusterStore extends Store {
  /** The records after `afterSeq` still in the log, in sequence order (a peer catching up). */
  readSince(id: SessionId, afterSeq: number): Promise<LoggedRecord[]>;
  /** The highest sequence number stored for the session, 0 for none. */
  lastSeq(id: SessionId): Promise<number>;
  /** lastSeq for many sessions in one query (a peer's periodic check that it missed nothing). */
  lastSeqs(ids: readonly SessionId[]): Promise<Map<SessionId, number>>;

  /**
   * Takes the session's lease for `owner` if it is free or expired (a new epoch), or renews it if
   * `owner` already holds it (same epoch); null when another instance holds a live lease.
   */
  acquireLease(id: SessionId, owner: string, ttlMs: number): Promise<Lease | null>;
  /** Renews every listed lease `owner` still holds; answers the ones it holds (others were lost). */
  renewLeases(owner: string, leases: readonly { sessionId: SessionId; epoch: number }[], ttlMs: number): Promise<Lease[]>;
  /** Gives the lease up at once (drain, unload) if `owner` still holds it with that epoch. */
  releaseLease(id: SessionId, owner: string, epoch: number): Promise<void>;
  /** The session's lease as it stands, expired or not; null if it never had one. */
  currentLease(id: SessionId): Promise<Lease | null>;
  /** Sessions whose timer is due before `before` (ms) and whose lease is free or expired. */
  orphanedTimers(before: number): Promise<{ sessionId: SessionId; dueAt: number }[]>;
}
