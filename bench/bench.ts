/**
 * Runs every scenario against Mobflow and the reference server, one server at a time per
 * scenario, and collects the figures. Both processes stay up on the one server core; the one not
 * under test is frozen (SIGSTOP) meanwhile: left running, the reference collected its garbage in
 * Mobflow's rounds (40-120 ms of CPU per 500x8 round, where Mobflow idle used none).
 */
import { cpus } from 'node:os';
import type { BenchConfig } from './config';
import { type FanoutResult, medianRound, roundOrder, runFanout } from './fanout';
import { runDecisionJoin, runJoinStorm, seededDecisions, type JoinResult, type StormResult } from './join';
import { type ClosedMemoryResult, closeAndMeasure, type IdleMemoryResult, runIdleMemory } from './memory';
import { runPresence, type PresenceResult } from './presence';
import { type PageResult, runPageLoad } from './page';
import { type Pinning, UNPINNED } from './pinning';
import { cpuMs, peakRssBytes, rssBytes } from './procstat';
import { type BenchServer, SERVER_KINDS, type ServerKind, startServer, takeCore, totalCpuMs } from './servers';
import { delay } from './stats';

/** A wait for quiet servers longer than this is worth a note in the log. */
const QUIET_NOTE_MS = 1_500;
/** Lets a freshly started server finish warming up before its baseline RSS is read. */
const BASELINE_SETTLE_MS = 1_500;

export interface ServerResult {
  kind: ServerKind;
  baselineRss: number;
  fanout: FanoutResult[];
  presence: PresenceResult | null;
  join: JoinResult | null;
  storm: StormResult | null;
  idle: IdleMemoryResult | null;
  closed: ClosedMemoryResult | null;
  peakRss: number;
  /** CPU time used over the whole run, ms. */
  cpuMs: number;
  /**
   * Mobflow's idle-memory collections (full GCs once its last room unloaded) that ran during the
   * latency scenarios: 0 when the held rooms kept it from going idle. Null for the reference.
   */
  idleCollectionsDuringLatency: number | null;
  /**
   * CPU time the other server used while this one's scenarios ran, ms: 0, as the other is frozen
   * then; anything else would have shared this server's core.
   */
  othersCpuMs: number;
  /** Scenarios that failed on this server (the run goes on; the figures are missing). */
  errors: string[];
}

export interface BenchResult {
  machine: { cpus: number; model: string; node: string; platform: string; serverCpu: string | null; generatorCpu: string | null };
  config: BenchConfig;
  durationS: number;
  servers: Record<ServerKind, ServerResult>;
  /** The session page in a real browser, Mobflow only (null when cfg.pageLoads is 0). */
  page: PageResult | null;
  pageError: string | null;
}

