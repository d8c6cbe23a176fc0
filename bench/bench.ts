/**
 * Runs every measure against Mobflow and the reference server and collects the figures. Both
 * servers are pinned to the same server core (bench/pinning.ts) and the load generator to another.
 * - CPU per delivered update: both servers up, sizes in turn, rounds in ABBA order. CPU time is
 *   read per process, so the idle server beside the one under load does not enter its figure.
 * - Capacity: one server at a time, each freshly started, alone on the core.
 * - Sessions (presence, joins, memory): one server at a time, freshly started.
 * - The session page: Mobflow with its UI, last.
 */
import { cpus } from 'node:os';
import { type CapacityResult, runCapacity } from './capacity';
import { type BenchConfig, type Measure, sizeName } from './config';
import { abbaOrder, type CpuRound, type CpuSizeResult, runUndisturbedCpuRound, sizeResult } from './cpu';
import { runDecisionJoin, runJoinStorm, seededDecisions, type JoinResult, type StormResult } from './join';
import { type ClosedMemoryResult, closeAndMeasure, type IdleMemoryResult, runIdleMemory } from './memory';
import { type PageResult, runPageLoad } from './page';
import { type Pinning, UNPINNED } from './pinning';
import { runPresence, type PresenceResult } from './presence';
import { cpuMs, peakRssBytes, rssBytes } from './procstat';
import { type BenchServer, SERVER_KINDS, type ServerKind, type StartOptions, startServer } from './servers';
import { delay } from './stats';

/** Lets a freshly started server finish warming up before its baseline RSS is read. */
const BASELINE_SETTLE_MS = 1_500;

export interface CpuPhaseResult {
  sizes: CpuSizeResult[];
  /** Peak RSS of each server process over the phase (500x8 is its largest load), bytes. */
  peakRss: Partial<Record<ServerKind, number>>;
}

export interface SessionsResult {
  kind: ServerKind;
  label: string;
  baselineRss: number;
  presence: PresenceResult | null;
  join: JoinResult | null;
  storm: StormResult | null;
  idle: IdleMemoryResult | null;
  closed: ClosedMemoryResult | null;
  peakRss: number;
  /** CPU time the server used over these scenarios, ms. */
  cpuMs: number;
}

export interface BenchResult {
  machine: { cpus: number; model: string; node: string; platform: string; serverCpu: string | null; generatorCpu: string | null };
  config: BenchConfig;
  durationS: number;
  cpu: CpuPhaseResult | null;
  capacity: Partial<Record<ServerKind, CapacityResult>> | null;
  sessions: Partial<Record<ServerKind, SessionsResult>> | null;
  /** The session page in a real browser, Mobflow only (null when not run). */
  page: PageResult | null;
  /** Scenarios that failed ("measure on server: error"); the run goes on, their figures are missing. */
  errors: string[];
}

type Log = (line: string) => void;

/** `pinning` (from run.ts) keeps the load generator and the servers on separate CPUs. */
export async function runBenchmark(cfg: BenchConfig, log: Log = () => undefined, pinning: Pinning = UNPINNED): Promise<BenchResult> {
  const t0 = performance.now();
  const errors: string[] = [];
  const runs = (m: Measure) => cfg.only.includes(m);
  const attempt = async <T>(what: string, fn: () => Promise<T>): Promise<T | null> => {
    try {
      return await fn();
    } catch (err) {
      errors.push(`${what}: ${String(err)}`);
      log(`${what} FAILED: ${String(err)}`);
      return null;
    }
  };
  const startOptions = (kind: ServerKind, extra: StartOptions = {}): StartOptions => (kind === 'mobflow' ? { without: cfg.without, ...extra } : {});

  const cpu = runs('cpu') ? await runCpuPhase(cfg, log, pinning, startOptions, errors) : null;

  let capacity: BenchResult['capacity'] = null;
  if (runs('capacity')) {
    capacity = {};
    for (const kind of SERVER_KINDS) {
      const result = await attempt(`capacity on ${kind}`, () =>
        withServer(kind, pinning, startOptions(kind), async (s) => {
          log(`capacity on ${s.label}: rooms of ${cfg.capacity.clients}, steps ${cfg.capacity.steps.join(', ')}`);
          return runCapacity(s, cfg.capacity, log);
        }),
      );
      if (result) capacity[kind] = result;
    }
  }

  let sessions: BenchResult['sessions'] = null;
  if (runs('sessions')) {
    sessions = {};
    for (const kind of SERVER_KINDS) {
      const seed = kind === 'mobflow' ? { seed: seededDecisions(cfg.decisions) } : {};
      const result = await attempt(`sessions on ${kind}`, () => withServer(kind, pinning, startOptions(kind, seed), (s) => runSessions(s, cfg, log, errors)));
      if (result) sessions[kind] = result;
    }
  }

  let page: PageResult | null = null;
  if (runs('page') && cfg.pageLoads > 0) {
    log(`session page: ${cfg.pageLoads} browser loads`);
    page = await attempt('session page', () => runPageLoad({ loads: cfg.pageLoads, pinning }));
  }

  const cpuList = cpus();
  return {
    machine: {
      cpus: cpuList.length,
      model: cpuList[0]?.model ?? 'unknown',
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      serverCpu: pinning.serverCpu,
      generatorCpu: pinning.generatorCpu,
    },
    config: cfg,
    durationS: Math.round((performance.now() - t0) / 100) / 10,
    cpu,
    capacity,
    sessions,
    page,
    errors,
  };
}

