/**
 * `npm run bench`: runs the benchmark, prints the table and then one JSON line with every figure.
 * Knobs: BENCH_SCALE=tiny|full, BENCH_SECONDS=<load seconds per scenario>, BENCH_PIN=off (no CPU pinning).
 */
import { runBenchmark } from './bench';
import { benchConfig } from './config';
import { setUpPinning } from './pinning';
import { checkTargets, renderTable } from './report';

const cfg = benchConfig(process.env);
const result = await runBenchmark(cfg, (line) => process.stderr.write(`[bench] ${line}\n`), setUpPinning(process.env));
process.stdout.write(`${renderTable(result)}\n`);
process.stdout.write(`${JSON.stringify({ ...result, targets: checkTargets(result) })}\n`);
