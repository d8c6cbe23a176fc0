/**
 * The default store: embedded SQLite (better-sqlite3) in WAL mode under DATA_DIR, plus the update
 * log (updateLog.ts) in DATA_DIR/log.
 *
 * synchronous=NORMAL in WAL mode: a committed transaction survives a crash of the process
 * (kill -9) because it is in the WAL file in the OS page cache; only an OS crash or power loss
 * could lose the last commits. That is the durability line Mobflow promises, and the log keeps it.
 *
 * Appends go to the log only; SQLite holds sessions, timers and one snapshot per session. A
 * compaction (the room's, every few hundred updates and on unload) writes the snapshot and lets
 * the log drop what it covers. A session whose entries would pin an old segment (a room that stays
 * loaded but quiet) is merged here instead: snapshot + entries, with Y.mergeUpdates. On open, the
 * segments a crash left behind are merged the same way before anything reads the store. One
 * process owns a data directory (dataDirLock.ts): sequence numbers live in memory.
 *
 * Older data directories may hold per-update rows (doc_updates, and before that `updates`); they
 * are read and compacted like log entries, and no new rows are written there.
 */
import { mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as Y from 'yjs';
import type { SessionId } from '../../lib/ids';
import { DEFAULT_AUTOCHECKPOINT_PAGES, MAIN_AUTOCHECKPOINT_PAGES, startCheckpointer } from './checkpointer';
import { lockDataDir } from './dataDirLock';
import { decodeFrames, type LogFrame, listSegments, segmentPath } from './logFormat';
import type { SessionLookup, SessionRecord, Store, StoredDoc } from './types';
import { SEGMENT_BYTES, UpdateLog } from './updateLog';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  view_token TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshots (
  session_id TEXT PRIMARY KEY,
  data BLOB NOT NULL,
  upto_seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS doc_updates (
  session_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS timers (
  session_id TEXT PRIMARY KEY,
  due_at INTEGER NOT NULL
);
`;

/**
 * Before doc_updates, updates had one global AUTOINCREMENT seq (and an index): its rows move over
 * unchanged, since global seqs also increase within each session and snapshots compare by session.
 */
const MIGRATE_GLOBAL_SEQ = `
INSERT INTO doc_updates (session_id, seq, data) SELECT session_id, seq, data FROM updates;
DROP TABLE updates;
`;

/** Time the store's own merges may take per tick before yielding to the rooms (see the log's onSealed). */
const MERGE_SLICE_MS = 2;

/** Bytes the WAL file is cut back to after it restarts, so a burst does not keep its disk. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export interface SqliteStoreOptions {
  /** Log segment size (tests use small ones). */
  segmentBytes?: number;
  /** A quiet session's entries could not be merged in the background (they stay in the log; retried later). */
  onMergeError?: (id: SessionId, err: unknown) => void;
}

/** Opens the store; throws when another Mobflow server has the data directory. */
export function openSqliteStore(dataDir: string, options: SqliteStoreOptions = {}): Store {
  mkdirSync(dataDir, { recursive: true });
  const lock = lockDataDir(dataDir);
  try {
    return openLocked(dataDir, options, lock.release);
  } catch (err) {
    lock.release();
    throw err;
  }
}

function openLocked(dataDir: string, options: SqliteStoreOptions, releaseLock: () => void): Store {
  const file = join(dataDir, 'mobflow.sqlite');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  db.exec(SCHEMA);
  const hasOldUpdates = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'updates'").get() !== undefined;
  if (hasOldUpdates) db.transaction(() => db.exec(MIGRATE_GLOBAL_SEQ))();
  db.pragma(`wal_autocheckpoint = ${MAIN_AUTOCHECKPOINT_PAGES}`);
  const checkpointer = startCheckpointer(file, () => db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`));

  const insertSession = db.prepare('INSERT INTO sessions (id, view_token, created_at) VALUES (?, ?, ?)');
  const byId = db.prepare<[string], { id: string; view_token: string; created_at: number }>(
    'SELECT id, view_token, created_at FROM sessions WHERE id = ?',
  );
  const byToken = db.prepare<[string], { id: string; view_token: string; created_at: number }>(
    'SELECT id, view_token, created_at FROM sessions WHERE view_token = ?',
  );
  const snapshotOf = db.prepare<[string], { data: Buffer; upto_seq: number }>(
    'SELECT data, upto_seq FROM snapshots WHERE session_id = ?',
  );
  const updatesOf = db.prepare<[string, number], { seq: number; data: Buffer }>(
    'SELECT seq, data FROM doc_updates WHERE session_id = ? AND seq > ? ORDER BY seq',
  );
  // Where a session's numbering stands in SQLite: its last row (older data directories) or its snapshot.
  const storedSeq = db
    .prepare<{ id: string }, number>(`
      SELECT coalesce(
        (SELECT max(seq) FROM doc_updates WHERE session_id = :id),
        (SELECT upto_seq FROM snapshots WHERE session_id = :id),
        0
      )`)
    .pluck();
  const upsertSnapshot = db.prepare(
    'INSERT INTO snapshots (session_id, data, upto_seq) VALUES (?, ?, ?) ON CONFLICT(session_id) DO UPDATE SET data = excluded.data, upto_seq = excluded.upto_seq',
  );
  const deleteUpTo = db.prepare('DELETE FROM doc_updates WHERE session_id = ? AND seq <= ?');
  const snapshotSeq = db.prepare<[string], number>('SELECT upto_seq FROM snapshots WHERE session_id = ?').pluck();
  /** Writes the snapshot unless one already covers more (a compaction never goes back). */
  const compactTx = db.transaction((id: string, snapshot: Uint8Array, uptoSeq: number) => {
    if ((snapshotSeq.get(id) ?? -1) > uptoSeq) return;
    upsertSnapshot.run(id, Buffer.from(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength), uptoSeq);
    deleteUpTo.run(id, uptoSeq);
  });
  /** Every snapshot write (the room's compaction and the store's own merges) counts toward the next checkpoint. */
  const writeSnapshot = (id: string, snapshot: Uint8Array, uptoSeq: number) => {
    compactTx(id, snapshot, uptoSeq);
    checkpointer.committed(1 + Math.ceil(snapshot.byteLength / 4096));
  };

  /** What SQLite holds for a session: its snapshot (if any) and the rows after it. */
  const storedUpdates = (id: string): { updates: Uint8Array[]; lastSeq: number; rows: number } => {
    const snap = snapshotOf.get(id);
    const from = snap?.upto_seq ?? 0;
    const rows = updatesOf.all(id, from);
    return {
      updates: [...(snap ? [new Uint8Array(snap.data)] : []), ...rows.map((r) => new Uint8Array(r.data))],
      lastSeq: rows.at(-1)?.seq ?? from,
      rows: rows.length,
    };
  };

  /** The store's own compaction: what SQLite holds plus `extra`, merged into one snapshot. */
  const mergeInto = (id: string, extra: readonly { seq: number; update: Uint8Array }[]): number => {
    const stored = storedUpdates(id);
    const fresh = extra.filter((e) => e.seq > stored.lastSeq);
    const upto = fresh.at(-1)?.seq ?? stored.lastSeq;
    if (fresh.length === 0 && stored.rows === 0) return upto;
    writeSnapshot(id, Y.mergeUpdates([...stored.updates, ...fresh.map((e) => e.update)]), upto);
    return upto;
  };

  // Segments a crash left: merge each session's frames into its snapshot, then delete them.
  const logDir = join(dataDir, 'log');
  mkdirSync(logDir, { recursive: true });
  const leftover = listSegments(logDir);
  const replayed: SessionId[] = [];
  if (leftover.length > 0) {
    const bySession = new Map<string, LogFrame[]>();
    for (const n of leftover) {
      for (const f of decodeFrames(readFileSync(segmentPath(logDir, n)))) {
        const list = bySession.get(f.sessionId);
        if (list) list.push(f);
        else bySession.set(f.sessionId, [f]);
      }
    }
    db.transaction(() => {
      for (const [id, frames] of bySession) mergeInto(id, frames.sort((a, b) => a.seq - b.seq));
    })();
    replayed.push(...(bySession.keys() as Iterable<SessionId>));
    // The snapshots reach the database file (and its fsync) before the frames they replace go.
    db.pragma('wal_checkpoint(FULL)');
    for (const n of leftover) unlinkSync(segmentPath(logDir, n));
  }

  let closed = false;
  let log: UpdateLog;
  /** Sessions whose entries pin an old segment, merged in slices of MERGE_SLICE_MS per tick. */
  const stragglers: SessionId[] = [];
  let merging = false;
  const mergeStragglers = () => {
    merging = false;
    if (closed) return;
    const until = performance.now() + MERGE_SLICE_MS;
    while (stragglers.length > 0 && performance.now() < until) {
      const id = stragglers.shift() as SessionId;
      try {
        if (log.hasEntries(id)) log.covered(id, mergeInto(id, log.entries(id)));
      } catch (err) {
        options.onMergeError?.(id, err);
      }
    }
    if (stragglers.length > 0) scheduleStragglers();
  };
  const scheduleStragglers = () => {
    if (merging) return;
    merging = true;
    setImmediate(mergeStragglers);
  };
  log = new UpdateLog(logDir, (leftover.at(-1) ?? 0) + 1, options.segmentBytes ?? SEGMENT_BYTES, (current) => {
    // Rooms compact every few hundred updates; a session still holding entries two segments back
    // is a quiet one (a room open but nearly idle): merged here, so the log keeps about three segments.
    const queued = new Set(stragglers);
    for (const id of log.sessionsOlderThan(current - 2)) if (!queued.has(id)) stragglers.push(id);
    if (stragglers.length > 0) scheduleStragglers();
  });

  const upsertTimer = db.prepare(
    'INSERT INTO timers (session_id, due_at) VALUES (?, ?) ON CONFLICT(session_id) DO UPDATE SET due_at = excluded.due_at',
  );
  const deleteTimer = db.prepare('DELETE FROM timers WHERE session_id = ?');
  const allTimers = db.prepare<[], { session_id: string; due_at: number }>('SELECT session_id, due_at FROM timers');

  const toRecord = (row: { id: string; view_token: string; created_at: number }): SessionRecord => ({
    id: row.id as SessionRecord['id'],
    viewToken: row.view_token as SessionRecord['viewToken'],
    createdAt: row.created_at,
  });

  return {
    async createSession(r) {
      insertSession.run(r.id, r.viewToken, r.createdAt);
    },
    async findSession(idOrToken): Promise<SessionLookup | null> {
      const edit = byId.get(idOrToken);
      if (edit) return { session: toRecord(edit), readOnly: false };
      const view = byToken.get(idOrToken);
      return view ? { session: toRecord(view), readOnly: true } : null;
    },
    async loadDoc(id: SessionId): Promise<StoredDoc> {
      const stored = storedUpdates(id);
      const logged = log.entries(id).filter((e) => e.seq > stored.lastSeq);
      return {
        updates: [...stored.updates, ...logged.map((e) => e.update)],
        lastSeq: logged.at(-1)?.seq ?? stored.lastSeq,
        pending: stored.rows + logged.length,
      };
    },
    appendUpdate(id, update) {
      if (closed) throw new Error('store is closed');
      // One write() to the log: the room can broadcast in this tick. A session's newest entry is its
      // last seq; one with no entries left has its numbering in SQLite (its snapshot covers the rest).
      const seq = (log.lastSeq(id) ?? storedSeq.get({ id }) ?? 0) + 1;
      log.append(id, seq, update);
      return seq;
    },
    async compact(id, snapshot, uptoSeq) {
      writeSnapshot(id, snapshot, uptoSeq);
      log.covered(id, uptoSeq);
    },
    async setTimerDue(id, dueAt) {
      if (dueAt === null) deleteTimer.run(id);
      else upsertTimer.run(id, Math.round(dueAt));
    },
    replayedSessions: () => [...replayed],
    async listTimersDue() {
      return allTimers.all().map((r) => ({ sessionId: r.session_id as SessionId, dueAt: r.due_at }));
    },
    releaseMemory() {
      // Frees the page cache (up to 2 MB here): left in place, its pages sit among freed ones in the
      // allocator's heap and keep that from shrinking once the sessions are gone.
      if (!closed) db.pragma('shrink_memory');
    },
    async ping() {
      if (closed) return false;
      try {
        return db.prepare('SELECT 1 AS ok').get() !== undefined;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      // Rooms compacted on their way out; anything else in the log goes into its snapshot now. What
      // cannot be merged stays in the log, which the next open replays.
      for (const id of log.sessions()) {
        try {
          log.covered(id, mergeInto(id, log.entries(id)));
        } catch (err) {
          options.onMergeError?.(id, err);
        }
      }
      log.close();
      await checkpointer.close();
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      releaseLock();
    },
  };
}
