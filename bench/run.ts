/**
 * `npm run bench`: runs the benchmark, prints the tables and targets, then one JSON line with every figure.
 * Knobs (bench/config.ts): BENCH_SCALE=tiny|full, BENCH_SECONDS, BENCH_ROUNDS, BENCH_ONLY=cpu,capacity,sessions,page,
 * BENCH_WITHOUT=<Mobflow tricks to leave out>, BENCH_PIN=off (no CPU pinning). `--cluster`: bench/cluster.ts instead.
 */
import { runBenchmark } from './bench';
import { benchConfig } from './config';
import { setUpPinning } from './pinning';
import { checkTargets, renderTable } from './report';

if (process.argv.includes('--cluster')) {
  // `npm run bench -- --cluster`: the cluster's figures, a run of its own (bench/cluster.ts).
  await import('./cluster');
  process.exit(0);
}
const cfg = benchConfig(process.env);
const t0 = performance.now();
// Each progress line says how far into the run it is: the whole run must stay under 15 minutes.
const log = (line: string) => process.stderr.write(`[bench ${Math.round((performance.now() - t0) / 1000)} s] ${line}\n`);
const result = await runBenchmark(cfg, log, setUpPinning(process.env));
process.stdout.write(`${renderTable(result)}\n`);
process.stdout.write(`${JSON.stringify({ ...result, targets: checkTargets(result) })}\n`);
