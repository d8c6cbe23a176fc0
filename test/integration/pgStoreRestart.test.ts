/**
 * The PostgreSQL store when PostgreSQL goes away: a private server (test/helpers/postgres.ts) is
 * stopped, started again and killed with SIGKILL under load. Calls against a dead server reject
 * instead of hanging, health() says why, the same store object works again once the server is
 * back, and every append that resolved before a kill -9 is there after it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { SessionId } from '../../lib/ids';
import { openPgStore } from '../../server/cluster/pgStore';
import type { ClusterStore } from '../../server/cluster/types';
import type { DocUpdate } from '../../server/store/types';
import { record } from '../contract/store.contract';
import { type PrivatePostgres, startPrivatePostgres } from '../helpers/postgres';

let pg: PrivatePostgres;
let store: ClusterStore;
const warnings: string[] = [];

beforeAll(async () => {
  pg = await startPrivatePostgres();
  store = await openPgStore(pg.url, {
    poolSize: 6,
    connectTimeoutMs: 2_000,
    statementTimeoutMs: 3_000,
    healthTimeoutMs: 2_000,
    logger: { warn: (msg, fields) => warnings.push(`${msg} ${JSON.stringify(fields)}`) },
  });
}, 120_000);
afterAll(async () => {
  await store?.close().catch(() => undefined);
  await pg?.dispose();
});

/** Entry n: one key of the shared document, from a client of its own (so entries do not depend on each other). */
function entry(n: number): DocUpdate[] {
  const doc = new Y.Doc();
  doc.clientID = n;
  doc.getMap('m').set(String(n), n);
  return [{ doc: 'shared', update: Y.encodeStateAsUpdate(doc) }];
}

function entriesOf(updates: readonly Uint8Array[]): number[] {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return [...doc.getMap('m').keys()].map(Number).sort((x, y) => x - y);
}

async function waitHealthy(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await store.health()).ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the store never became healthy again');
}

async function session(): Promise<SessionId> {
  const r = record();
  await store.createSession(r);
  return r.id;
}

describe('PostgreSQL store across a PostgreSQL restart', () => {
  it('rejects while PostgreSQL is down, says why, and works again (same object) once it is back', async () => {
    const id = await session();
    for (let n = 1; n <= 10; n++) await store.append(id, entry(n));
    expect(await store.health()).toEqual({ ok: true });

    await pg.stop();
    const during = await Promise.allSettled([store.append(id, entry(11)), store.append(id, entry(12)), store.loadSession(id), store.lastSeq(id), store.compact(id, 10)]);
    expect(during.map((d) => d.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
    expect(String((during[0] as PromiseRejectedResult).reason)).toMatch(/could not append: cannot reach PostgreSQL at .*connection refused/);
    expect(String((during[4] as PromiseRejectedResult).reason)).toMatch(/could not compact: cannot reach PostgreSQL at .*connection refused/);
    const health = await store.health();
    expect(health.ok).toBe(false);
    expect(health.reason).toMatch(/^PostgreSQL: cannot reach PostgreSQL at 127\.0\.0\.1:\d+: connection refused \(ECONNREFUSED\)/);

    await pg.start();
    await waitHealthy();
    expect(await store.append(id, entry(13))).toBe(11); // what was refused stored nothing
    const loaded = await store.loadSession(id);
    expect(loaded.lastSeq).toBe(11);
    expect(entriesOf(loaded.docs.shared)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13]);
    await store.compact(id, 11); // the compaction worker's own connections come back too
    expect(await store.loadSession(id)).toMatchObject({ lastSeq: 11, pending: 0 });
    // The pooled connections the shutdown closed were reported, not thrown at the process.
    expect(warnings.some((w) => w.includes('PostgreSQL connection lost'))).toBe(true);
  });

  it('rejects instead of hanging when PostgreSQL stops answering (SIGSTOP), and recovers when it answers again', async () => {
    const quick = await openPgStore(pg.url, { poolSize: 2, connectTimeoutMs: 1_000, statementTimeoutMs: 1_000, healthTimeoutMs: 1_000 });
    try {
      const r = record();
      await quick.createSession(r);
      expect(await quick.append(r.id, entry(1))).toBe(1);
      pg.pause();
      // A connection in the pool gets no answer (the client's query timeout), a new one no greeting (the connect timeout).
      const stuck = await Promise.allSettled([quick.append(r.id, entry(2)), quick.loadSession(r.id), quick.lastSeq(r.id)]);
      expect(stuck.map((c) => (c.status === 'rejected' ? /timeout/i.test(String(c.reason)) : c.status))).toEqual([true, true, true]);
      const health = await quick.health();
      expect(health.ok).toBe(false);
      expect(health.reason).toMatch(/^PostgreSQL: /);
      pg.resume();
      for (let i = 0; i < 100 && !(await quick.health()).ok; i++) await new Promise((res) => setTimeout(res, 100));
      // The append that timed out may still have committed once the server woke (its outcome was
      // unknown to the caller, who drops the room); whatever happened, numbering goes on without a gap.
      const before = await quick.lastSeq(r.id);
      expect([1, 2]).toContain(before);
      expect(await quick.append(r.id, entry(3))).toBe(before + 1);
      expect((await quick.readSince(r.id, 0)).map((x) => x.seq)).toEqual(Array.from({ length: before + 1 }, (_, i) => i + 1));
    } finally {
      pg.resume();
      await quick.close();
    }
  });

  it('keeps every acknowledged append across a kill -9 of the postmaster under a stream of appends', async () => {
    const ids = await Promise.all([session(), session(), session()]);
    /** Per session: entries in the order they were appended, and the ones acknowledged. */
    const issued = new Map<SessionId, number[]>(ids.map((id) => [id, []]));
    const acked = new Map<SessionId, Map<number, number>>(ids.map((id) => [id, new Map()]));
    let total = 0;
    let killed: Promise<void> | null = null;
    let next = 1;
    // Each session appends with 6 in flight until its first failure, as a room's log does.
    const stream = async (id: SessionId) => {
      let failed = false;
      const lane = async () => {
        for (let i = 0; !failed && i < 5_000; i++) {
          const n = next++;
          issued.get(id)?.push(n);
          try {
            acked.get(id)?.set(n, await store.append(id, entry(n)));
            total++;
            if (total === 300) killed = pg.kill9();
          } catch {
            failed = true;
          }
        }
      };
      await Promise.all(Array.from({ length: 6 }, lane));
    };
    await Promise.all(ids.map(stream));
    expect(killed).not.toBeNull();
    await killed;
    expect((await store.health()).ok).toBe(false);

    await pg.start();
    await waitHealthy();
    for (const id of ids) {
      const loaded = await store.loadSession(id);
      const present = entriesOf(loaded.docs.shared);
      const mine = acked.get(id) ?? new Map<number, number>();
      // Everything acknowledged is there, under the number it was acknowledged with.
      for (const n of mine.keys()) expect(present).toContain(n);
      const log = await store.readSince(id, 0);
      for (const r of log) {
        const [n] = entriesOf(r.updates.map((u) => u.update));
        if (mine.has(n as number)) expect(mine.get(n as number)).toBe(r.seq);
      }
      // And what is there is a run from the start of what was issued: nothing stored after a loss.
      const order = issued.get(id) ?? [];
      expect(present).toEqual(order.slice(0, present.length).sort((x, y) => x - y));
      expect(loaded.lastSeq).toBe(present.length);
      expect(await store.append(id, entry(100_000 + present.length))).toBe(present.length + 1);
    }
    expect(total).toBeGreaterThanOrEqual(300);
  });
});
