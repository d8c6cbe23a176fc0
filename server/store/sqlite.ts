/**
 * The default store: embedded SQLite (better-sqlite3) in WAL mode under DATA_DIR, plus the update
 * log (updateLog.ts) in DATA_DIR/log, where every record is made durable by one write().
 *
 * synchronous=NORMAL in WAL mode: a committed transaction survives a crash of the process
 * (kill -9) because it is in the WAL file in the OS page cache; only an OS crash or power loss
 * could lose the last commits. That is the durability line Mobflow promises, and the log keeps it.
 *
 * SQLite holds sessions, timers and one snapshot per document. compact() (called by the server's
 * DocLog) has the store worker (worker.ts) merge the log entries into the snapshots off the event
 * loop, then the log drops them. On open, the segments a crash left behind are read frame by frame
 * (a bad region costs its own bytes, not what follows), merged into the snapshots, and moved aside
 * to log/quarantine/ when anything in them could not be read, never deleted. One process owns a
 * data directory (dataDirLock.ts): sequence numbers live in memory.
 *
 * Sessions stored before they had two documents (a `snapshots` row, `doc_updates` rows or legacy
 * log frames) are split into the two documents the first time they load (lib/doc/migrate.ts).
 */
import { mkdirSync, statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as Y from 'yjs';
import type { LinkKind } from '../../lib/capability';
import { splitLegacyDoc } from '../../lib/doc/migrate';
import type { DocKind } from '../../lib/doc/schema';
import type { SessionId } from '../../lib/ids';
import { lockDataDir } from './dataDirLock';
import { type RecoveryReport, recoverSegments } from './recovery';
import { sqliteIntegrations } from './sqliteIntegrations';
import { legacyStatements } from './sqliteLegacy';
import { type FrameDoc, listSegments, } from './logFormat';
import type { DocUpdate, Lookup, SessionRecord, Store, StoredSession, StoreHealth } from './types';
import { SEGMENT_BYTES, UpdateLog, type WriteFn } from './updateLog';
import { DEFAULT_AUTOCHECKPOINT_PAGES, MAIN_AUTOCHECKPOINT_PAGES, SNAPSHOT_TABLE, startStoreWorker } from './worker';
import { SerialPerKey } from './serialPerKey';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  view_token TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ${SNAPSHOT_TABLE} (
  session_id TEXT NOT NULL,
  doc INTEGER NOT NULL,
  data BLOB NOT NULL,
  upto_seq INTEGER NOT NULL,
  PRIMARY KEY (session_id, doc)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS timers (
  session_id TEXT PRIMARY KEY,
  due_at INTEGER NOT NULL
);
`;

/** Columns added after the first release; every old row gets its values here. */
const MIGRATE_SESSIONS = [
  { column: 'edit_token', add: 'ALTER TABLE sessions ADD COLUMN edit_token TEXT', fill: 'UPDATE sessions SET edit_token = id WHERE edit_token IS NULL' },
  { column: 'member_key', add: 'ALTER TABLE sessions ADD COLUMN member_key BLOB', fill: 'UPDATE sessions SET member_key = randomblob(32) WHERE member_key IS NULL' },
  {
    column: 'mob_key',
    add: 'ALTER TABLE sessions ADD COLUMN mob_key TEXT',
    // 16 random bytes as 32 hex digits: as unguessable as a link token, and fits MOBSH_LIMITS.
    fill: 'UPDATE sessions SET mob_key = lower(hex(randomblob(16))) WHERE mob_key IS NULL',
  },
] as const;

/** Before sessions had two documents: one snapshot per session, and before that one row per update. */
const LEGACY_TABLES = ['snapshots', 'doc_updates', 'updates'] as const;

const DOC_CODE: Record<DocKind, number> = { shared: 1, server: 2 };

/** Below this much free space in DATA_DIR the store reports itself not ready. */
const MIN_FREE_BYTES = 1024 * 1024;
/** Bytes the WAL file is cut back to after it restarts, so a burst does not keep its disk. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;


export type { RecoveryReport } from './recovery';

export interface SqliteStoreOptions {
  /** Log segment size (tests use small ones). */
  segmentBytes?: number;
  /** Fault injection for tests where a full disk cannot be mounted. */
  write?: WriteFn;
  /** What start-up recovered from a crash's leftover segments (logged by the server). */
  onRecovery?: (report: RecoveryReport) => void;
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

const SESSION_COLUMNS = 'id, edit_token, view_token, created_at, member_key, mob_key';

type Row = { id: string; edit_token: string; view_token: string; created_at: number; member_key: Buffer; mob_key: string };

function openLocked(dataDir: string, options: SqliteStoreOptions, releaseLock: () => void): Store {
  const file = join(dataDir, 'mobflow.sqlite');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  db.exec(SCHEMA);
  const columns = new Set(db.prepare<[], { name: string }>('SELECT name FROM pragma_table_info(\'sessions\')').all().map((c) => c.name));
  db.transaction(() => {
    for (const m of MIGRATE_SESSIONS) {
      if (!columns.has(m.column)) db.exec(m.add);
      db.exec(m.fill);
    }
    db.exec('CREATE UNIQUE INDEX IF NOT EXISTS sessions_edit_token ON sessions(edit_token)');
    db.exec('CREATE UNIQUE INDEX IF NOT EXISTS sessions_mob_key ON sessions(mob_key)');
  })();
  const legacyTables = new Set(
    db
      .prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (${LEGACY_TABLES.map((t) => `'${t}'`).join(',')})`)
      .all()
      .map((r) => r.name),
  );
  if (legacyTables.has('updates')) {
    // The oldest layout had one global AUTOINCREMENT seq: its rows move to doc_updates unchanged.
    db.transaction(() => {
      db.exec('CREATE TABLE IF NOT EXISTS doc_updates (session_id TEXT NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (session_id, seq)) WITHOUT ROWID');
      db.exec('INSERT INTO doc_updates (session_id, seq, data) SELECT session_id, seq, data FROM updates; DROP TABLE updates;');
    })();
    legacyTables.add('doc_updates');
  }
  db.pragma(`wal_autocheckpoint = ${MAIN_AUTOCHECKPOINT_PAGES}`);
  const worker = startStoreWorker(file, () => db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`));

  const q = {
    insertSession: db.prepare('INSERT INTO sessions (id, edit_token, view_token, created_at, member_key, mob_key) VALUES (?, ?, ?, ?, ?, ?)'),
    byEdit: db.prepare<[string], Row>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE edit_token = ?`),
    byView: db.prepare<[string], Row>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE view_token = ?`),
    byMob: db.prepare<[string], Row>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE mob_key = ?`),
    byId: db.prepare<[string], Row>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?`),
    setEdit: db.prepare('UPDATE sessions SET edit_token = ? WHERE id = ?'),
    setView: db.prepare('UPDATE sessions SET view_token = ? WHERE id = ?'),
    setMob: db.prepare('UPDATE sessions SET mob_key = ? WHERE id = ?'),
    snapshots: db.prepare<[string], { doc: number; data: Buffer; upto_seq: number }>(`SELECT doc, data, upto_seq FROM ${SNAPSHOT_TABLE} WHERE session_id = ?`),
    upsertSnapshot: db.prepare(
      `INSERT INTO ${SNAPSHOT_TABLE} (session_id, doc, data, upto_seq) VALUES (?, ?, ?, ?) ON CONFLICT(session_id, doc) DO UPDATE SET data = excluded.data, upto_seq = excluded.upto_seq`,
    ),
    upsertTimer: db.prepare('INSERT INTO timers (session_id, due_at) VALUES (?, ?) ON CONFLICT(session_id) DO UPDATE SET due_at = excluded.due_at'),
    deleteTimer: db.prepare('DELETE FROM timers WHERE session_id = ?'),
    allTimers: db.prepare<[], { session_id: string; due_at: number }>('SELECT session_id, due_at FROM timers'),
  };
  const legacy = legacyStatements(db, legacyTables);

  const toRecord = (row: Row): SessionRecord => ({
    id: row.id as SessionId,
    editToken: row.edit_token,
    viewToken: row.view_token,
    createdAt: row.created_at,
    memberKey: new Uint8Array(row.member_key),
    mobKey: row.mob_key,
  });

  /** Where a session's numbering stands in SQLite: its snapshots, or its legacy rows. */
  const storedSeq = (id: string): number => Math.max(0, ...q.snapshots.all(id).map((r) => r.upto_seq), legacy.lastSeq(id));

  // Segments a crash left: merge each session's frames into its snapshots, then set them aside.
  const logDir = join(dataDir, 'log');
  mkdirSync(logDir, { recursive: true });
  const report = recoverSegments(logDir, (id, frames) => {
    const fresh = frames.filter((f) => f.seq > storedSeq(id));
    const byDoc = new Map<FrameDoc, Uint8Array[]>();
    for (const f of fresh) byDoc.set(f.doc, [...(byDoc.get(f.doc) ?? []), f.update]);
    const upto = fresh.at(-1)?.seq;
    if (upto === undefined) return 0;
    const stored = new Map(q.snapshots.all(id).map((r) => [r.doc, new Uint8Array(r.data)]));
    for (const [doc, updates] of byDoc) {
      if (doc === 'legacy') legacy.saveMerged(id, updates, upto);
      else {
        const code = DOC_CODE[doc];
        const snap = stored.get(code);
        q.upsertSnapshot.run(id, code, Buffer.from(Y.mergeUpdates([...(snap ? [snap] : []), ...updates])), upto);
      }
    }
    // A document the crash's records did not touch moves its sequence number along too.
    for (const code of stored.keys()) if (![...byDoc.keys()].some((d) => d !== 'legacy' && DOC_CODE[d] === code)) db.prepare(`UPDATE ${SNAPSHOT_TABLE} SET upto_seq = ? WHERE session_id = ? AND doc = ?`).run(upto, id, code);
    return fresh.length;
  }, db);
  if (report.segments > 0) options.onRecovery?.(report);

  const log = new UpdateLog(logDir, (listSegments(logDir).at(-1) ?? 0) + 1, options.segmentBytes ?? SEGMENT_BYTES, options.write);
  let closed = false;
  let writeError: string | null = null;
  /** One compaction per session at a time, in order. */
  const compacting = new SerialPerKey<string>();

  /** Reads a legacy session, splits it into two documents, and stores those in its place. */
  const migrate = (id: SessionId): StoredSession => {
    const legacyDoc = new Y.Doc();
    const entries = log.entries(id);
    const lastSeq = Math.max(legacy.lastSeq(id), entries.at(-1)?.seq ?? 0);
    for (const u of legacy.updates(id)) Y.applyUpdate(legacyDoc, u);
    for (const e of entries) if (e.doc === 'legacy') Y.applyUpdate(legacyDoc, e.update);
    const docs = splitLegacyDoc(legacyDoc);
    const snapshot = { shared: Y.encodeStateAsUpdate(docs.shared), server: Y.encodeStateAsUpdate(docs.server) };
    db.transaction(() => {
      for (const kind of ['shared', 'server'] as const) q.upsertSnapshot.run(id, DOC_CODE[kind], Buffer.from(snapshot[kind]), lastSeq);
      legacy.drop(id);
    })();
    log.covered(id, lastSeq);
    return { docs: { shared: [snapshot.shared], server: [snapshot.server] }, lastSeq, pending: 0 };
  };

  const store: Store = {
    async createSession(r) {
      q.insertSession.run(r.id, r.editToken, r.viewToken, r.createdAt, Buffer.from(r.memberKey), r.mobKey);
    },
    async findSession(token): Promise<Lookup | null> {
      const edit = q.byEdit.get(token);
      if (edit) return { session: toRecord(edit), kind: 'edit' };
      const view = q.byView.get(token);
      return view ? { session: toRecord(view), kind: 'view' } : null;
    },
    async getSession(id) {
      const row = q.byId.get(id);
      return row ? toRecord(row) : null;
    },
    async replaceToken(id, kind: LinkKind, token) {
      (kind === 'edit' ? q.setEdit : q.setView).run(token, id);
    },
    async findSessionByMobKey(key) {
      const row = q.byMob.get(key);
      return row ? toRecord(row) : null;
    },
    async replaceMobKey(id, key) {
      q.setMob.run(key, id);
    },
    ...sqliteIntegrations(db),
    async loadSession(id): Promise<StoredSession> {
      if (legacy.has(id) || log.entries(id).some((e) => e.doc === 'legacy')) return migrate(id);
      const docs: Record<DocKind, Uint8Array[]> = { shared: [], server: [] };
      let lastSeq = 0;
      for (const r of q.snapshots.all(id)) {
        const kind = r.doc === DOC_CODE.shared ? 'shared' : 'server';
        docs[kind].push(new Uint8Array(r.data));
        lastSeq = Math.max(lastSeq, r.upto_seq);
      }
      const logged = log.entries(id).filter((e) => e.seq > lastSeq);
      for (const e of logged) if (e.doc !== 'legacy') docs[e.doc].push(e.update);
      return { docs, lastSeq: logged.at(-1)?.seq ?? lastSeq, pending: new Set(logged.map((e) => e.seq)).size };
    },
    append(id, updates: readonly DocUpdate[]) {
      if (closed) return Promise.reject(new Error('store is closed'));
      try {
        const seq = (log.lastSeq(id) ?? storedSeq(id)) + 1;
        log.append(id, seq, updates);
        writeError = null;
        return Promise.resolve(seq);
      } catch (err) {
        writeError = describeWriteError(err);
        return Promise.reject(new Error(`could not write the update log: ${writeError}`));
      }
    },
    compact(id, uptoSeq) {
      const run = async () => {
        const entries = log.entries(id, uptoSeq);
        if (entries.length === 0) return;
        await worker.compact({ id, uptoSeq, entries });
        log.covered(id, uptoSeq);
      };
      return compacting.run(id, run);
    },
    async setTimerDue(id, dueAt) {
      if (dueAt === null) q.deleteTimer.run(id);
      else q.upsertTimer.run(id, Math.round(dueAt));
    },
    async listTimersDue() {
      return q.allTimers.all().map((r) => ({ sessionId: r.session_id as SessionId, dueAt: r.due_at }));
    },
    async recoveredSessions() {
      return [...report.sessions];
    },
    async health(): Promise<StoreHealth> {
      if (closed) return { ok: false, reason: 'store is closed' };
      try {
        db.prepare('SELECT 1').get();
      } catch (err) {
        return { ok: false, reason: `database: ${String(err)}` };
      }
      const free = freeBytes(dataDir);
      if (free !== null && free < MIN_FREE_BYTES) return { ok: false, reason: `disk full: ${free} bytes free in the data directory` };
      if (writeError) {
        // The last append failed: try a small write now, so readiness comes back by itself with the space.
        const probe = join(dataDir, '.write-probe');
        try {
          writeFileSync(probe, Buffer.alloc(4096));
          unlinkSync(probe);
          writeError = null;
        } catch (err) {
          return { ok: false, reason: `cannot write to the data directory: ${describeWriteError(err)}` };
        }
      }
      return { ok: true };
    },
    releaseMemory() {
      // Frees the page cache (up to 2 MB here): left in place, its pages sit among freed ones in the
      // allocator's heap and keep that from shrinking once the sessions are gone.
      if (!closed) db.pragma('shrink_memory');
    },
    async close() {
      if (closed) return;
      // Whatever is still in the log goes into its snapshots now; what cannot stays in the log,
      // which the next open replays.
      await compacting.settled();
      await Promise.allSettled(log.sessions().map((id) => store.compact(id, log.lastSeq(id) ?? 0)));
      closed = true;
      log.close();
      await worker.close();
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      releaseLock();
    },
  };
  return store;
}

function describeWriteError(err: unknown): string {
  const code = (err as { code?: string }).code;
  return code === 'ENOSPC' ? 'disk full (ENOSPC)' : code ? `${code}: ${String((err as Error).message ?? err)}` : String(err);
}

function freeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/** A fresh key for a new session's member tokens. */
export const newMemberKey = (): Uint8Array => new Uint8Array(randomBytes(32));
