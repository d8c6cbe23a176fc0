/**
 * The PostgreSQL cluster store as a cluster uses it: two store objects (two pools, as two
 * instances) on one database, against the machine's PostgreSQL. Numbering in commit order, reads
 * without gaps, loads consistent under compaction, catch-up across a compaction, leases and fences
 * on database time, orphaned timers, parallel migrations and readable start-up errors.
 */
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { SessionId } from '../../lib/ids';
import { openPgStore, migrate, StartupError } from '../../server/cluster/pgStore';
import type { ClusterStore, LoggedRecord } from '../../server/cluster/types';
import { type DocUpdate, LeaseLost } from '../../server/store/types';
import { record } from '../contract/store.contract';
import { testDatabases, withDatabase } from '../helpers/postgres';
import { freePort } from '../helpers/port';

const databases = testDatabases();
let url = '';
let a: ClusterStore;
let b: ClusterStore;
let sql: Client;

beforeAll(async () => {
  url = await databases.create();
  [a, b] = await Promise.all([openPgStore(url, { poolSize: 4 }), openPgStore(url, { poolSize: 4 })]);
  sql = new Client({ connectionString: url });
  await sql.connect();
});
afterAll(async () => {
  await Promise.allSettled([a?.close(), b?.close(), sql?.end()]);
  await databases.dropAll();
});

/** A record that sets one key of the shared document, from a client of its own (no causal link to any other). */
function entry(n: number): DocUpdate[] {
  const doc = new Y.Doc();
  doc.clientID = n;
  doc.getMap('m').set(String(n), n);
  return [{ doc: 'shared', update: Y.encodeStateAsUpdate(doc) }];
}

/** The entries an update holds, read from its state vector (entry n is written by client n): no document needed. */
function entriesIn(update: Uint8Array): number[] {
  return [...Y.decodeStateVector(Y.encodeStateVectorFromUpdate(update)).keys()].sort((x, y) => x - y);
}

function keysOf(updates: readonly Uint8Array[]): number[] {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return [...doc.getMap('m').keys()].map(Number).sort((x, y) => x - y);
}

async function session(store: ClusterStore = a): Promise<SessionId> {
  const r = record();
  await store.createSession(r);
  return r.id;
}

