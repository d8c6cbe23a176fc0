/**
 * Cluster mode, healthy: three instances on one Redis and one PostgreSQL database; clients spread
 * round robin. Every client converges to the same state with nothing lost; server writes, presence,
 * replaced links and readiness work whichever instance a client is on.
 */
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readRotation, readTurns } from '../../lib/doc/schema';
import { SOCKET_PATH } from '../../lib/protocol/events';
import { type AckClient, ackClient, writtenKeys } from '../helpers/ackClient';
import { startCluster, type TestCluster } from '../helpers/cluster';
import { testDatabases } from '../helpers/postgres';
import { type PrivateRedis, startRedis } from '../helpers/redis';
import { api, createSession } from '../helpers/server';
import { connect, connectSession, waitFor } from '../helpers/yclient';

const SESSIONS = Number(process.env.CLUSTER_SESSIONS ?? 100);
const CLIENTS = 8;
const WRITES = 5;

let redis: PrivateRedis;
const databases = testDatabases();
let cluster: TestCluster;
const cleanup: { destroy(): void }[] = [];

beforeAll(async () => {
  redis = await startRedis();
  cluster = await startCluster(3, { redisUrl: redis.url, databaseUrl: await databases.create() });
}, 120_000);

afterAll(async () => {
  for (const c of cleanup) c.destroy();
  await cluster?.stop();
  await redis?.stop();
  await databases.dropAll();
});

/** The instances' URLs starting at `i` (round robin), as a client behind a load balancer sees them. */
const from = (urls: string[], i: number) => urls.map((_, k) => urls[(i + k) % urls.length] as string);