async function withServer<T>(kind: ServerKind, pinning: Pinning, options: StartOptions, fn: (s: BenchServer) => Promise<T>): Promise<T> {
  const s = await startServer(kind, pinning, options);
  try {
    return await fn(s);
  } finally {
    await s.stop();
  }
}

async function runCpuPhase(cfg: BenchConfig, log: Log, pinning: Pinning, startOptions: (kind: ServerKind) => StartOptions, errors: string[]): Promise<CpuPhaseResult> {
  const servers = new Map<ServerKind, BenchServer>();
  const releases: (() => Promise<void>)[] = [];
  const sizes: CpuSizeResult[] = [];
  const peakRss: CpuPhaseResult['peakRss'] = {};
  try {
    for (const kind of SERVER_KINDS) {
      const s = await startServer(kind, pinning, startOptions(kind));
      servers.set(kind, s);
      // One room with one client stays open on each server, as on any server with a team on it:
      // Mobflow then never runs its idle collections between rounds.
      releases.push(await s.holdRoom());
      log(`started ${s.label} at ${s.url} (pid ${s.pid})`);
    }
    for (const size of cfg.cpu.sizes) {
      const rounds = new Map<ServerKind, CpuRound[]>(SERVER_KINDS.map((k) => [k, []]));
      for (let round = 0; round < cfg.cpu.rounds; round++) {
        for (const kind of abbaOrder(round, SERVER_KINDS)) {
          const s = servers.get(kind);
          if (!s) continue;
          const what = `CPU per update ${sizeName(size)} round ${round + 1}/${cfg.cpu.rounds} on ${s.label}`;
          try {
            const r = await runUndisturbedCpuRound(s, size, cfg.cpu);
            rounds.get(kind)?.push(r);
            const others = r.serverCore ? `; others on its core ${r.serverCore.othersPercent} %` : '';
            log(`${what}: ${r.usPerUpdate} µs (${r.serverCpuMs} ms over ${r.received} deliveries${others}${r.attempts > 1 ? `; kept of ${r.attempts} tries` : ''})`);
          } catch (err) {
            errors.push(`${what}: ${String(err)}`);
            log(`${what} FAILED: ${String(err)}`);
          }
        }
      }
      sizes.push(sizeResult(size, rounds));
    }
    for (const [kind, s] of servers) peakRss[kind] = peakRssBytes(s.pid);
  } finally {
    for (const release of releases) await release().catch(() => undefined);
    await Promise.all([...servers.values()].map((s) => s.stop()));
  }
  return { sizes, peakRss };
}

async function runSessions(s: BenchServer, cfg: BenchConfig, log: Log, errors: string[]): Promise<SessionsResult> {
  await delay(BASELINE_SETTLE_MS);
  const cpu0 = cpuMs(s.pid);
  const r: SessionsResult = {
    kind: s.kind,
    label: s.label,
    baselineRss: rssBytes(s.pid),
    presence: null,
    join: null,
    storm: null,
    idle: null,
    closed: null,
    peakRss: 0,
    cpuMs: 0,
  };
  const step = async (what: string, fn: () => Promise<void>) => {
    log(`${what} on ${s.label}`);
    try {
      await fn();
    } catch (err) {
      errors.push(`${what} on ${s.label}: ${String(err)}`);
      log(`${what} on ${s.label} FAILED: ${String(err)}`);
    }
  };
  await step(`presence ${cfg.presenceClients} clients`, async () => {
    r.presence = await runPresence(s, cfg);
  });
  await step(`join ${cfg.decisions} decisions`, async () => {
    r.join = await runDecisionJoin(s, cfg);
  });
  await step(`${cfg.concurrentJoins} joins at once`, async () => {
    r.storm = await runJoinStorm(s, cfg);
  });
  await step(`${cfg.idleSessions} idle sessions`, async () => {
    // The memory scenario starts from a collected heap, not from the scenarios' garbage.
    await s.collected();
    const { result, clients } = await runIdleMemory(s, cfg);
    r.idle = result;
    r.closed = await closeAndMeasure(s, clients, r.baselineRss);
  });
  r.peakRss = peakRssBytes(s.pid);
  r.cpuMs = cpuMs(s.pid) - cpu0;
  return r;
}
