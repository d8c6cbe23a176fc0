/**
 * `npm run bench`: runs the benchmark, prints the table and then one JSON line with every figure.
 * Knobs: BENCH_SCALE=tiny|full, BENCH_SECONDS=<load seconds per scenario>, BENCH_PIN=off (no CPU pinning).
 */
import { runBenchmark } from './bench';
import { benchConfig } from './config';
import { setUpPinning } from './pinning';
import { checkTargets, renderTable } from './report';

const cfg = benchConfig(process.env);
const t0 = performance.now();
// Each progress line says how far into the run it is: the whole run must stay under 10 minutes.
const log = (line: string) => process.stderr.write(`[bench ${Math.round((performance.now() - t0) / 1000)} s] ${line}\n`);
const result = await runBenchmark(cfg, log, setUpPinning(process.env));
process.stdout.write(`${renderTable(result)}\n`);
process.stdout.write(`${JSON.stringify({ ...result, targets: checkTargets(result) })}\n`);
