/**
 * Persistence behind an interface, so Postgres can slot in beside SQLite. Methods are async so
 * a networked engine fits; the SQLite implementation resolves synchronously underneath, and its
 * appends return their sequence number directly (see `appendUpdate`).
 */
import type { SessionId, ViewToken } from '../../lib/ids';

export interface SessionRecord {
  id: SessionId;
  viewToken: ViewToken;
  createdAt: number;
}

export type SessionLookup = { session: SessionRecord; readOnly: boolean };

export interface StoredDoc {
  /** Snapshot first (if any), then the appended updates in order. */
  updates: Uint8Array[];
  /** Highest update sequence number included, 0 for none. */
  lastSeq: number;
  /** Updates appended since the last compaction. */
  pending: number;
}

export interface Store {
  createSession(record: SessionRecord): Promise<void>;
  /** Looks up a session by its id (edit) or its view token (read-only). */
  findSession(idOrToken: string): Promise<SessionLookup | null>;
  loadDoc(id: SessionId): Promise<StoredDoc>;
  /**
   * Durably appends one Yjs update and gives its sequence number once it is stored. An embedded
   * engine commits before returning and returns the number itself, so a room broadcasts in the same
   * tick; a networked engine returns a promise. A synchronous failure throws.
   */
  appendUpdate(id: SessionId, update: Uint8Array): number | Promise<number>;
  /** Replaces every update up to `uptoSeq` with `snapshot` (a full-state update). */
  compact(id: SessionId, snapshot: Uint8Array, uptoSeq: number): Promise<void>;
  /** Records when a session's running timer is due (server-clock ms); null clears it. */
  setTimerDue(id: SessionId, dueAt: number | null): Promise<void>;
  /** Every session with a due timer, so a restarted server resolves turns that ended meanwhile. */
  listTimersDue(): Promise<{ sessionId: SessionId; dueAt: number }[]>;
  /**
   * Sessions whose newest updates the store replayed on open (a crash left them in its log): what
   * was recorded from their docs after those updates, such as a timer's due time, may be missing.
   */
  replayedSessions(): SessionId[];
  /** True when the store answers (readiness). */
  ping(): Promise<boolean>;
  /** Gives back memory the engine only caches (SQLite's page cache); the server calls it when it goes idle. */
  releaseMemory(): void;
  close(): Promise<void>;
}
