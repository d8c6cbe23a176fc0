/**
 * The SQLite store on its own: sequence numbers per session (also after compaction and across
 * connections), the migration from the old global-seq table, and checkpoints that keep the WAL
 * bounded while nothing stalls the caller.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { SessionId, ViewToken } from '../../lib/ids';
import { CHECKPOINT_EVERY_COMMITS } from '../../server/store/checkpointer';
import { openSqliteStore } from '../../server/store/sqlite';

const A = 'session-a' as SessionId;
const B = 'session-b' as SessionId;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mobflow-store-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

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

describe('sqlite store', () => {
  it('numbers appends per session, returning the number synchronously', async () => {
    const store = openSqliteStore(dir);
    try {
      const doc = new Y.Doc();
      expect(store.appendUpdate(A, textUpdate('a', doc))).toBe(1);
      expect(store.appendUpdate(A, textUpdate('b', doc))).toBe(2);
      expect(store.appendUpdate(B, textUpdate('x'))).toBe(1);
      const loaded = await store.loadDoc(A);
      expect(loaded).toMatchObject({ lastSeq: 2, pending: 2 });
      expect(textOf(loaded.updates)).toBe('ab');
    } finally {
      await store.close();
    }
  });

  it('continues after the snapshot once compaction removed every update', async () => {
    const store = openSqliteStore(dir);
    try {
      const doc = new Y.Doc();
      store.appendUpdate(A, textUpdate('a', doc));
      store.appendUpdate(A, textUpdate('b', doc));
      await store.compact(A, Y.encodeStateAsUpdate(doc), 2);
      expect(store.appendUpdate(A, textUpdate('c', doc))).toBe(3);
      const loaded = await store.loadDoc(A);
      expect(loaded).toMatchObject({ lastSeq: 3, pending: 1 });
      expect(textOf(loaded.updates)).toBe('abc');
    } finally {
      await store.close();
    }
  });

  it('numbers correctly when a second connection appended to the same file', async () => {
    const first = openSqliteStore(dir);
    const second = openSqliteStore(dir);
    try {
      const doc = new Y.Doc();
      expect(first.appendUpdate(A, textUpdate('a', doc))).toBe(1);
      expect(second.appendUpdate(A, textUpdate('b', doc))).toBe(2);
      expect(first.appendUpdate(A, textUpdate('c', doc))).toBe(3);
      expect(textOf((await second.loadDoc(A)).updates)).toBe('abc');
    } finally {
      await first.close();
      await second.close();
    }
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

    const store = openSqliteStore(dir);
    try {
      expect(await store.findSession(A)).toMatchObject({ session: { id: A, viewToken: 'view-a' as ViewToken } });
      const loaded = await store.loadDoc(A);
      expect(textOf(loaded.updates)).toBe('ab');
      expect(loaded.lastSeq).toBe(3);
      expect(textOf((await store.loadDoc(B)).updates)).toBe('x');
      expect(store.appendUpdate(A, textUpdate('c', docA))).toBe(4);
    } finally {
      await store.close();
    }
    const check = new Database(join(dir, 'mobflow.sqlite'), { readonly: true });
    const tables = check.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'updates'").all();
    check.close();
    expect(tables).toEqual([]);
  });

  it('checkpoints in the background: the WAL stays bounded and is emptied on close', async () => {
    const store = openSqliteStore(dir);
    const wal = join(dir, 'mobflow.sqlite-wal');
    const doc = new Y.Doc();
    let largest = 0;
    // 6 rounds of 2 × CHECKPOINT_EVERY_COMMITS appends with a pause for the worker.
    const perRound = 2 * CHECKPOINT_EVERY_COMMITS;
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < perRound; i++) store.appendUpdate(A, textUpdate(`${round}:${i};`, doc));
      await new Promise((r) => setTimeout(r, 600));
      largest = Math.max(largest, statSync(wal).size);
    }
    const loaded = await store.loadDoc(A);
    expect(loaded.lastSeq).toBe(6 * perRound);
    await store.close();
    // Every commit writes at least one 4 KiB page: without checkpoints restarting the WAL it would
    // hold all 6 rounds; with them, about one round.
    const page = 4096;
    expect(largest).toBeLessThan(3 * perRound * page);
    expect(largest).toBeGreaterThan(0);
    expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
    const reopened = openSqliteStore(dir);
    try {
      expect(textOf((await reopened.loadDoc(A)).updates)).toBe(doc.getText('t').toString());
    } finally {
      await reopened.close();
    }
  });
});
