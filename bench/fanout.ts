/**
 * Fan-out: rooms x clients, one writer per room at a fixed rate; every other client in the room
 * must observe every update. Latency is writer's send -> reader's receipt, in this process.
 * The first `warmupSeconds` of writes are delivered and counted but not timed: they measure the
 * JIT warming up on both servers, not steady state.
 */
import { closeAll, connectMany, LeanClient, Writer } from './client';
import type { BenchConfig, FanoutSize } from './config';
import { sampleUsage, type Usage } from './procstat';
import type { BenchServer } from './servers';
import { delay, type LatencySummary, summarize, until } from './stats';

/** After the last write, how long readers may take to receive everything before the rest counts as lost. */
const DRAIN_TIMEOUT_MS = 10_000;

export interface FanoutResult {
  name: string;
  rooms: number;
  clients: number;
  latency: LatencySummary;
  delivered: number;
  expected: number;
  /** Updates a reader received twice (should be 0). */
  duplicates: number;
  usage: Usage;
  /** p99 of every round, in run order; `latency` and `usage` are the median round's. */
  roundsP99: number[];
}

/**
 * One figure from several rounds of the same scenario: the round with the median p99 (its whole
 * summary, so p50..max stay consistent), with deliveries summed over all rounds.
 */
export function medianRound(rounds: readonly FanoutResult[]): FanoutResult {
  const byP99 = [...rounds].sort((a, b) => a.latency.p99 - b.latency.p99);
  const median = byP99[Math.floor((byP99.length - 1) / 2)];
  if (!median) throw new Error('no rounds');
  return {
    ...median,
    delivered: rounds.reduce((n, r) => n + r.delivered, 0),
    expected: rounds.reduce((n, r) => n + r.expected, 0),
    duplicates: rounds.reduce((n, r) => n + r.duplicates, 0),
    roundsP99: rounds.map((r) => r.latency.p99),
  };
}

/** Which server goes first alternates from round to round, so neither always runs right after the other. */
export function roundOrder<T>(round: number, servers: readonly T[]): T[] {
  return round % 2 === 0 ? [...servers] : [...servers].reverse();
}

export async function runFanout(server: BenchServer, size: FanoutSize, cfg: BenchConfig): Promise<FanoutResult> {
  const rooms = await server.createRooms(size.rooms);
  const warmupWrites = Math.round(cfg.warmupSeconds * cfg.updatesPerSecond);
  const writesPerRoom = warmupWrites + Math.max(1, Math.round(cfg.seconds * cfg.updatesPerSecond));
  const writers: Writer[] = [];
  const latencies: number[] = [];
  let delivered = 0;
  let duplicates = 0;

  const { clients } = await connectMany(size.rooms * size.clients, (i) => {
    const r = Math.floor(i / size.clients);
    const url = server.roomUrl(rooms[r] ?? '');
    // Connections are opened in index order, so each room's writer (index 0) exists before its readers.
    if (i % size.clients === 0) {
      const w = new Writer(new LeanClient(url));
      writers[r] = w;
      return w.client;
    }
    const writer = writers[r];
    const seen = new Set<number>();
    return new LeanClient(url, {
      onUpdate(m, at) {
        if (!writer || m.client !== writer.clientId) return;
        const sent = writer.sentAt[m.clock];
        if (sent === undefined) return;
        if (seen.has(m.clock)) {
          duplicates++;
          return;
        }
        seen.add(m.clock);
        delivered++;
        if (m.clock >= warmupWrites) latencies.push(at - sent);
      },
    });
  });

  const usage = sampleUsage(server.pid);
  const periodMs = 1000 / cfg.updatesPerSecond;
  await Promise.all(
    writers.map(async (w) => {
      // Stagger the rooms across one period so the server sees a steady rate, not bursts.
      await delay(Math.random() * periodMs);
      const start = performance.now();
      for (let k = 0; k < writesPerRoom; k++) {
        w.write();
        await delay(Math.max(0, start + (k + 1) * periodMs - performance.now()));
      }
    }),
  );
  const expected = size.rooms * writesPerRoom * (size.clients - 1);
  await until(() => delivered >= expected, DRAIN_TIMEOUT_MS);
  const used = usage.stop();
  await closeAll(clients);
  for (const w of writers) w.doc.destroy();
  // The next scenario, on either server, shares the server CPU: let this one finish unloading first.
  await server.settle();
  return {
    name: `fan-out ${size.rooms}x${size.clients}`,
    rooms: size.rooms,
    clients: size.clients,
    latency: summarize(latencies),
    delivered,
    expected,
    duplicates,
    usage: used,
    roundsP99: [],
  };
}
