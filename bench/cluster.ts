/**
 * `npm run bench -- --cluster` (or `npx tsx bench/cluster.ts`): the same fan-out load on the
 * embedded server and on a cluster of three instances (private Redis and PostgreSQL), in one run,
 * rounds in ABBA order (embedded, cluster, cluster, embedded, ...):
 *
 * - CPU per delivered update: the three instances' CPU (and with Redis and PostgreSQL added) over
 *   the updates their clients received in the window, against the embedded server's (target ≤ 1.5x);
 * - each instance's share of the instances' CPU with sessions spread (target 1/3 ± 10 %);
 * - Redis CPU per update;
 * - fan-out latency p50/p99: in the cluster every reader sits on another instance than its room's
 *   writer, so each delivery crosses Redis; beside the embedded server's;
 * - how often the servers sleep and wake per delivered update, beside what one sleep/wake costs on
 *   this machine (wakeCost.ts): where that is dear, it, not the work, sets the CPU per update.
 *
 * Knobs: BENCH_CLUSTER_ROOMS (100), BENCH_CLUSTER_CLIENTS (8 per room), BENCH_CLUSTER_ROUNDS (2 per
 * server), BENCH_SECONDS (10 s windows). One JSON line with every figure follows the table.
 */
import { type PrivatePostgres, startPrivatePostgres } from '../test/helpers/postgres';
import { type PrivateRedis, startRedis } from '../test/helpers/redis';
import { FanoutLoad, type WindowResult } from './load';
import { UNPINNED } from './pinning';
import { cpuMs, sleeps } from './procstat';
import { type BenchServer, startServer, type TaskRoom } from './servers';
import { delay } from './stats';
import { wakeCostUs } from './wakeCost';

const ROOMS = Number(process.env.BENCH_CLUSTER_ROOMS ?? 100);
const CLIENTS = Number(process.env.BENCH_CLUSTER_CLIENTS ?? 8);
const ROUNDS = Math.max(1, Number(process.env.BENCH_CLUSTER_ROUNDS ?? 2));
const WINDOW_S = Number(process.env.BENCH_SECONDS ?? 10);
const UPDATES_PER_SECOND = 5;
const WARMUP_MS = 3_000;
const DRAIN_MS = 10_000;
const INSTANCES = 3;

const log = (line: string) => process.stderr.write(`[bench cluster] ${line}\n`);

interface Rig {
  server: BenchServer;
  /** Processes whose CPU is the servers' (one, or the three instances). */
  instances: number[];
  /** Redis and PostgreSQL processes (cluster only). */
  engines: () => { redis: number[]; postgres: number[] };
  stop(): Promise<void>;
}

async function embedded(): Promise<Rig> {
  const server = await startServer('mobflow', UNPINNED);
  return { server, instances: [server.pid], engines: () => ({ redis: [], postgres: [] }), stop: () => server.stop() };
}

/**
 * Three instances behind one facade the load drives: rooms are created round robin, a room's first
 * client (its writer) joins instance k and every reader another instance, alternating.
 */
