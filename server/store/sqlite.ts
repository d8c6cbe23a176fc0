/**
 * The default store: embedded SQLite (better-sqlite3) in WAL mode under DATA_DIR.
 *
 * synchronous=NORMAL in WAL mode: a committed transaction survives a crash of the process
 * (kill -9) because it is in the WAL file in the OS page cache; only an OS crash or power loss
 * could lose the last commits. That is the durability line Mobflow promises.
 *
 * Each append is one commit. Updates are keyed by (session, seq) in a WITHOUT ROWID table, so a
 * commit touches one B-tree page, and checkpoints run in a worker (checkpointer.ts).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { SessionId } from '../../lib/ids';
import { DEFAULT_AUTOCHECKPOINT_PAGES, MAIN_AUTOCHECKPOINT_PAGES, startCheckpointer } from './checkpointer';
import type { SessionLookup, SessionRecord, Store, StoredDoc } from './types';

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

/** Bytes the WAL file is cut back to after it restarts, so a burst does not keep its disk. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export function openSqliteStore(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true });
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
  // The next seq follows the session's last update, or its snapshot once compaction removed them
  // all: no counter in memory, so any process appending to this file numbers correctly (two
  // processes racing for one session would hit the primary key and fail loudly, never overwrite).
  // Two plain statements, not INSERT ... RETURNING: better-sqlite3 leaves a RETURNING statement
  // open after .get(), and that open read kept every checkpoint from completing (the WAL grew
  // without bound under steady writes).
  const nextSeq = db
    .prepare<{ id: string }, number>(`
      SELECT coalesce(
        (SELECT max(seq) FROM doc_updates WHERE session_id = :id),
        (SELECT upto_seq FROM snapshots WHERE session_id = :id),
        0
      ) + 1`)
    .pluck();
  const insertUpdate = db.prepare('INSERT INTO doc_updates (session_id, seq, data) VALUES (?, ?, ?)');
  const upsertSnapshot = db.prepare(
    'INSERT INTO snapshots (session_id, data, upto_seq) VALUES (?, ?, ?) ON CONFLICT(session_id) DO UPDATE SET data = excluded.data, upto_seq = excluded.upto_seq',
  );
  const deleteUpTo = db.prepare('DELETE FROM doc_updates WHERE session_id = ? AND seq <= ?');
  const compactTx = db.transaction((id: string, snapshot: Uint8Array, uptoSeq: number) => {
    upsertSnapshot.run(id, Buffer.from(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength), uptoSeq);
    deleteUpTo.run(id, uptoSeq);
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

  let closed = false;
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
      const snap = snapshotOf.get(id);
      const from = snap?.upto_seq ?? 0;
      const rows = updatesOf.all(id, from);
      return {
        updates: [...(snap ? [new Uint8Array(snap.data)] : []), ...rows.map((r) => new Uint8Array(r.data))],
        lastSeq: rows.at(-1)?.seq ?? from,
        pending: rows.length,
      };
    },
    appendUpdate(id, update) {
      if (closed) throw new Error('store is closed');
      // One WAL commit, no fsync (synchronous=NORMAL): tens of µs, so the room can broadcast now.
      const seq = nextSeq.get({ id });
      if (seq === undefined) throw new Error('could not number the append');
      insertUpdate.run(id, seq, Buffer.from(update.buffer, update.byteOffset, update.byteLength));
      checkpointer.committed();
      return seq;
    },
    async compact(id, snapshot, uptoSeq) {
      compactTx(id, snapshot, uptoSeq);
    },
    async setTimerDue(id, dueAt) {
      if (dueAt === null) deleteTimer.run(id);
      else upsertTimer.run(id, Math.round(dueAt));
    },
    async listTimersDue() {
      return allTimers.all().map((r) => ({ sessionId: r.session_id as SessionId, dueAt: r.due_at }));
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
      await checkpointer.close();
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}
