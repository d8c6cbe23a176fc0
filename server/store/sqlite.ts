/**
 * The default store: embedded SQLite (better-sqlite3) in WAL mode under DATA_DIR.
 *
 * synchronous=NORMAL in WAL mode: a committed transaction survives a crash of the process
 * (kill -9) because it is in the WAL file in the OS page cache; only an OS crash or power loss
 * could lose the last commits. That is the durability line Mobflow promises.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { SessionId } from '../../lib/ids';
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
CREATE TABLE IF NOT EXISTS updates (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id TEXT NOT NULL,
  data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS updates_by_session ON updates (session_id, seq);
CREATE TABLE IF NOT EXISTS timers (
  session_id TEXT PRIMARY KEY,
  due_at INTEGER NOT NULL
);
`;

export function openSqliteStore(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, 'mobflow.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);

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
    'SELECT seq, data FROM updates WHERE session_id = ? AND seq > ? ORDER BY seq',
  );
  const insertUpdate = db.prepare('INSERT INTO updates (session_id, data) VALUES (?, ?)');
  const upsertSnapshot = db.prepare(
    'INSERT INTO snapshots (session_id, data, upto_seq) VALUES (?, ?, ?) ON CONFLICT(session_id) DO UPDATE SET data = excluded.data, upto_seq = excluded.upto_seq',
  );
  const deleteUpTo = db.prepare('DELETE FROM updates WHERE session_id = ? AND seq <= ?');
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

  // Appends are group-committed: every append requested during one turn of the event loop goes
  // into a single transaction (one WAL commit instead of one per update). Each caller's promise
  // resolves only after that commit, so nothing is acknowledged before it is stored.
  type PendingAppend = { id: string; data: Buffer; resolve(seq: number): void; reject(err: unknown): void };
  let queue: PendingAppend[] = [];
  let scheduled = false;
  const insertAll = db.transaction((rows: PendingAppend[]) => rows.map((r) => Number(insertUpdate.run(r.id, r.data).lastInsertRowid)));
  const flushAppends = () => {
    scheduled = false;
    const rows = queue;
    queue = [];
    if (rows.length === 0) return;
    let seqs: number[];
    try {
      seqs = insertAll(rows);
    } catch (err) {
      for (const r of rows) r.reject(err);
      return;
    }
    for (const [i, r] of rows.entries()) r.resolve(seqs[i] as number);
  };

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
      if (closed) return Promise.reject(new Error('store is closed'));
      return new Promise<number>((resolve, reject) => {
        queue.push({ id, data: Buffer.from(update.buffer, update.byteOffset, update.byteLength), resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flushAppends);
        }
      });
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
      flushAppends();
      closed = true;
      db.close();
    },
  };
}