/** `pinning` (from run.ts) keeps the load generator and the server under test on separate CPUs. */
export async function runBenchmark(cfg: BenchConfig, log: (line: string) => void = () => undefined, pinning: Pinning = UNPINNED): Promise<BenchResult> {
  const t0 = performance.now();
  const servers = new Map<ServerKind, BenchServer>();
  const results = new Map<ServerKind, ServerResult>();
  try {
    for (const kind of SERVER_KINDS) {
      const s = await startServer(kind, pinning, kind === 'mobflow' ? { seed: seededDecisions(cfg.decisions) } : {});
      servers.set(kind, s);
      await delay(BASELINE_SETTLE_MS);
      results.set(kind, {
        kind,
        baselineRss: rssBytes(s.pid),
        fanout: [],
        presence: null,
        join: null,
        storm: null,
        idle: null,
        closed: null,
        peakRss: 0,
        cpuMs: cpuMs(s.pid),
        idleCollectionsDuringLatency: null,
        othersCpuMs: 0,
        errors: [],
      });
      log(`started ${kind} at ${s.url} (pid ${s.pid})`);
    }
    const each = async (what: string, fn: (s: BenchServer, r: ServerResult) => Promise<void>, order: readonly ServerKind[] = SERVER_KINDS) => {
      for (const kind of order) {
        const s = servers.get(kind);
        const r = results.get(kind);
        if (!s || !r) continue;
        const settled = await takeCore(s, servers.values());
        const note = !settled.quiet ? ` (servers still busy after ${settled.waitedMs} ms)` : settled.waitedMs > QUIET_NOTE_MS ? ` (after ${settled.waitedMs} ms for the servers to go quiet)` : '';
        log(`${what} on ${kind}${note}`);
        const othersBefore = totalCpuMs(servers.values()) - cpuMs(s.pid);
        try {
          await fn(s, r);
        } catch (err) {
          r.errors.push(`${what}: ${String(err)}`);
          log(`${what} on ${kind} FAILED: ${String(err)}`);
        }
        r.othersCpuMs += totalCpuMs(servers.values()) - cpuMs(s.pid) - othersBefore;
      }
    };
    const resumeAll = () => {
      for (const s of servers.values()) s.resume();
    };
    // Mobflow runs two full collections 1 s and 7 s after its last room unloads (server/idleMemory.ts);
    // frozen between its rounds, it would run them as it resumes, before its next round could start.
    // One room held open on each server through the latency scenarios keeps it from going idle, as any
    // server with a team on it would be; they close before the memory scenarios, which measure that release.
    const held = new Map<ServerKind, { release: () => Promise<void>; idleBefore: number | null }>();
    for (const [kind, s] of servers) held.set(kind, { release: await s.holdRoom(), idleBefore: await s.idleCollections() });
    for (const size of cfg.fanout) {
      const rounds = new Map<ServerKind, FanoutResult[]>(SERVER_KINDS.map((k) => [k, []]));
      for (let round = 0; round < cfg.rounds; round++) {
        await each(
          `fan-out ${size.rooms}x${size.clients} round ${round + 1}/${cfg.rounds}`,
          async (s) => {
            rounds.get(s.kind)?.push(await runFanout(s, size, cfg));
          },
          roundOrder(round, SERVER_KINDS),
        );
      }
      for (const [kind, done] of rounds) if (done.length > 0) results.get(kind)?.fanout.push(medianRound(done));
    }
    await each(`presence ${cfg.presenceClients} clients`, async (s, r) => {
      r.presence = await runPresence(s, cfg);
    });
    await each(`join ${cfg.decisions} decisions`, async (s, r) => {
      r.join = await runDecisionJoin(s, cfg);
    });
    await each(`${cfg.concurrentJoins} joins at once`, async (s, r) => {
      r.storm = await runJoinStorm(s, cfg);
    });
    resumeAll();
    for (const [kind, s] of servers) {
      const h = held.get(kind);
      const after = await s.idleCollections();
      const r = results.get(kind);
      if (r && after !== null) r.idleCollectionsDuringLatency = after - (h?.idleBefore ?? 0);
      await h?.release();
      // The memory scenarios start from a collected heap, not from the latency scenarios' garbage.
      await s.collected();
    }
    await each(`${cfg.idleSessions} idle sessions`, async (s, r) => {
      const { result, clients } = await runIdleMemory(s, cfg);
      r.idle = result;
      r.closed = await closeAndMeasure(s, clients, r.baselineRss);
    });
    resumeAll();
    for (const [kind, s] of servers) {
      const r = results.get(kind);
      if (!r) continue;
      r.peakRss = peakRssBytes(s.pid);
      r.cpuMs = cpuMs(s.pid) - r.cpuMs;
    }
  } finally {
    await Promise.all([...servers.values()].map((s) => s.stop()));
  }
  const mobflow = results.get('mobflow');
  const reference = results.get('reference');
  if (!mobflow || !reference) throw new Error('a server did not start');
  // Last, with the other servers stopped: it starts its own Mobflow with the UI on.
  let page: PageResult | null = null;
  let pageError: string | null = null;
  if (cfg.pageLoads > 0) {
    log(`session page: ${cfg.pageLoads} browser loads`);
    try {
      page = await runPageLoad({ loads: cfg.pageLoads, pinning });
    } catch (err) {
      pageError = String(err);
      log(`session page FAILED: ${pageError}`);
    }
  }
  const cpu = cpus();
  return {
    machine: {
      cpus: cpu.length,
      model: cpu[0]?.model ?? 'unknown',
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      serverCpu: pinning.serverCpu,
      generatorCpu: pinning.generatorCpu,
    },
    config: cfg,
    durationS: Math.round((performance.now() - t0) / 100) / 10,
    servers: { mobflow, reference },
    page,
    pageError,
  };
}
