/**
 * Benchmark grid and knobs. BENCH_SCALE=full (default) is the grid; tiny is the smoke run's.
 *   BENCH_SECONDS   timed seconds of each CPU round, capacity step and the presence scenario
 *   BENCH_ROUNDS    CPU rounds per server and size (at least 2: two give the A/A spread)
 *   BENCH_SIZES     CPU per update sizes, ROOMSxCLIENTS,... (default 1x10,100x8,500x8,20x50)
 *   BENCH_ONLY      comma-separated measures to run (cpu, capacity, sessions, page); default all
 *   BENCH_WITHOUT   Mobflow's production tricks to leave out in this run (bench/variants.ts)
 */
import { z } from 'zod';
import { parseTricks, type Trick } from './variants';

export interface FanoutSize {
  rooms: number;
  clients: number;
}

export const MEASURES = ['cpu', 'capacity', 'sessions', 'page'] as const;
export type Measure = (typeof MEASURES)[number];

export interface CpuConfig {
  sizes: FanoutSize[];
  /** Rounds per server and size, in ABBA order; two rounds of one server give its A/A spread. */
  rounds: number;
  /** Writer updates per second in each room. */
  updatesPerSecond: number;
  /** Writes before the window opens (delivered, not counted), seconds. */
  warmupSeconds: number;
  /** How long the window stays open, seconds (at least; see minDeliveries). */
  seconds: number;
  /**
   * Deliveries a window should sum at the least: a size that makes fewer in `seconds` (1x10 makes
   * 45 a second) keeps its window open longer, so its CPU is read over enough events and clock ticks.
   */
  minDeliveries: number;
}

/** How long a CPU window of `size` stays open, seconds. */
export function cpuWindowSeconds(size: FanoutSize, cfg: CpuConfig): number {
  const perSecond = size.rooms * (size.clients - 1) * cfg.updatesPerSecond;
  return Math.max(cfg.seconds, Math.ceil(cfg.minDeliveries / perSecond));
}

export interface CapacityConfig {
  clients: number;
  updatesPerSecond: number;
  /** Active rooms at each step, rising. */
  steps: number[];
  /** Writes after a step's rooms joined, before its window opens, seconds. */
  warmupSeconds: number;
  seconds: number;
  /** A step holds while its p99 is at most this and nothing is lost. */
  p99BoundMs: number;
}

export interface BenchConfig {
  scale: 'tiny' | 'full';
  only: Measure[];
  /** Mobflow's production tricks left out in this run (none by default: Mobflow as npm start runs it). */
  without: Trick[];
  cpu: CpuConfig;
  capacity: CapacityConfig;
  presenceClients: number;
  /** Awareness updates per second per client. */
  presenceHz: number;
  presenceSeconds: number;
  decisions: number;
  /** Sequential joins measured against the decision-heavy session. */
  joins: number;
  concurrentJoins: number;
  idleSessions: number;
  /** Browser loads of the session page (0: skip; it needs chromium and a production build). */
  pageLoads: number;
}

const FULL: Omit<BenchConfig, 'only' | 'without'> = {
  scale: 'full',
  cpu: {
    sizes: [
      { rooms: 1, clients: 10 },
      { rooms: 100, clients: 8 },
      { rooms: 500, clients: 8 },
      { rooms: 20, clients: 50 },
    ],
    rounds: 2,
    updatesPerSecond: 5,
    warmupSeconds: 2,
    seconds: 10,
    minDeliveries: 1_200,
  },
  capacity: {
    clients: 8,
    updatesPerSecond: 5,
    // Every 100 rooms up to 1,000, then every 200: the last held step is known to 10-20 % where
    // a 2-core VM runs out, and a run that stops at 700 rooms spends about 100 s per server.
    steps: [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1200, 1400, 1600, 1800, 2000],
    warmupSeconds: 2,
    seconds: 8,
    p99BoundMs: 50,
  },
  presenceClients: 200,
  presenceHz: 1,
  presenceSeconds: 10,
  decisions: 10_000,
  joins: 50,
  concurrentJoins: 100,
  idleSessions: 500,
  pageLoads: 20,
};

const TINY: Omit<BenchConfig, 'only' | 'without'> = {
  scale: 'tiny',
  cpu: {
    sizes: [
      { rooms: 1, clients: 3 },
      { rooms: 4, clients: 3 },
    ],
    rounds: 2,
    updatesPerSecond: 10,
    warmupSeconds: 0.3,
    seconds: 1,
    minDeliveries: 0,
  },
  capacity: { clients: 3, updatesPerSecond: 5, steps: [2, 4], warmupSeconds: 0.3, seconds: 1, p99BoundMs: 50 },
  presenceClients: 8,
  presenceHz: 2,
  presenceSeconds: 1,
  decisions: 200,
  joins: 3,
  concurrentJoins: 10,
  idleSessions: 10,
  pageLoads: 0,
};

/** "100x8,500x8" -> sizes; throws on anything else. */
export function parseSizes(list: string): FanoutSize[] {
  return list.split(',').map((s) => {
    const m = /^(\d+)x(\d+)$/.exec(s.trim());
    if (!m) throw new Error(`sizes are ROOMSxCLIENTS, e.g. 500x8, not "${s}"`);
    return { rooms: Number(m[1]), clients: Number(m[2]) };
  });
}

const Env = z.object({
  BENCH_SCALE: z.enum(['tiny', 'full']).default('full'),
  BENCH_SECONDS: z.coerce.number().positive().max(120).optional(),
  BENCH_ROUNDS: z.coerce.number().int().min(2).max(8).optional(),
  BENCH_ONLY: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(',').map((x) => x.trim()) : [...MEASURES]))
    .pipe(z.array(z.enum(MEASURES)).min(1)),
  BENCH_WITHOUT: z.string().optional(),
  BENCH_SIZES: z.string().optional(),
});

export function benchConfig(env: Record<string, string | undefined>, overrides: Partial<BenchConfig> = {}): BenchConfig {
  const e = Env.parse(env);
  const base = e.BENCH_SCALE === 'tiny' ? TINY : FULL;
  const seconds = e.BENCH_SECONDS;
  return {
    ...base,
    only: e.BENCH_ONLY,
    without: parseTricks(e.BENCH_WITHOUT),
    cpu: {
      ...base.cpu,
      ...(seconds ? { seconds } : {}),
      ...(e.BENCH_ROUNDS ? { rounds: e.BENCH_ROUNDS } : {}),
      ...(e.BENCH_SIZES ? { sizes: parseSizes(e.BENCH_SIZES) } : {}),
    },
    capacity: { ...base.capacity, ...(seconds ? { seconds } : {}) },
    ...(seconds ? { presenceSeconds: seconds } : {}),
    ...overrides,
  };
}

export function sizeName(s: FanoutSize): string {
  return `${s.rooms}x${s.clients}`;
}