async function cluster(redis: PrivateRedis, pg: PrivatePostgres): Promise<Rig> {
  const env = { REDIS_URL: redis.url, DATABASE_URL: pg.url };
  const nodes: BenchServer[] = [];
  for (let i = 0; i < INSTANCES; i++) nodes.push(await startServer('mobflow', UNPINNED, { env: { ...env, INSTANCE_ID: `mf${i + 1}` }, name: `mf${i + 1}` }));
  const home = new Map<string, { at: number; joins: number }>();
  let next = 0;
  const node = (i: number) => nodes[i % INSTANCES] as BenchServer;
  const first = node(0);
  const server: BenchServer = {
    ...first,
    label: `cluster of ${INSTANCES}`,
    joinUrls(room) {
      let h = home.get(room);
      if (!h) {
        h = { at: next++ % INSTANCES, joins: 0 };
        home.set(room, h);
      }
      const k = h.joins++;
      // The writer on its home instance, readers on the others in turn.
      const at = k === 0 ? h.at : h.at + 1 + ((k - 1) % (INSTANCES - 1));
      return node(at).joinUrls(room);
    },
    async createRooms(n) {
      const parts = await Promise.all(nodes.map((s, i) => s.createRooms(Math.floor(n / INSTANCES) + (i < n % INSTANCES ? 1 : 0))));
      return parts.flat();
    },
    async createTaskRooms(n) {
      const parts = await Promise.all(nodes.map((s, i) => s.createTaskRooms(Math.floor(n / INSTANCES) + (i < n % INSTANCES ? 1 : 0))));
      return parts.flat() as TaskRoom[];
    },
    roomsLoaded: async () => (await Promise.all(nodes.map((s) => s.roomsLoaded()))).reduce((a, b) => a + b, 0),
    unloaded: async () => (await Promise.all(nodes.map((s) => s.unloaded()))).every(Boolean),
    settle: async () => {
      await Promise.all(nodes.map((s) => s.settle()));
    },
    died: () => nodes.map((s) => s.died()).find((d) => d !== null) ?? null,
    stop: async () => {
      await Promise.all(nodes.map((s) => s.stop()));
    },
  };
  return {
    server,
    instances: nodes.map((s) => s.pid),
    engines: () => ({ redis: [redis.pid()].filter((p): p is number => p !== null), postgres: pg.pids() }),
    stop: () => server.stop(),
  };
}

const sum = (pids: readonly number[]) =>
  pids.reduce((n, pid) => {
    try {
      return n + cpuMs(pid);
    } catch {
      return n; // a backend that exited meanwhile
    }
  }, 0);

interface Round {
  window: WindowResult;
  instancesMs: number[];
  redisMs: number;
  postgresMs: number;
  /** Times the servers went to sleep in the window (voluntary context switches, summed). */
  sleeps: number;
}

async function round(rig: Rig): Promise<Round> {
  const load = new FanoutLoad(rig.server, CLIENTS, UPDATES_PER_SECOND);
  try {
    await load.addRooms(ROOMS);
    load.start();
    await delay(WARMUP_MS);
    const engines = rig.engines();
    const i0 = rig.instances.map((p) => cpuMs(p));
    const s0 = rig.instances.reduce((n, p) => n + sleeps(p), 0);
    const r0 = sum(engines.redis);
    const p0 = sum(engines.postgres);
    load.openWindow();
    await delay(WINDOW_S * 1000);
    const instancesMs = rig.instances.map((p, i) => cpuMs(p) - (i0[i] ?? 0));
    const slept = rig.instances.reduce((n, p) => n + sleeps(p), 0) - s0;
    const redisMs = sum(engines.redis) - r0;
    const postgresMs = sum(engines.postgres) - p0;
    const window = await load.closeWindow(DRAIN_MS);
    await load.stop();
    return { window, instancesMs, redisMs, postgresMs, sleeps: slept };
  } finally {
    await load.close();
    await rig.server.settle();
  }
}

const us = (ms: number, updates: number) => (updates > 0 ? Math.round((ms * 1000 * 10) / updates) / 10 : Number.NaN);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

