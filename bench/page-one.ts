/**
 * The page-load scenario alone (production build, UI on, Debian chromium, loopback):
 *   MOBFLOW_DIST_DIR=.next-page BENCH_PAGE_LOADS=20 npx tsx bench/page-one.ts
 * Prints one JSON line: the PageResult plus the 1-minute load average before and after (the
 * browser, the server and this process share the machine's cores with whatever else runs).
 */
import { loadavg } from 'node:os';
import { DEFAULT_PAGE_LOADS, runPageLoad } from './page';

const loads = Number(process.env.BENCH_PAGE_LOADS ?? DEFAULT_PAGE_LOADS);
const before = loadavg()[0] ?? Number.NaN;
const result = await runPageLoad({ loads, distDir: process.env.MOBFLOW_DIST_DIR });
const after = loadavg()[0] ?? Number.NaN;
console.log(JSON.stringify({ ...result, loadAverage1m: [round2(before), round2(after)] }));

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
