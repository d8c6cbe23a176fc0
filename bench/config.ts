/**
 * Benchmark grid and knobs. BENCH_SCALE=full (default) is the grid; tiny is for the test.
 * BENCH_SECONDS overrides the load duration of the fan-out and presence scenarios; BENCH_ROUNDS the
 * number of fan-out rounds per server.
 */
import { z } from 'zod';

export interface FanoutSize {
  rooms: number;
  clients: number;
}

export interface BenchConfig {
  scale: 'tiny' | 'full';
  fanout: FanoutSize[];
  /** Rounds of each fan-out size per server, interleaved; the median round is reported. */
  rounds: number;
  /** Writer updates per second in each fan-out room. */
  updatesPerSecond: number;
  /** How long each load scenario writes, seconds. */
  seconds: number;
  /** Fan-out writes before the timed ones (delivered and counted, not timed), seconds. */
  warmupSeconds: number;
  presenceClients: number;
  /** Awareness updates per second per client. */
  presenceHz: number;
  decisions: number;
  /** Sequential joins measured against the decision-heavy session. */
  joins: number;
  concurrentJoins: number;
  idleSessions: number;
  /** Browser loads of the session page (0: skip; it needs chromium and a production build). */
  pageLoads: number;
}

const FULL: BenchConfig = {
  scale: 'full',
  fanout: [
    { rooms: 1, clients: 10 },
    { rooms: 100, clients: 8 },
    { rooms: 500, clients: 8 },
  ],
  // Five, not three: on a shared VM one round in three can catch a stall of 100+ ms on either server,
  // and the median of three then reports it; the median of five needs three such rounds.
  rounds: 5,
  updatesPerSecond: 5,
  seconds: 10,
  warmupSeconds: 2,
  presenceClients: 200,
  presenceHz: 1,
  decisions: 10_000,
  joins: 50,
  concurrentJoins: 100,
  idleSessions: 500,
  pageLoads: 20,
};

const TINY: BenchConfig = {
  scale: 'tiny',
  fanout: [
    { rooms: 1, clients: 3 },
    { rooms: 4, clients: 3 },
  ],
  rounds: 2,
  updatesPerSecond: 5,
  seconds: 1,
  warmupSeconds: 0.4,
  presenceClients: 8,
  presenceHz: 2,
  decisions: 200,
  joins: 3,
  concurrentJoins: 10,
  idleSessions: 10,
  pageLoads: 0,
};

const Env = z.object({
  BENCH_SCALE: z.enum(['tiny', 'full']).default('full'),
  BENCH_SECONDS: z.coerce.number().positive().max(60).optional(),
  BENCH_ROUNDS: z.coerce.number().int().min(1).max(9).optional(),
});

export function benchConfig(env: Record<string, string | undefined>, overrides: Partial<BenchConfig> = {}): BenchConfig {
  const e = Env.parse(env);
  const base = e.BENCH_SCALE === 'tiny' ? TINY : FULL;
  return {
    ...base,
    ...(e.BENCH_SECONDS ? { seconds: e.BENCH_SECONDS } : {}),
    ...(e.BENCH_ROUNDS ? { rounds: e.BENCH_ROUNDS } : {}),
    ...overrides,
  };
}
