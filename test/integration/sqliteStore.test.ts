/**
 * The SQLite store on its own, beyond the Store contract: one process per data directory, replay
 * of the update log after a SIGKILL, recovery around bad bytes (quarantined, never deleted), the
 * migrations of older layouts (including sessions from before the two documents, junk and all),
 * a WAL that stays bounded, and a full disk (a real one: a small tmpfs) that resumes by itself.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readDecisions } from '../../lib/decisions';
import { readSessionName, readSettings } from '../../lib/doc/schema';
import type { SessionId } from '../../lib/ids';
import { listMembers } from '../../lib/members';
import { listTasks } from '../../lib/task';
import { encodeFrame, sessionIdBytes } from '../../server/store/logFormat';
import { openSqliteStore, type RecoveryReport } from '../../server/store/sqlite';
import type { Store } from '../../server/store/types';
import { contentOf, record, Writer } from '../contract/store.contract';
import { tempDir } from '../helpers/server';
import { validateShared } from '../helpers/validateShared';

let dir: string;
beforeEach(() => {
  dir = tempDir('mobflow-store-');
});

async function withStore(fn: (store: Store) => Promise<void>, onRecovery?: (r: RecoveryReport) => void): Promise<void> {
  const store = openSqliteStore(dir, { onRecovery });
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

function runStoreChild(count: number, end: 'kill' | 'close') {
  const script = join(import.meta.dirname, '../helpers/storeChild.ts');
  return spawnSync(process.execPath, ['--import', 'tsx', script, dir, String(count), end], { encoding: 'utf8', timeout: 60_000 });
}

const CRASH = 'crash-session' as SessionId;
const expectedText = (count: number) => Array.from({ length: count }, (_, i) => `${i};`).join('');

describe('sqlite store', () => {
  it('refuses a second store on the same data directory until the first one closes', async () => {
    const first = openSqliteStore(dir);
    expect(() => openSqliteStore(dir)).toThrow(/in use by another Mobflow server/);
    await first.close();
    await withStore(async () => undefined);
  });

  it('replays the log after a SIGKILL: every record, both documents, numbering on from it', async () => {
    const count = 3000;
    expect(runStoreChild(count, 'kill').signal).toBe('SIGKILL');
    let report: RecoveryReport | null = null;
    await withStore(
      async (store) => {
        expect(await store.recoveredSessions()).toEqual([CRASH]);
        const loaded = await store.loadSession(CRASH);
        expect(loaded.lastSeq).toBe(count);
        const c = contentOf(loaded.docs);
        expect(c.text).toBe(expectedText(count));
        const server = new Y.Doc();
        for (const u of loaded.docs.server) Y.applyUpdate(server, u);
        expect(server.getArray('marks').length).toBe(count / 10);
        expect(await store.append(CRASH, new Writer().next(false))).toBe(count + 1);
      },
      (r) => {
        report = r;
      },
    );
    expect(report).toMatchObject({ recovered: count, lost: 0, bad: [], quarantined: [] });
    expect(readdirSync(join(dir, 'log'))).toEqual([]);
  });

  it('keeps a segment with a flipped byte in quarantine and recovers every frame after it', async () => {
    const count = 400;
    expect(runStoreChild(count, 'kill').signal).toBe('SIGKILL');
    const logDir = join(dir, 'log');
    const segments = readdirSync(logDir).sort();
    const victim = join(logDir, segments[Math.floor(segments.length / 2)] as string);
    const bytes = readFileSync(victim);
    const at = Math.floor(bytes.length * 0.3);
    bytes[at] = (bytes[at] as number) ^ 0x10;
    writeFileSync(victim, bytes);
    let report: RecoveryReport | null = null;
    await withStore(
      async (store) => {
        // One record is lost; the ones after it in that segment and every later segment are stored.
        // (A Yjs update that follows a lost one of the same client cannot apply, so they are kept
        // in the snapshot as they are: the evidence is there for whoever repairs it.)
        const loaded = await store.loadSession(CRASH);
        const strings = loaded.docs.shared.flatMap((u) => Y.decodeUpdate(u).structs.map((s) => ((s as Y.Item).content as { str?: string })?.str ?? '')).join('');
        expect(strings).toContain(`${count - 1};`);
        expect(strings).toContain(`${Math.floor(count / 2) + 20};`);
      },
      (r) => {
        report = r;
      },
    );
    const r = report as unknown as RecoveryReport;
    expect(r.bad).toHaveLength(1);
    expect(r.bad[0]).toMatchObject({ file: victim });
    // Exactly the one record the flip landed in: a record is one frame under one checksum, also
    // when it changed both documents, so it is lost whole and leaves a gap the report counts.
    expect(r.lost).toBe(1);
    expect(r.recovered).toBe(count - r.lost);
    expect(r.quarantined).toHaveLength(1);
    // The evidence is kept, byte for byte.
    expect(readFileSync(r.quarantined[0] as string)).toEqual(bytes);
  });

  it('quarantines a torn last frame (a power cut mid-write) and keeps everything before it', async () => {
    expect(runStoreChild(300, 'kill').signal).toBe('SIGKILL');
    const logDir = join(dir, 'log');
    appendFileSync(join(logDir, readdirSync(logDir).sort().at(-1) as string), Buffer.from([200, 0, 0, 0, 1, 2, 3]));
    await withStore(async (store) => {
      expect(contentOf((await store.loadSession(CRASH)).docs).text).toBe(expectedText(300));
    });
    expect(readdirSync(join(logDir, 'quarantine'))).toHaveLength(1);
  });

  it('closes in a process that nothing else keeps alive, leaving everything in SQLite', async () => {
    const child = runStoreChild(500, 'close');
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toBe('closed');
    expect(readdirSync(join(dir, 'log'))).toEqual([]);
    await withStore(async (store) => {
      expect((await store.loadSession(CRASH)).lastSeq).toBe(500);
    });
  });

  it('checkpoints compactions in the background: the WAL stays bounded and is emptied on close', async () => {
    const store = openSqliteStore(dir);
    const wal = join(dir, 'mobflow.sqlite-wal');
    const r = record();
    await store.createSession(r);
    const w = new Writer();
    let largest = 0;
    let seq = 0;
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 100; i++) {
        const u = w.next();
        w.shared.getText('t').insert(0, 'x'.repeat(300)); // grow the snapshot, not the records
        seq = await store.append(r.id, u);
      }
      await store.compact(r.id, seq);
      largest = Math.max(largest, existsSync(wal) ? statSync(wal).size : 0);
    }
    await store.close();
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThan(80 * 1024 * 1024);
    expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
  });
});

describe('older data directories', () => {
  /** A data directory from before sessions had two documents: one snapshot, rows, and a legacy log frame. */
  function legacyDir(doc: Y.Doc, later: Uint8Array) {
    const db = new Database(join(dir, 'mobflow.sqlite'));
    db.exec(`
      CREATE TABLE sessions (id TEXT PRIMARY KEY, view_token TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);
      CREATE TABLE snapshots (session_id TEXT PRIMARY KEY, data BLOB NOT NULL, upto_seq INTEGER NOT NULL);
      CREATE TABLE doc_updates (session_id TEXT NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (session_id, seq)) WITHOUT ROWID;
    `);
    db.prepare('INSERT INTO sessions VALUES (?, ?, ?)').run(OLD, 'OldViewTokenxxxxxxxxxx', 1);
    db.prepare('INSERT INTO snapshots VALUES (?, ?, ?)').run(OLD, Buffer.from(Y.encodeStateAsUpdate(doc)), 3);
    db.close();
    mkdirSync(join(dir, 'log'), { recursive: true });
    writeFileSync(join(dir, 'log', '00000001.log'), encodeFrame(sessionIdBytes(OLD), 'legacy', 4, later));
  }
  const OLD = 'OldSessionIdxxxxxxxxxx' as SessionId;

  it('splits a session stored as one document into the two, keeping what is well formed and leaving junk behind', async () => {
    const doc = new Y.Doc();
    const m = new Y.Map<unknown>();
    m.set('name', 'Ada');
    m.set('rank', 1);
    doc.getMap('members').set('AdaAdaAdaAda', m);
    doc.getMap('members').set('junk', 1); // the value that bricked sessions
    doc.getMap('members').set('BBBBBBBBBBBB', new Y.Text('not a member'));
    doc.getMap('meta').set('name', 'Old mob');
    doc.getMap('meta').set('settings', { turnSeconds: 'soon' });
    doc.getMap('rotation').set('state', { turn: 3, driver: 'AdaAdaAdaAda', navigator: null, timer: { status: 'idle' } });
    doc.getArray('decisions').push([{ id: 'DecisionAAAA', seq: 1, at: 5, title: 'Use SQLite', rationale: 'embedded' }, 'junk', null]);
    const t = new Y.Map<unknown>();
    t.set('title', new Y.Text('Checkout'));
    t.set('doneAt', 50);
    t.set('summary', { turns: 2, spentMs: 40, drivers: ['AdaAdaAdaAda'] });
    doc.getMap('tasks').set('TaskTaskTask', t);
    doc.getMap('notes').set('x', 'anything');
    const before = Y.encodeStateVector(doc);
    doc.getArray('decisions').push([{ id: 'DecisionBBBB', seq: 2, at: 6, title: 'Later', rationale: 'from the log' }]);
    legacyDir(doc, Y.encodeStateAsUpdate(doc, before));
    await withStore(async (store) => {
      expect(await store.findSession(OLD)).toMatchObject({ kind: 'edit', session: { id: OLD, editToken: OLD } });
      const loaded = await store.loadSession(OLD);
      const docs = { shared: new Y.Doc(), server: new Y.Doc() };
      for (const u of loaded.docs.shared) Y.applyUpdate(docs.shared, u);
      for (const u of loaded.docs.server) Y.applyUpdate(docs.server, u);
      expect(listMembers(docs).map((x) => x.name)).toEqual(['Ada']);
      expect(readSessionName(docs)).toBe('Old mob');
      expect(readSettings(docs).turnSeconds).toBe(420);
      expect(readDecisions(docs).map((d) => d.title)).toEqual(['Use SQLite', 'Later']);
      expect(listTasks(docs).done).toMatchObject([{ title: 'Checkout', doneAt: 50, summary: { turns: 2 } }]);
      expect(validateShared(docs)).toEqual([]);
      expect([...docs.shared.share.keys()].sort()).toEqual(['members', 'tasks']);
      expect(await store.append(OLD, new Writer().next(false))).toBe(5);
    });
    // Migrated once: the legacy rows are gone and the session loads the same after a restart.
    await withStore(async (store) => {
      expect((await store.loadSession(OLD)).lastSeq).toBe(5);
    });
  });

  it('moves rows from the oldest global-seq table into the session it belongs to', async () => {
    const old = new Database(join(dir, 'mobflow.sqlite'));
    old.exec(`
      CREATE TABLE sessions (id TEXT PRIMARY KEY, view_token TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);
      CREATE TABLE updates (seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, data BLOB NOT NULL);
    `);
    const doc = new Y.Doc();
    const ins = old.prepare('INSERT INTO updates (session_id, data) VALUES (?, ?)');
    for (const name of ['Ada', 'Bob']) {
      const sv = Y.encodeStateVector(doc);
      const m = new Y.Map<unknown>();
      m.set('name', name);
      doc.getMap('members').set(`${name}${name}${name}${name}`.slice(0, 12), m);
      ins.run(OLD, Buffer.from(Y.encodeStateAsUpdate(doc, sv)));
    }
    old.prepare('INSERT INTO sessions VALUES (?, ?, ?)').run(OLD, 'OldViewTokenxxxxxxxxxx', 1);
    old.close();
    await withStore(async (store) => {
      const loaded = await store.loadSession(OLD);
      const docs = { shared: new Y.Doc(), server: new Y.Doc() };
      for (const u of loaded.docs.shared) Y.applyUpdate(docs.shared, u);
      expect(listMembers(docs).map((x) => x.name)).toEqual(['Ada', 'Bob']);
    });
  });
});

