/**
 * What each of Mobflow's production tricks buys (bench/variants.ts): Mobflow as npm start runs it,
 * and once without each trick, measured side by side in one run on the pinned server core.
 *   npx tsx bench/tricks.ts
 *   BENCH_TRICKS=expose-gc,raw-frames  BENCH_SIZES=100x8,500x8  BENCH_ROUNDS=2  BENCH_SECONDS=15
 * Per build: CPU per delivered update at each size (rounds interleaved over the builds, so each
 * build's two rounds give its A/A spread), and memory: an idle loaded session, RSS once those
 * sessions closed, RSS once the 10,000-decision session (3.8 MB) was joined and unloaded, peak RSS
 * under the largest size, and RSS once the fan-out rounds are over and the server is idle again,
 * each against the build's own empty RSS.
 * Prints a table and one JSON line.
 */
import { z } from 'zod';
import { benchConfig, parseSizes, sizeName } from './config';
import { abbaOrder, type CpuRound, runUndisturbedCpuRound, serverFigures } from './cpu';
import { runDecisionJoin, seededDecisions } from './join';
import { closeAndMeasure, runIdleMemory, settledRss } from './memory';
import { setUpPinning } from './pinning';
import { peakRssBytes, rssBytes } from './procstat';
import { type BenchServer, startServer } from './servers';
import { delay, toMb } from './stats';
import { parseTricks, TRICK_WHAT, TRICKS, type Trick } from './variants';

const BASELINE_SETTLE_MS = 1_500;
/** After the last round: the idle release (two collections, 7 s) and the allocator's trimming. */
const IDLE_SETTLE_MS = 12_000;

const Env = z.object({
  BENCH_TRICKS: z.string().default(TRICKS.join(',')),
  BENCH_SIZES: z.string().default('100x8,500x8').transform(parseSizes),
});

interface Build {
  without: Trick | null;
  server: BenchServer;
  release: () => Promise<void>;
  baselineRss: number;
  rounds: Map<string, CpuRound[]>;
  idleSessionBytes: number;
  afterCloseGrowth: number;
  afterBigDocGrowth: number;
  peakRss: number;
  afterRoundsRss: number;
  failed: string | null;
}

const env = Env.parse(process.env);
const cfg = benchConfig(process.env);
const pinning = setUpPinning(process.env);
const variants: (Trick | null)[] = [null, ...parseTricks(env.BENCH_TRICKS)];
const log = (line: string) => process.stderr.write(`[tricks] ${line}\n`);
const builds: Build[] = [];
const seed = seededDecisions(cfg.decisions);
try {
  for (const without of variants) {
    const server = await startServer('mobflow', pinning, { without: without ? [without] : [], seed });
    await delay(BASELINE_SETTLE_MS);
    const baselineRss = rssBytes(server.pid);
    // Memory first, on a fresh process; then one room stays open through the rounds, as in npm run bench.
    log(`${server.label}: ${cfg.idleSessions} idle sessions`);
    const { result, clients } = await runIdleMemory(server, cfg);
    const closed = await closeAndMeasure(server, clients, baselineRss);
    // A big document loaded, encoded for joiners and unloaded: where the allocator's threshold matters.
    log(`${server.label}: the ${cfg.decisions}-decision session`);
    await runDecisionJoin(server, cfg);
    await server.collected();
    const afterBigDoc = await settledRss(server.pid);
    builds.push({
      without,
      server,
      release: await server.holdRoom(),
      baselineRss,
      rounds: new Map(),
      idleSessionBytes: result.perSession,
      afterCloseGrowth: closed.growth,
      afterBigDocGrowth: afterBigDoc / baselineRss - 1,
      peakRss: 0,
      afterRoundsRss: 0,
      failed: null,
    });
  }
  for (const size of env.BENCH_SIZES) {
    for (let round = 0; round < cfg.cpu.rounds; round++) {
      for (const b of abbaOrder(round, builds)) {
        if (b.failed) continue;
        let r: CpuRound;
        try {
          r = await runUndisturbedCpuRound(b.server, size, cfg.cpu);
        } catch (err) {
          // One build failing (its server died) leaves the others to finish.
          b.failed = String(err);
          log(`${b.server.label} FAILED: ${b.failed}`);
          continue;
        }
        const list = b.rounds.get(sizeName(size)) ?? [];
        list.push(r);
        b.rounds.set(sizeName(size), list);
        log(`${sizeName(size)} round ${round + 1} ${b.server.label}: ${r.usPerUpdate} µs per update (round ${r.roundUsPerUpdate}), p99 ${r.latency.p99} ms`);
      }
    }
  }
  const alive = builds.filter((b) => !b.failed);
  for (const b of alive) {
    b.peakRss = peakRssBytes(b.server.pid);
    await b.release();
  }
  await delay(IDLE_SETTLE_MS);
  for (const b of alive) b.afterRoundsRss = rssBytes(b.server.pid);
} finally {
  await Promise.all(builds.map((b) => b.server.stop()));
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${Math.round(x * 1000) / 10} %`;
const rows: string[][] = [['build', ...env.BENCH_SIZES.map((s) => `${sizeName(s)} µs/update (A/A; round)`), 'idle session KB', 'RSS after close', 'RSS after the big doc', 'peak RSS MB', 'RSS after the rounds']];
const summary = builds.map((b) => {
  const sizes = Object.fromEntries([...b.rounds].map(([name, list]) => [name, { ...serverFigures(list), roundUsPerUpdate: mean(list.map((r) => r.roundUsPerUpdate)) }]));
  rows.push([
    b.server.label,
    ...env.BENCH_SIZES.map((s) => {
      const f = sizes[sizeName(s)];
      return f ? `${f.usPerUpdate} (${pct(f.spread)}; ${f.roundUsPerUpdate})` : '-';
    }),
    `${Math.round(b.idleSessionBytes / 1024)}`,
    pct(b.afterCloseGrowth),
    pct(b.afterBigDocGrowth),
    `${toMb(b.peakRss)}`,
    `${toMb(b.afterRoundsRss)} MB (${pct(b.afterRoundsRss / b.baselineRss - 1)})`,
  ]);
  return { failed: b.failed, without: b.without, what: b.without ? TRICK_WHAT[b.without] : 'all tricks on', baselineRss: b.baselineRss, sizes, idleSessionBytes: b.idleSessionBytes, afterCloseGrowth: b.afterCloseGrowth, afterBigDocGrowth: b.afterBigDocGrowth, peakRss: b.peakRss, afterRoundsRss: b.afterRoundsRss };
});
const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length))) ?? [];
console.log(rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd()).join('\n'));
for (const b of builds) if (b.failed) console.log(`${b.server.label} FAILED: ${b.failed}`);
console.log(`(${cfg.cpu.rounds} rounds per build and size, ${cfg.cpu.seconds} s windows; A/A = the build's rounds apart; round = CPU over the whole round, joins and unload included, per delivery)`);
console.log(JSON.stringify({ config: { sizes: env.BENCH_SIZES, cpu: cfg.cpu, idleSessions: cfg.idleSessions, pinned: pinning.serverCpu !== null }, builds: summary }));

function mean(xs: readonly number[]): number {
  return Math.round((xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)) * 10) / 10;
}
