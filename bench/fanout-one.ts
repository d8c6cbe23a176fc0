/**
 * One fan-out scenario against one server, for A/B comparisons of a server change:
 *   BENCH_ROOMS=500 BENCH_CLIENTS=8 BENCH_SECONDS=10 [BENCH_SERVER=reference] npx tsx bench/fanout-one.ts
 * Prints the latency summary, delivered/expected and the server's average CPU.
 */
import { benchConfig } from './config';
import { runFanout } from './fanout';
import { setUpPinning } from './pinning';
import { SERVER_KINDS, type ServerKind, startServer } from './servers';

const rooms = Number(process.env.BENCH_ROOMS ?? 500);
const clients = Number(process.env.BENCH_CLIENTS ?? 8);
const kind = (process.env.BENCH_SERVER ?? 'mobflow') as ServerKind;
if (!SERVER_KINDS.includes(kind)) throw new Error(`BENCH_SERVER must be one of ${SERVER_KINDS.join(', ')}`);
const server = await startServer(kind, setUpPinning(process.env));
try {
  const r = await runFanout(server, { rooms, clients }, benchConfig(process.env));
  console.log(JSON.stringify({ server: kind, rooms, clients, latency: r.latency, delivered: r.delivered, expected: r.expected, cpuPercent: Math.round(r.usage.cpuPercent), generatorCpuPercent: Math.round(r.usage.generatorCpuPercent) }));
} finally {
  await server.stop();
}
