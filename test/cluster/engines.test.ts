/**
 * Cluster faults in the engines and in deploys: Redis killed and restarted under load (5 cycles),
 * PostgreSQL killed and restarted under load, and a rolling restart of all three instances, one
 * at a time. Nothing acknowledged or relayed is lost, no turn rotates twice, and service resumes
 * by itself.
 */
import { io } from 'socket.io-client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SOCKET_PATH } from '../../lib/protocol/events';
import { openPgStore } from '../../server/cluster/pgStore';
import type { ClusterStore } from '../../server/cluster/types';
import { startCluster, type TestCluster } from '../helpers/cluster';
import { Fleet } from '../helpers/fleet';
import { startPrivatePostgres, testDatabases } from '../helpers/postgres';
import { type PrivateRedis, startRedis } from '../helpers/redis';
import { api, createSession } from '../helpers/server';
import { storedRotation, turnProblems } from '../helpers/turns';
import { waitFor } from '../helpers/yclient';

const SESSIONS = Number(process.env.CLUSTER_SESSIONS ?? 100) / 2;
const databases = testDatabases();
/** What the running test started, stopped when it ends (each test has the machine to itself). */
let stops: (() => Promise<unknown>)[] = [];
async function stopAll(): Promise<void> {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  stops = [];
}
afterEach(stopAll);
afterAll(async () => {
  await stopAll();
  await databases.dropAll();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Rig {
  cluster: TestCluster;
  store: ClusterStore;
  fleet: Fleet;
  turning: string[];
}

/** A cluster under load: SESSIONS x 8 writing clients and 10 sessions on 1 s auto-starting turns. */
async function rig(redisUrl: string, databaseUrl: string, follow: boolean): Promise<Rig> {
  const cluster = await startCluster(3, { redisUrl, databaseUrl });
  stops.push(() => cluster.stop());
  const store = await openPgStore(databaseUrl);
  stops.push(() => store.close());
  const sessions = await Promise.all(Array.from({ length: SESSIONS }, (_, i) => createSession(cluster.urls[i % 3] as string).then((s) => s.id)));
  const fleet = new Fleet({ wsUrls: cluster.wsUrls, sessions, perSession: 8, tickMs: 1_000, maxWritesPerClient: 120, follow });
  stops.push(async () => fleet.destroy());
  const turning: string[] = [];
  for (let i = 0; i < 10; i++) {
    const base = cluster.urls[i % 3] as string;
    const s = await createSession(base, { turnSeconds: 1 });
    for (const name of ['Ada', 'Grace', 'Linus']) await api(base, `/api/sessions/${s.id}/members`, { body: { name } });
    const sock = io(base, { path: SOCKET_PATH, auth: { room: s.id }, transports: ['websocket'], reconnection: false });
    await sock.timeout(10_000).emitWithAck('timer:settings', { autoStart: true });
    sock.close();
    await api(base, `/api/sessions/${s.id}/timer`, { body: { action: 'start' } });
    turning.push(s.id);
  }
  await waitFor(() => fleet.allSynced(), 'fleet synced', 60_000);
  fleet.start();
  return { cluster, store, fleet, turning };
}

/** The end of every fault test: load stopped, everyone converged, nothing lost, turns exactly once. */
async function settle(r: Rig, what: string): Promise<void> {
  r.fleet.stop();
  await waitFor(() => r.fleet.allSynced(), `${what}: every client back`, 60_000).catch((err) => {
    const stuck = r.fleet.seats.filter((s) => !s.client.provider.synced);
    throw new Error(`${(err as Error).message}: ${stuck.length} clients not synced, their last close codes ${JSON.stringify(stuck.slice(0, 5).map((s) => s.client.closes.slice(-3)))}`);
  });
  await waitFor(() => r.fleet.check().missing.length === 0 && r.fleet.check().diverged.length === 0, `${what}: converged`, 30_000).catch(() => undefined);
  const { missing, diverged } = r.fleet.check();
  expect(missing, `${what}: acknowledged or relayed writes lost`).toEqual([]);
  expect(diverged, `${what}: sessions whose clients differ`).toEqual([]);
  expect(r.fleet.permanentCloses(), `${what}: a client was told not to reconnect`).toEqual([]);
  for (const id of r.turning) await api(r.cluster.urls[0] as string, `/api/sessions/${id}/timer`, { body: { action: 'reset' } });
  for (const id of r.turning) {
    const { rotation, turns } = await storedRotation(r.store, id);
    expect(turnProblems(rotation, turns), `${what}: session ${id}`).toEqual([]);
    expect(turns.length).toBeGreaterThan(3);
  }
  for (const url of r.cluster.urls) expect((await api(url, '/readyz')).status, `${what}: ${url} ready again`).toBe(200);
}

describe('cluster: engine faults and deploys', () => {
  it('loses nothing and rotates once across 5 kill -9 / restart cycles of Redis under load', async () => {
    const redis: PrivateRedis = await startRedis();
    stops.push(() => redis.stop());
    const r = await rig(redis.url, await databases.create(), false);
    for (let cycle = 0; cycle < 5; cycle++) {
      await sleep(2_000);
      await redis.kill9();
      await sleep(2_000); // edits go on: each instance stores them, peers read them back from PostgreSQL
      const notReady = await api<{ reason?: string }>(r.cluster.urls[0] as string, '/readyz');
      expect(notReady.status).toBe(503);
      expect(notReady.body.reason).toMatch(/Redis/);
      await redis.start();
    }
    await sleep(2_000);
    await settle(r, 'Redis restarts');
  }, 600_000);

  it('loses nothing and rotates once when PostgreSQL is killed and restarted under load', async () => {
    const redis = await startRedis();
    stops.push(() => redis.stop());
    const pg = await startPrivatePostgres();
    stops.push(() => pg.dispose());
    const r = await rig(redis.url, pg.url, false);
    await sleep(3_000);
    await pg.kill9();
    await sleep(2_000);
    const notReady = await api<{ reason?: string }>(r.cluster.urls[1] as string, '/readyz');
    expect(notReady.status).toBe(503);
    // Clients come back as fresh ones (a crash: nothing resent may hide a loss) while it is down.
    r.fleet.replaceAll();
    await pg.start();
    await waitFor(() => r.fleet.allSynced(), 'clients back after PostgreSQL', 60_000).catch((err) => {
      const stuck = r.fleet.seats.filter((s) => !s.client.provider.synced);
      console.error(`${stuck.length} clients not synced; e.g. closes ${JSON.stringify(stuck[0]?.client.closes.slice(-5))} wsconnected ${stuck[0]?.client.provider.wsconnected}`);
      for (const i of r.cluster.instances) console.error(i.name, i.child?.output().slice(-4000));
      throw err;
    });
    await sleep(3_000);
    await settle(r, 'PostgreSQL restart');
  }, 600_000);

  it('loses nothing and rotates once through a rolling restart of all three instances', async () => {
    const redis = await startRedis();
    stops.push(() => redis.stop());
    const r = await rig(redis.url, await databases.create(), true);
    for (const instance of r.cluster.instances) {
      await sleep(2_000);
      await instance.stop('SIGTERM'); // drains: leases handed over, sockets closed with 1001
      await instance.start();
      await waitFor(() => r.fleet.allSynced(), `${instance.name} rolled: clients reconnected`, 30_000);
    }
    await sleep(2_000);
    await settle(r, 'rolling restart');
    const closes = r.fleet.seats.flatMap((s) => s.client.closes);
    expect(closes).toContain(1001);
  }, 600_000);
});
