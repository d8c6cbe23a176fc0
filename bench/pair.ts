/**
 * Two servers, fan-out sizes in turn, rounds interleaved exactly as in `npm run bench` (each round
 * on the server core with the other server frozen, one room held open on each). With the default pair,
 * the reference against a second copy of itself (an A/A run), it measures the harness: how far apart
 * two identical servers come out, which is the least difference between Mobflow and the reference
 * that one run can tell from noise.
 *   BENCH_PAIR=reference,reference BENCH_SIZES=100x8,500x8 [BENCH_ROUNDS=5] npx tsx bench/pair.ts
 */
import { z } from 'zod';
import { benchConfig } from './config';
import { type FanoutResult, medianRound, roundOrder, runFanout } from './fanout';
import { setUpPinning } from './pinning';
import { pairedRounds } from './report';
import { type BenchServer, SERVER_KINDS, startServer, takeCore } from './servers';

const Env = z.object({
  BENCH_PAIR: z
    .string()
    .default('reference,reference')
    .transform((s) => s.split(','))
    .pipe(z.tuple([z.enum(SERVER_KINDS), z.enum(SERVER_KINDS)])),
  BENCH_SIZES: z
    .string()
    .default('500x8')
    .transform((s) => s.split(','))
    .pipe(z.array(z.string().regex(/^\d+x\d+$/, 'sizes are ROOMSxCLIENTS, e.g. 500x8')))
    .transform((list) => list.map((s) => ({ rooms: Number(s.split('x')[0]), clients: Number(s.split('x')[1]) }))),
});

const env = Env.parse(process.env);
const cfg = benchConfig(process.env);
const pinning = setUpPinning(process.env);
const servers: BenchServer[] = [];
try {
  for (const kind of env.BENCH_PAIR) servers.push(await startServer(kind, pinning));
  const releases = await Promise.all(servers.map((s) => s.holdRoom()));
  const lines: string[] = [];
  for (const size of env.BENCH_SIZES) {
    const rounds = servers.map((): FanoutResult[] => []);
    for (let round = 0; round < cfg.rounds; round++) {
      for (const i of roundOrder(round, [0, 1])) {
        const s = servers[i];
        if (!s) continue;
        await takeCore(s, servers);
        rounds[i]?.push(await runFanout(s, size, cfg));
      }
    }
    lines.push(...describe(size, rounds.map((r) => medianRound(r))));
  }
  for (const s of servers) s.resume();
  for (const release of releases) await release();
  console.log(lines.join('\n'));
} finally {
  await Promise.all(servers.map((s) => s.stop()));
}

function describe(size: { rooms: number; clients: number }, [a, b]: FanoutResult[]): string[] {
  if (!a || !b) throw new Error('no rounds');
  const [ka, kb] = env.BENCH_PAIR;
  const { pairs, notAbove } = pairedRounds(a.roundsP99, b.roundsP99);
  const cpu = (r: FanoutResult) => Math.round(r.usage.cpuPercent);
  return [
    `fan-out ${size.rooms}x${size.clients}, ${cfg.rounds} rounds each`,
    `  A ${ka}: median p99 ${a.latency.p99} ms (p50 ${a.latency.p50}, cpu ${cpu(a)} %); rounds ${a.roundsP99.join(' / ')}`,
    `  B ${kb}: median p99 ${b.latency.p99} ms (p50 ${b.latency.p50}, cpu ${cpu(b)} %); rounds ${b.roundsP99.join(' / ')}`,
    `  A/B median p99 ${(a.latency.p99 / b.latency.p99).toFixed(2)}; A not above B in ${notAbove} of ${pairs} paired rounds; lost ${a.expected - a.delivered + b.expected - b.delivered}`,
  ];
}