function figures(rounds: readonly Round[]) {
  const perUpdate = rounds.map((r) => us(r.instancesMs.reduce((a, b) => a + b, 0), r.window.received));
  const withEngines = rounds.map((r) => us(r.instancesMs.reduce((a, b) => a + b, 0) + r.redisMs + r.postgresMs, r.window.received));
  const shares = rounds.map((r) => {
    const total = r.instancesMs.reduce((a, b) => a + b, 0);
    return r.instancesMs.map((ms) => (total > 0 ? ms / total : 0));
  });
  return {
    usPerUpdate: Math.round(mean(perUpdate) * 10) / 10,
    usPerUpdateWithEngines: Math.round(mean(withEngines) * 10) / 10,
    redisUsPerUpdate: Math.round(mean(rounds.map((r) => us(r.redisMs, r.window.received))) * 10) / 10,
    postgresUsPerUpdate: Math.round(mean(rounds.map((r) => us(r.postgresMs, r.window.received))) * 10) / 10,
    sleepsPerUpdate: Math.round(mean(rounds.map((r) => (r.window.received > 0 ? r.sleeps / r.window.received : 0))) * 100) / 100,
    shares: (shares[0] ?? []).map((_, i) => Math.round(mean(shares.map((s) => s[i] ?? 0)) * 1000) / 1000),
    p50: Math.round(mean(rounds.map((r) => r.window.latency.p50)) * 10) / 10,
    p99: Math.round(mean(rounds.map((r) => r.window.latency.p99)) * 10) / 10,
    lost: rounds.reduce((n, r) => n + r.window.expected - r.window.delivered, 0),
    closed: rounds.reduce((n, r) => n + r.window.closedClients, 0),
    delivered: rounds.reduce((n, r) => n + r.window.received, 0),
  };
}

const wakeUs = wakeCostUs();
log(`this machine charges ${wakeUs} µs of CPU per sleep and wake-up of an idle process`);
const redis = await startRedis();
const pg = await startPrivatePostgres();
const rigs = { embedded: await embedded(), cluster: await cluster(redis, pg) };
const results: Record<'embedded' | 'cluster', Round[]> = { embedded: [], cluster: [] };
try {
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? (['embedded', 'cluster'] as const) : (['cluster', 'embedded'] as const);
    for (const kind of order) {
      log(`round ${r + 1}/${ROUNDS}: ${kind}, ${ROOMS}x${CLIENTS}, ${WINDOW_S} s window`);
      results[kind].push(await round(rigs[kind]));
    }
  }
} finally {
  await rigs.embedded.stop();
  await rigs.cluster.stop();
  await pg.dispose();
  await redis.stop();
}

const e = figures(results.embedded);
const c = figures(results.cluster);
const ratio = Math.round((c.usPerUpdate / e.usPerUpdate) * 100) / 100;
const share = c.shares.map((s) => `${(s * 100).toFixed(1)} %`).join(' · ');
const shareOk = c.shares.every((s) => Math.abs(s - 1 / INSTANCES) <= 0.1 / INSTANCES);
const lines = [
  `| ${ROOMS}x${CLIENTS}, ${UPDATES_PER_SECOND} updates/s per room | embedded | cluster of ${INSTANCES} | |`,
  '| --- | --- | --- | --- |',
  `| CPU per delivered update, servers (µs) | ${e.usPerUpdate} | ${c.usPerUpdate} | ${ratio}x (target ≤ 1.5x) ${ratio <= 1.5 ? 'ok' : 'MISS'} |`,
  `| ... with Redis and PostgreSQL (µs) | ${e.usPerUpdate} | ${c.usPerUpdateWithEngines} | Redis ${c.redisUsPerUpdate} µs, PostgreSQL ${c.postgresUsPerUpdate} µs |`,
  `| each instance's share of the servers' CPU | | ${share} | target 33.3 % ± 3.3 ${shareOk ? 'ok' : 'MISS'} |`,
  `| fan-out p50 / p99 (ms; cluster: every reader on another instance) | ${e.p50} / ${e.p99} | ${c.p50} / ${c.p99} | |`,
  `| servers' sleep/wake cycles per delivered update (this machine: ${wakeUs} µs of CPU each) | ${e.sleepsPerUpdate} | ${c.sleepsPerUpdate} | |`,
  `| lost deliveries · clients closed | ${e.lost} · ${e.closed} | ${c.lost} · ${c.closed} | |`,
];
process.stdout.write(`${lines.join('\n')}\n`);
process.stdout.write(`${JSON.stringify({ rooms: ROOMS, clients: CLIENTS, rounds: ROUNDS, windowSeconds: WINDOW_S, wakeCostUs: wakeUs, embedded: e, cluster: c, ratio, shareOk })}\n`);
