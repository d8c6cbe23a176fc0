/**
 * Runs every scenario against Mobflow and the reference server, one server at a time per
 * scenario (both processes stay up; the idle one costs nothing), and collects the figures.
 */
import { cpus } from 'node:os';
import type { BenchConfig } from './config';
import { runFanout, type FanoutResult } from './fanout';
import { runDecisionJoin, runJoinStorm, type JoinResult, type StormResult } from './join';
import { type ClosedMemoryResult, closeAndMeasure, type IdleMemoryResult, runIdleMemory } from './memory';
import { runPresence, type PresenceResult } from './presence';
import { cpuMs, peakRssBytes, rssBytes } from './procstat';
import { type BenchServer, SERVER_KINDS, type ServerKind, startServer } from './servers';
import { delay } from './stats';

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
  /** Scenarios that failed on this server (the run goes on; the figures are missing). */
  errors: string[];
}

export interface BenchResult {
  machine: { cpus: number; model: string; node: string; platform: string };
  config: BenchConfig;
  durationS: number;
  servers: Record<ServerKind, ServerResult>;
}

export async function runBenchmark(cfg: BenchConfig, log: (line: string) => void = () => undefined): Promise<BenchResult> {
  const t0 = performance.now();
  const servers = new Map<ServerKind, BenchServer>();
  const results = new Map<ServerKind, ServerResult>();
  try {
    for (const kind of SERVER_KINDS) {
      const s = await startServer(kind);
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
        errors: [],
      });
      log(`started ${kind} at ${s.url} (pid ${s.pid})`);
    }
    const each = async (what: string, fn: (s: BenchServer, r: ServerResult) => Promise<void>) => {
      for (const kind of SERVER_KINDS) {
        const s = servers.get(kind);
        const r = results.get(kind);
        if (!s || !r) continue;
        log(`${what} on ${kind}`);
        try {
          await fn(s, r);
        } catch (err) {
          r.errors.push(`${what}: ${String(err)}`);
          log(`${what} on ${kind} FAILED: ${String(err)}`);
        }
      }
    };
    for (const size of cfg.fanout) {
      await each(`fan-out ${size.rooms}x${size.clients}`, async (s, r) => {
        r.fanout.push(await runFanout(s, size, cfg));
      });
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
    await each(`${cfg.idleSessions} idle sessions`, async (s, r) => {
      const { result, clients } = await runIdleMemory(s, cfg);
      r.idle = result;
      r.closed = await closeAndMeasure(s, clients, r.baselineRss);
    });
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
  const cpu = cpus();
  return {
    machine: { cpus: cpu.length, model: cpu[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform}-${process.arch}` },
    config: cfg,
    durationS: Math.round((performance.now() - t0) / 100) / 10,
    servers: { mobflow, reference },
  };
}