function socket(base: string, room: string): Promise<Socket> {
  const s = io(base, { path: SOCKET_PATH, auth: { room }, transports: ['websocket'], reconnection: false });
  cleanup.push({ destroy: () => s.close() });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

async function command(s: Socket, name: string, payload: unknown): Promise<{ ok: boolean; value?: unknown; error?: string }> {
  return (await s.timeout(10_000).emitWithAck(name, payload)) as { ok: boolean; value?: unknown; error?: string };
}

describe('cluster: three instances', () => {
  it(`${SESSIONS} sessions x ${CLIENTS} clients spread round robin converge to one state, nothing lost`, async () => {
    const sessions = await Promise.all(Array.from({ length: SESSIONS }, (_, i) => createSession(cluster.urls[i % 3] as string, { name: `Mob ${i}` })));
    const clients: AckClient[][] = sessions.map((s, si) => Array.from({ length: CLIENTS }, (_, ci) => ackClient(from(cluster.wsUrls, si * CLIENTS + ci), s.id)));
    for (const group of clients) cleanup.push(...group);
    const all = clients.flat();
    await waitFor(() => all.every((c) => c.provider.synced), 'every client synced', 60_000);
    for (let n = 0; n < WRITES; n++) {
      for (const [si, group] of clients.entries()) for (const [ci, c] of group.entries()) c.write(`s${si}-c${ci}-${n}`, n);
      await new Promise((r) => setTimeout(r, 20));
    }
    const expected = CLIENTS * WRITES;
    await waitFor(() => all.every((c) => writtenKeys(c.doc).size === expected), 'every write on every client', 60_000);
    await waitFor(() => all.every((c) => c.saved().length === WRITES), 'every write acknowledged', 60_000);
    for (const group of clients) {
      const vectors = new Set(group.map((c) => Buffer.from(Y.encodeStateVector(c.doc)).toString('hex')));
      expect(vectors.size).toBe(1);
    }
    // What the store holds: a fresh client on any instance loads every write.
    for (const [si, s] of sessions.slice(0, 10).entries()) {
      const check = connect(cluster.wsUrls[(si + 1) % 3] as string, s.id);
      cleanup.push(check);
      await waitFor(() => check.provider.synced && writtenKeys(check.doc).size === expected, `session ${si} reloaded whole`, 20_000);
    }
    for (const c of all) c.destroy();
  }, 300_000);

  it('runs each server write once, on the owner, whichever instance a client asked', async () => {
    const s = await createSession(cluster.urls[0] as string, { name: 'Routed' });
    for (const name of ['Ada', 'Grace', 'Linus']) expect((await api(cluster.urls[1] as string, `/api/sessions/${s.id}/members`, { body: { name } })).status).toBe(200);
    const views = cluster.wsUrls.map((url) => connectSession(url, s.id));
    cleanup.push(...views);
    await Promise.all(views.map((v) => v.synced()));
    const sockets = await Promise.all(cluster.urls.map((url) => socket(url, s.id)));
    // Commands from all three instances at once: one start wins, the others are refused, none doubles.
    const started = await Promise.all(sockets.map((so) => command(so, 'timer:action', { action: 'start' })));
    expect(started.filter((r) => r.ok)).toHaveLength(1);
    for (const [i, so] of sockets.entries()) expect((await command(so, 'timer:action', { action: 'skip' })).ok, `skip via instance ${i + 1}`).toBe(true);
    const decision = await api<{ id: string }>(cluster.urls[2] as string, `/api/sessions/${s.id}/decisions`, { body: { title: 'Ship on Fridays', rationale: 'The canary is green' } });
    expect(decision.status).toBe(201);
    // Every instance's clients see the same rotation: three skips after one start, in order.
    await waitFor(() => views.every((v) => readTurns(v.docs).length === 3), 'three turns everywhere', 15_000);
    for (const v of views) {
      expect(readTurns(v.docs).map((t) => t.turn)).toEqual([0, 1, 2]);
      expect(readRotation(v.docs).turn).toBe(3);
    }
    for (const so of sockets) so.close();
  });

  it('shows presence across instances, once per change', async () => {
    const s = await createSession(cluster.urls[0] as string);
    const a = connect(cluster.wsUrls[0] as string, s.id);
    const b = connect(cluster.wsUrls[1] as string, s.id);
    cleanup.push(a, b);
    await waitFor(() => a.provider.synced && b.provider.synced, 'both synced');
    a.provider.awareness.setLocalStateField('user', { memberId: null, name: 'Ada on one', watching: false });
    await waitFor(() => [...b.provider.awareness.getStates().values()].some((st) => (st as { user?: { name?: string } }).user?.name === 'Ada on one'), 'presence crossed instances');
    a.destroy();
    await waitFor(() => ![...b.provider.awareness.getStates().values()].some((st) => (st as { user?: { name?: string } }).user?.name === 'Ada on one'), 'leaving crossed instances');
  });

  it('closes what a replaced link opened on every instance', async () => {
    const s = await createSession(cluster.urls[0] as string);
    const watchers = cluster.wsUrls.map((url) => connect(url, s.viewToken));
    cleanup.push(...watchers);
    await waitFor(() => watchers.every((w) => w.provider.synced), 'watchers synced');
    const codes: number[] = [];
    for (const w of watchers) w.provider.ws?.addEventListener('close', (e) => codes.push((e as CloseEvent).code));
    const r = await api(cluster.urls[1] as string, `/api/sessions/${s.id}/links`, { body: { link: 'view' } });
    expect(r.status).toBe(200);
    await waitFor(() => codes.length === 3, 'every watcher closed', 10_000);
    expect(codes).toEqual([4410, 4410, 4410]);
  });

  it('is ready, and exports its metrics through prom-client', async () => {
    for (const url of cluster.urls) expect((await api(url, '/readyz')).body).toEqual({ ok: true });
    const text = await (await fetch(`${cluster.urls[0]}/metrics`)).text();
    for (const series of ['process_cpu_user_seconds_total', 'mobflow_update_durable_seconds_bucket', 'mobflow_fanout_seconds_bucket', 'mobflow_lease_changes_total']) expect(text).toContain(series);
  });
});
