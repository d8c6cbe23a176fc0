/**
 * The SQLite store on its own: sequence numbers per session (also after compaction), one process
 * per data directory, the migration from the old global-seq table, the update log (replayed after a
 * SIGKILL even with a torn last frame, emptied on close, bounded while quiet sessions keep
 * entries) and a WAL that stays bounded under compactions.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { SessionId, ViewToken } from '../../lib/ids';
import { openSqliteStore } from '../../server/store/sqlite';
import type { Store } from '../../server/store/types';

const A = 'session-a' as SessionId;
const B = 'session-b' as SessionId;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mobflow-store-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Opens the store on `dir`, runs `fn` with it and closes it, also when `fn` throws. */
async function withStore(fn: (store: Store) => Promise<void>): Promise<void> {
  const store = openSqliteStore(dir);
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

function textUpdate(text: string, doc = new Y.Doc()): Uint8Array {
  const before = Y.encodeStateVector(doc);
  doc.getText('t').insert(doc.getText('t').length, text);
  return Y.encodeStateAsUpdate(doc, before);
}

function textOf(updates: Uint8Array[]): string {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc.getText('t').toString();
}

function runStoreChild(count: number, end: 'kill' | 'close') {
  const script = join(import.meta.dirname, '../helpers/storeChild.ts');
  return spawnSync(process.execPath, ['--import', 'tsx', script, dir, String(count), end], { encoding: 'utf8', timeout: 60_000 });
}

describe('sqlite store', () => {
  it('lets its page cache go when asked (idle), and reads and writes as before afterwards; closed, it ignores the call', async () => {
    const store = openSqliteStore(dir);
    const doc = new Y.Doc();
    await store.createSession({ id: A, viewToken: 'view-a' as ViewToken, createdAt: 1 });
    store.appendUpdate(A, textUpdate('before ', doc));
    await store.compact(A, Y.encodeStateAsUpdate(doc), 1);
    store.releaseMemory();
    expect(store.appendUpdate(A, textUpdate('after', doc))).toBe(2);
    expect(textOf((await store.loadDoc(A)).updates)).toBe('before after');
    expect((await store.findSession('view-a'))?.readOnly).toBe(true);
    await store.close();
    expect(() => store.releaseMemory()).not.toThrow();
  });

  it('numbers appends per session, returning the number synchronously', async () => {
    await withStore(async (store) => {
      const doc = new Y.Doc();
      expect(store.appendUpdate(A, textUpdate('a', doc))).toBe(1);
      expect(store.appendUpdate(A, textUpdate('b', doc))).toBe(2);
      expect(store.appendUpdate(B, textUpdate('x'))).toBe(1);
      const loaded = await store.loadDoc(A);
      expect(loaded).toMatchObject({ lastSeq: 2, pending: 2 });
      expect(textOf(loaded.updates)).toBe('ab');
    });
  });

  it('continues after the snapshot once compaction removed every update', async () => {
    await withStore(async (store) => {
      const doc = new Y.Doc();
      store.appendUpdate(A, textUpdate('a', doc));
      store.appendUpdate(A, textUpdate('b', doc));
      await store.compact(A, Y.encodeStateAsUpdate(doc), 2);
      expect(store.appendUpdate(A, textUpdate('c', doc))).toBe(3);
      const loaded = await store.loadDoc(A);
      expect(loaded).toMatchObject({ lastSeq: 3, pending: 1 });
      expect(textOf(loaded.updates)).toBe('abc');
    });
  });

  it('refuses a second store on the same data directory until the first one closes', async () => {
    const first = openSqliteStore(dir);
    expect(() => openSqliteStore(dir)).toThrow(/in use by another Mobflow server/);
    first.appendUpdate(A, textUpdate('a'));
    await first.close();
    await withStore(async (second) => {
      expect(second.appendUpdate(A, textUpdate('b'))).toBe(2);
    });
  });

  it('replays the log after a SIGKILL, ignoring a torn last frame, and numbers on from it', async () => {
    const count = 3000;
    const child = runStoreChild(count, 'kill');
    expect(child.signal).toBe('SIGKILL');
    const logDir = join(dir, 'log');
    const segments = readdirSync(logDir).sort();
    expect(segments.length).toBeGreaterThan(0);
    // Half a frame at the end: what a power cut in the middle of a write could leave.
    appendFileSync(join(logDir, segments.at(-1) as string), Buffer.from([200, 0, 0, 0, 1, 2, 3]));

    await withStore(async (store) => {
      expect(store.replayedSessions()).toEqual(['crash-session']);
      const loaded = await store.loadDoc('crash-session' as SessionId);
      expect(loaded.lastSeq).toBe(count);
      const expected = Array.from({ length: count }, (_, i) => `${i};`).join('');
      expect(textOf(loaded.updates)).toBe(expected);
      expect(store.appendUpdate('crash-session' as SessionId, textUpdate('z'))).toBe(count + 1);
    });
    expect(readdirSync(logDir)).toEqual([]);
  });

  it('closes in a process that nothing else keeps alive, leaving everything in SQLite', async () => {
    const child = runStoreChild(500, 'close');
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toBe('closed');
    expect(readdirSync(join(dir, 'log'))).toEqual([]);
    await withStore(async (store) => {
      expect((await store.loadDoc('crash-session' as SessionId)).lastSeq).toBe(500);
    });
  });

  it('moves updates from the old global-seq table without losing any', async () => {
    // The layout before doc_updates: one AUTOINCREMENT seq across sessions, plus an index.
    const old = new Database(join(dir, 'mobflow.sqlite'));
    old.pragma('journal_mode = WAL');
    old.exec(`
      CREATE TABLE sessions (id TEXT PRIMARY KEY, view_token TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);
      CREATE TABLE snapshots (session_id TEXT PRIMARY KEY, data BLOB NOT NULL, upto_seq INTEGER NOT NULL);
      CREATE TABLE updates (seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, data BLOB NOT NULL);
      CREATE INDEX updates_by_session ON updates (session_id, seq);
    `);
    const docA = new Y.Doc();
    const insert = old.prepare('INSERT INTO updates (session_id, data) VALUES (?, ?)');
    insert.run(A, Buffer.from(textUpdate('a', docA)));
    insert.run(B, Buffer.from(textUpdate('x')));
    insert.run(A, Buffer.from(textUpdate('b', docA)));
    old.prepare('INSERT INTO sessions VALUES (?, ?, ?)').run(A, 'view-a', 1);
    old.close();

    await withStore(async (store) => {
      expect(await store.findSession(A)).toMatchObject({ session: { id: A, viewToken: 'view-a' as ViewToken } });
      const loaded = await store.loadDoc(A);
      expect(textOf(loaded.updates)).toBe('ab');
      expect(loaded.lastSeq).toBe(3);
      expect(textOf((await store.loadDoc(B)).updates)).toBe('x');
      expect(store.appendUpdate(A, textUpdate('c', docA))).toBe(4);
    });
    const check = new Database(join(dir, 'mobflow.sqlite'), { readonly: true });
    const tables = check.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'updates'").all();
    check.close();
    expect(tables).toEqual([]);
  });
  it('never lets a compaction go back behind a snapshot that covers more', async () => {
    await withStore(async (store) => {
      const doc = new Y.Doc();
      store.appendUpdate(A, textUpdate('a', doc));
      const early = Y.encodeStateAsUpdate(doc);
      store.appendUpdate(A, textUpdate('b', doc));
      await store.compact(A, Y.encodeStateAsUpdate(doc), 2);
      await store.compact(A, early, 1);
      const loaded = await store.loadDoc(A);
      expect(loaded).toMatchObject({ lastSeq: 2, pending: 0 });
      expect(textOf(loaded.updates)).toBe('ab');
    });
  });

  it('keeps about three log segments while a quiet session holds entries, and loses none of them', async () => {
    const segmentBytes = 16 * 1024;
    const store = openSqliteStore(dir, { segmentBytes });
    const logDir = join(dir, 'log');
    const busy = new Y.Doc();
    const quiet = new Y.Doc();
    let mostSegments = 0;
    let seq = 0;
    for (let round = 0; round < 40; round++) {
      // The quiet session appends now and then and never compacts (a room that stays open, nearly idle).
      store.appendUpdate(B, textUpdate('q', quiet));
      for (let i = 0; i < 100; i++) seq = store.appendUpdate(A, textUpdate(`${round}:${i};`, busy)) as number;
      // The busy one compacts now and then, as a room does every few hundred updates.
      if (round % 5 === 4) await store.compact(A, Y.encodeStateAsUpdate(busy), seq);
      await new Promise((r) => setImmediate(r));
      mostSegments = Math.max(mostSegments, readdirSync(logDir).length);
    }
    // About 100 KB was logged, with the quiet session in every segment: kept whole, 7 segments or more.
    expect(mostSegments).toBeLessThanOrEqual(5);
    expect(textOf((await store.loadDoc(B)).updates)).toBe('q'.repeat(40));
    expect(textOf((await store.loadDoc(A)).updates)).toBe(busy.getText('t').toString());
    expect(store.appendUpdate(B, textUpdate('r', quiet))).toBe(41);
    await store.close();
    expect(readdirSync(logDir)).toEqual([]);
    await withStore(async (reopened) => {
      expect(textOf((await reopened.loadDoc(A)).updates)).toBe(busy.getText('t').toString());
      expect(textOf((await reopened.loadDoc(B)).updates)).toBe(`${'q'.repeat(40)}r`);
    });
  });

  it('checkpoints compactions in the background: the WAL stays bounded and is emptied on close', async () => {
    const store = openSqliteStore(dir);
    const wal = join(dir, 'mobflow.sqlite-wal');
    const doc = new Y.Doc();
    const line = 'x'.repeat(200);
    let largest = 0;
    let committedBytes = 0;
    let seq = 0;
    for (let round = 0; round < 80; round++) {
      for (let i = 0; i < 100; i++) seq = store.appendUpdate(A, textUpdate(`${line}${round}:${i};`, doc)) as number;
      const snapshot = Y.encodeStateAsUpdate(doc);
      committedBytes += snapshot.byteLength;
      await store.compact(A, snapshot, seq);
      await new Promise((r) => setTimeout(r, 20));
      largest = Math.max(largest, statSync(wal).size);
    }
    await store.close();
    // About 65 MB of snapshots were committed; checkpoints (every ~16 MB) restart the WAL long before it holds them all.
    expect(committedBytes).toBeGreaterThan(48 * 1024 * 1024);
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThan(committedBytes / 2);
    expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
    await withStore(async (reopened) => {
      expect(textOf((await reopened.loadDoc(A)).updates)).toBe(doc.getText('t').toString());
    });
  });
});