/** A real full disk: DATA_DIR on a 2 MB tmpfs (root can mount one here), else an injected ENOSPC. */
function smallDisk(): { dir: string; fill(): void; free(): void; release(): void } {
  const mount = tempDir('mobflow-tmpfs-');
  const filler = join(mount, 'filler');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mount], { stdio: 'ignore' });
  } catch {
    return { dir: mount, fill: () => undefined, free: () => undefined, release: () => undefined };
  }
  return {
    dir: mount,
    fill() {
      try {
        writeFileSync(filler, Buffer.alloc(4 * 1024 * 1024));
      } catch {
        // ENOSPC: the disk is full now, which is the point
      }
    },
    free: () => unlinkSync(filler),
    release: () => execFileSync('umount', ['-l', mount], { stdio: 'ignore' }),
  };
}

describe('a full disk', () => {
  let disk: ReturnType<typeof smallDisk>;
  afterEach(() => disk?.release());

  it('rejects the append that could not be written, says so in health, and resumes when space returns', async () => {
    disk = smallDisk();
    let failing = false;
    const injected = (fd: number, buf: Uint8Array, off: number) => {
      if (failing) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return writeSync(fd, buf, off);
    };
    const mounted = existsSync('/proc/mounts') && readFileSync('/proc/mounts', 'utf8').includes(disk.dir);
    const store = openSqliteStore(disk.dir, mounted ? {} : { write: injected });
    const r = record();
    await store.createSession(r);
    const w = new Writer();
    const ok: number[] = [];
    for (let i = 0; i < 5; i++) ok.push(await store.append(r.id, w.next()));
    if (mounted) disk.fill();
    else failing = true;
    // tmpfs hands out whole pages: a record bigger than a page needs space the disk no longer has.
    const big = () => {
      const d = new Y.Doc();
      d.getText('big').insert(0, 'x'.repeat(64 * 1024));
      return [{ doc: 'server' as const, update: Y.encodeStateAsUpdate(d) }];
    };
    let rejected = 0;
    for (let i = 0; i < 20; i++) {
      try {
        ok.push(await store.append(r.id, mounted ? big() : w.next()));
      } catch (err) {
        expect(String(err)).toMatch(/disk full|ENOSPC/);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(0);
    expect(await store.health()).toMatchObject({ ok: false, reason: expect.stringMatching(/disk full|cannot write/) });
    if (mounted) disk.free();
    else failing = false;
    expect(await store.health()).toEqual({ ok: true });
    const after = await store.append(r.id, new Writer().next(false));
    expect(after).toBe(ok.length + 1);
    // Every append that resolved is there, in order; nothing of a rejected one is.
    const loaded = await store.loadSession(r.id);
    expect(loaded.lastSeq).toBe(after);
    expect(contentOf(loaded.docs).pending).toBe(false);
    await store.close();
  });
});