/** Appends entries `from`..`from + count - 1` through `store`, `window` at a time; answers entry -> seq. */
async function appendMany(store: ClusterStore, id: SessionId, from: number, count: number, window = 8): Promise<Map<number, number>> {
  const seqs = new Map<number, number>();
  let next = from;
  const lane = async () => {
    while (next < from + count) {
      const n = next++;
      seqs.set(n, await store.append(id, entry(n)));
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
  return seqs;
}

/** Whether the session's lease has run out, on the database's clock. */
async function expired(id: SessionId): Promise<boolean> {
  const { rows } = await sql.query<{ expired: boolean }>('SELECT lease_expires <= now() AS expired FROM sessions WHERE id = $1', [id]);
  return rows[0]?.expired ?? false;
}

/** Polls `check` until true (bounded); the lease tests wait for database time to pass this way. */
async function until(check: () => Promise<boolean>, what: string, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never happened: ${what}`);
}

describe('PostgreSQL cluster store: the log', () => {
  it('numbers appends of two instances to one session uniquely and consecutively, in each caller order', async () => {
    const id = await session();
    const [fromA, fromB] = await Promise.all([appendMany(a, id, 1, 150), appendMany(b, id, 1_001, 150)]);
    const all = [...fromA.values(), ...fromB.values()].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    // One process's appends are numbered in the order it made them.
    for (const seqs of [fromA, fromB]) {
      const inCallOrder = [...seqs.entries()].sort(([x], [y]) => x - y).map(([, seq]) => seq);
      expect(inCallOrder).toEqual([...inCallOrder].sort((x, y) => x - y));
    }
    const bySeq = new Map([...fromA, ...fromB].map(([n, seq]) => [seq, n]));
    for (const reader of [a, b]) {
      const log = await reader.readSince(id, 0);
      expect(log.map((r) => r.seq)).toEqual(all);
      for (const r of log) expect(keysOf(r.updates.map((u) => u.update))).toEqual([bySeq.get(r.seq)]);
    }
    expect(await a.lastSeq(id)).toBe(300);
    expect(await b.lastSeq(id)).toBe(300);
  });

  it('never shows a reader a gap that a lower number fills later, while two instances append', async () => {
    const id = await session();
    let writing = true;
    const writers = Promise.all([appendMany(a, id, 1, 200, 4), appendMany(b, id, 1_001, 200, 4), appendMany(a, id, 2_001, 100, 1)]).finally(() => {
      writing = false;
    });
    let cursor = 0;
    let reads = 0;
    const seen: number[] = [];
    while ((writing || cursor < 500) && reads < 20_000) {
      const got = await (reads % 2 === 0 ? a : b).readSince(id, cursor);
      reads++;
      // What a read answers is exactly the run after the cursor: nothing missing that shows up later.
      expect(got.map((r) => r.seq)).toEqual(got.map((_, i) => cursor + i + 1));
      for (const r of got) seen.push(...keysOf(r.updates.map((u) => u.update)));
      cursor = got.at(-1)?.seq ?? cursor;
    }
    await writers;
    expect(cursor).toBe(500);
    expect(seen.sort((x, y) => x - y)).toEqual(keysOf((await a.loadSession(id)).docs.shared));
    expect(reads).toBeGreaterThan(1);
  });

  it('rejects an append to a session that does not exist, readably, and stores nothing', async () => {
    const id = record().id;
    await expect(a.append(id, entry(1))).rejects.toThrow(/session does not exist/);
    await expect(a.append(id, entry(2), { epoch: 1 })).rejects.toThrow(/session does not exist/);
    expect(await a.lastSeq(id)).toBe(0);
    expect(await a.readSince(id, 0)).toEqual([]);
  });

  it('1,000 loads during appends and forced compactions from both instances: none misses or doubles an entry', async () => {
    const id = await session();
    const written = new Map<number, number>();
    const appends: Promise<unknown>[] = [];
    const compactions: Promise<unknown>[] = [];
    const loads: { shared: Uint8Array[]; lastSeq: number; pending: number }[] = [];
    for (let i = 0; i < 1_000; i++) {
      const [here, there] = i % 2 === 0 ? [a, b] : [b, a];
      // One append per load from alternating instances, not awaited: they go on under the loads.
      appends.push(here.append(id, entry(i + 1)).then((seq) => written.set(i + 1, seq)));
      if (i % 10 === 0) compactions.push(there.compact(id, await there.lastSeq(id)));
      const loaded = await here.loadSession(id);
      loads.push({ shared: loaded.docs.shared, lastSeq: loaded.lastSeq, pending: loaded.pending });
    }
    await Promise.all([...appends, ...compactions]);
    expect(written.size).toBe(1_000);
    for (const l of loads) {
      // Either the records alone, or one snapshot and the records after it: nothing else.
      expect(l.shared.length - l.pending).toBeGreaterThanOrEqual(0);
      expect(l.shared.length - l.pending).toBeLessThanOrEqual(1);
      const snapshot = l.shared.length === l.pending + 1 ? l.shared[0] : undefined;
      const records = snapshot ? l.shared.slice(1) : l.shared;
      const fromRecords = records.map(entriesIn);
      const fromSnapshot = snapshot ? entriesIn(snapshot) : [];
      // Each record is one entry, numbered in the run up to lastSeq right after the snapshot.
      expect(fromRecords.map((k) => k.length)).toEqual(records.map(() => 1));
      expect(fromRecords.map((k) => written.get(k[0] as number))).toEqual(records.map((_, i) => l.lastSeq - l.pending + i + 1));
      // No entry twice (a record also in the snapshot), and exactly the entries numbered up to lastSeq.
      const all = [...fromSnapshot, ...fromRecords.flat()].sort((x, y) => x - y);
      const expected = [...written].filter(([, seq]) => seq <= l.lastSeq).map(([k]) => k);
      expect(all).toEqual(expected.sort((x, y) => x - y));
    }
    expect(loads.filter((l) => l.shared.length === l.pending + 1).length).toBeGreaterThan(100); // compactions did land
    expect(new Set(loads.map((l) => l.lastSeq)).size).toBeGreaterThan(100); // and appends went on throughout
  });

  it('catches a peer up across a compaction: the snapshot first, then the records after it', async () => {
    const id = await session();
    await appendMany(a, id, 1, 20, 1);
    const peer = new Y.Doc();
    const apply = (log: LoggedRecord[]) => {
      for (const r of log) for (const u of r.updates) Y.applyUpdate(peer, u.update);
    };
    apply(await b.readSince(id, 0));
    await appendMany(a, id, 21, 10, 1);
    await a.compact(id, 25);
    const log = await b.readSince(id, 10);
    expect(log.map((r) => r.seq)).toEqual([25, 26, 27, 28, 29, 30]);
    expect(log[0]?.updates.map((u) => u.doc)).toEqual(['shared']);
    apply(log);
    expect([...peer.getMap('m').keys()].map(Number).sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    // A reader past the snapshot gets no snapshot bytes, just the records after it.
    expect((await b.readSince(id, 27)).map((r) => r.seq)).toEqual([28, 29, 30]);
    expect(await b.readSince(id, 30)).toEqual([]);
  });

  it('compacts safely from two instances at once, and never past what is committed', async () => {
    const id = await session();
    // More records than one merge takes (64): the worker merges them in groups, then the groups.
    await appendMany(a, id, 1, 300);
    await Promise.all([a.compact(id, 300), b.compact(id, 300), b.compact(id, 200), a.compact(id, 10_000)]);
    const { rows } = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM records WHERE session_id = $1', [id]);
    expect(rows[0]?.n).toBe(0);
    // A compaction asked to go past the end covered only what was there: the next record is kept.
    expect(await b.append(id, entry(301))).toBe(301);
    const loaded = await a.loadSession(id);
    expect(loaded).toMatchObject({ lastSeq: 301, pending: 1 });
    expect(keysOf(loaded.docs.shared)).toEqual(Array.from({ length: 301 }, (_, i) => i + 1));
  });
});

describe('PostgreSQL cluster store: leases, fences, timers', () => {
  const TTL = 300;

  it('A holds, B waits, A renews and writes; once it runs out B takes it with epoch + 1 and A is fenced off', async () => {
    const id = await session();
    const held = await a.acquireLease(id, 'A', TTL);
    expect(held).toMatchObject({ sessionId: id, owner: 'A' });
    const epoch = held?.epoch as number;
    expect(await b.acquireLease(id, 'B', TTL)).toBeNull();
    expect(await a.acquireLease(id, 'A', TTL)).toMatchObject({ owner: 'A', epoch });
    expect(await a.renewLeases('A', [{ sessionId: id, epoch }], TTL)).toEqual([expect.objectContaining({ sessionId: id, owner: 'A', epoch })]);
    expect(await a.append(id, entry(1), { epoch })).toBe(1);
    expect(await a.append(id, entry(2))).toBe(2); // unfenced (a client's update) is not refused

    await until(() => expired(id), "A's lease runs out");
    const taken = await b.acquireLease(id, 'B', 60_000);
    expect(taken).toMatchObject({ owner: 'B', epoch: epoch + 1 });
    expect(await b.currentLease(id)).toMatchObject({ owner: 'B', epoch: epoch + 1 });

    // A's next fenced appends, pipelined, all fail and store nothing.
    const stale = [a.append(id, entry(3), { epoch }), a.append(id, entry(4), { epoch }), a.append(id, entry(5))];
    for (const p of stale) await expect(p).rejects.toBeInstanceOf(LeaseLost);
    expect(await a.lastSeq(id)).toBe(2);
    expect(keysOf((await b.loadSession(id)).docs.shared)).toEqual([1, 2]);
    expect(await a.renewLeases('A', [{ sessionId: id, epoch }], TTL)).toEqual([]);
    expect(await b.append(id, entry(6), { epoch: epoch + 1 })).toBe(3);
  });

  it('a released lease is free at once, with the next epoch', async () => {
    const id = await session();
    const held = await a.acquireLease(id, 'A', 60_000);
    const epoch = held?.epoch as number;
    expect(await b.acquireLease(id, 'B', 60_000)).toBeNull();
    await a.releaseLease(id, 'B', epoch); // not B's: changes nothing
    await a.releaseLease(id, 'A', epoch - 1); // not this epoch: changes nothing
    expect(await b.acquireLease(id, 'B', 60_000)).toBeNull();
    await a.releaseLease(id, 'A', epoch);
    expect(await b.acquireLease(id, 'B', 60_000)).toMatchObject({ owner: 'B', epoch: epoch + 1 });
    await expect(a.append(id, entry(1), { epoch })).rejects.toBeInstanceOf(LeaseLost);
    expect(await a.currentLease(await session())).toBeNull();
  });

  it('two instances acquiring at once: one lease, one null', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => session()));
    for (const id of ids) {
      const [la, lb] = await Promise.all([a.acquireLease(id, 'A', 60_000), b.acquireLease(id, 'B', 60_000)]);
      expect([la, lb].filter((l) => l !== null)).toHaveLength(1);
      expect((la ?? lb)?.epoch).toBe(1);
    }
    await expect(a.acquireLease(record().id, 'A', 1_000)).rejects.toThrow(/does not exist/);
  });

  it('renewLeases answers only the leases still held: same owner, same epoch, not run out', async () => {
    const [mine, wrongEpoch, theirs, runOut] = await Promise.all([session(), session(), session(), session()]);
    const m = await a.acquireLease(mine, 'A', 60_000);
    const w = await a.acquireLease(wrongEpoch, 'A', 60_000);
    const t = await b.acquireLease(theirs, 'B', 60_000);
    const r = await a.acquireLease(runOut, 'A', TTL);
    await until(() => expired(runOut), 'a short lease runs out');
    const renewed = await a.renewLeases(
      'A',
      [
        { sessionId: mine, epoch: m?.epoch as number },
        { sessionId: wrongEpoch, epoch: (w?.epoch as number) + 1 },
        { sessionId: theirs, epoch: t?.epoch as number },
        { sessionId: runOut, epoch: r?.epoch as number },
      ],
      60_000,
    );
    expect(renewed.map((l) => l.sessionId)).toEqual([mine]);
    expect(renewed[0]?.expiresAt).toBeGreaterThanOrEqual(m?.expiresAt as number);
    expect(await a.renewLeases('A', [], 1_000)).toEqual([]);
    expect(await b.currentLease(theirs)).toMatchObject({ owner: 'B', epoch: t?.epoch });
  });

  it('orphanedTimers lists the due timers of sessions whose lease is free or run out, only', async () => {
    const [free, live, runOut, released, later] = await Promise.all([session(), session(), session(), session(), session()]);
    await a.acquireLease(live, 'A', 60_000);
    await a.acquireLease(runOut, 'A', TTL);
    const rel = await b.acquireLease(released, 'B', 60_000);
    await b.releaseLease(released, 'B', rel?.epoch as number);
    const base = 5_000_000_000_000; // far in any clock's future: no other test's timer is due before it
    for (const [id, due] of [
      [free, base + 1],
      [live, base + 2],
      [runOut, base + 3],
      [released, base + 4],
      [later, base + 9_000],
    ] as const)
      await a.setTimerDue(id, due);
    await a.setTimerDue(record().id, base + 5); // a timer without a session: nothing to lease or load
    await until(() => expired(runOut), 'a short lease runs out');
    const orphaned = (await b.orphanedTimers(base + 1_000)).filter((t) => t.dueAt > base);
    expect(orphaned).toEqual([
      { sessionId: free, dueAt: base + 1 },
      { sessionId: runOut, dueAt: base + 3 },
      { sessionId: released, dueAt: base + 4 },
    ]);
    expect((await b.orphanedTimers(base)).filter((t) => t.dueAt > base)).toEqual([]);
  });
});

describe('PostgreSQL cluster store: start-up', () => {
  it('applies the migrations once when several instances start at once', async () => {
    const fresh = await databases.create();
    const results = await Promise.all([migrate(fresh), migrate(fresh), migrate(fresh), openPgStore(fresh, { poolSize: 1 })]);
    const store = results[3];
    const applied = results.slice(0, 3).map((r) => (r as { version: number }[]).map((m) => m.version));
    expect(applied.flat().length).toBeLessThanOrEqual(1);
    expect(await migrate(fresh)).toEqual([]);
    const check = new Client({ connectionString: fresh });
    await check.connect();
    const { rows } = await check.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    await check.end();
    expect(rows.map((r) => r.version)).toEqual([1]);
    const id = await session(store);
    expect(await store.append(id, entry(1))).toBe(1);
    await store.close();
  });

  it('refuses a closed port, a malformed URL and a missing database with a message a person can act on', async () => {
    const port = await freePort();
    const closed = openPgStore(`postgres://mobflow:s3cret-pass@127.0.0.1:${port}/mobflow`, { connectTimeoutMs: 2_000 });
    await expect(closed).rejects.toBeInstanceOf(StartupError);
    await expect(closed).rejects.toThrow(`cannot reach PostgreSQL at 127.0.0.1:${port}: connection refused (ECONNREFUSED). Is DATABASE_URL right and the server running?`);
    await expect(closed).rejects.not.toThrow(/s3cret/);
    await expect(migrate(`postgres://127.0.0.1:${port}/x`)).rejects.toThrow(/connection refused \(ECONNREFUSED\)/);

    const malformed = openPgStore('postgres://user:s3cret@[oops/db');
    await expect(malformed).rejects.toThrow(/^DATABASE_URL is not a valid URL \(expected postgres:\/\/user:password@host:5432\/database\)$/);
    await expect(openPgStore('mysql://root@127.0.0.1/db')).rejects.toThrow(/must start with postgres:\/\//);

    const missing = withDatabase(url, 'mobflow_no_such_db');
    await expect(openPgStore(missing)).rejects.toThrow(/has no database "mobflow_no_such_db": create it/);
  });
});

