/**
 * One fan-out scenario against Mobflow alone, for A/B comparisons of a server change:
 *   BENCH_ROOMS=500 BENCH_CLIENTS=8 BENCH_SECONDS=10 npx tsx bench/fanout-one.ts
 * Prints the latency summary, delivered/expected and the server's average CPU.
 */
import { benchConfig } from './config';
import { runFanout } from './fanout';
import { startServer } from './servers';

const rooms = Number(process.env.BENCH_ROOMS ?? 500);
const clients = Number(process.env.BENCH_CLIENTS ?? 8);
const server = await startServer('mobflow');
try {
  const r = await runFanout(server, { rooms, clients }, benchConfig(process.env));
  console.log(JSON.stringify({ rooms, clients, latency: r.latency, delivered: r.delivered, expected: r.expected, cpuPercent: Math.round(r.usage.cpuPercent) }));
} finally {
  await server.stop();
}
