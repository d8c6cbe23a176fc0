/**
 * The human-readable table and the target checks of the issue, from one BenchResult.
 */
import type { BenchResult } from './bench';
import type { FanoutResult } from './fanout';
import { SERVER_KINDS } from './servers';
import { toMb } from './stats';

/** Targets from the issue (same machine, same run). */
export const TARGET = {
  presenceP99Ms: 100,
  decisionJoinP99Ms: 250,
  idleSessionBytes: 100 * 1024,
  rssReturnRatio: 0.1,
  pageInteractiveMs: 1000,
} as const;

export interface TargetCheck {
  target: string;
  ok: boolean;
  detail: string;
}

type FanoutFigures = Pick<FanoutResult, 'latency' | 'roundsP99'>;

/**
 * The two median p99s, and how the rounds compare: each server's range, and in how many of the
 * paired rounds (round i ran back to back on both servers) Mobflow's p99 was not above the
 * reference's. On a shared VM one round's stall moves a median of five; the pairs show whether a
 * miss is a pattern or one round.
 */
export function fanoutDetail(m: FanoutFigures, ref: FanoutFigures): string {
  const base = `${m.latency.p99} vs ${ref.latency.p99} ms`;
  const { pairs, notAbove } = pairedRounds(m.roundsP99, ref.roundsP99);
  if (pairs < 2) return base;
  const range = (xs: readonly number[]) => `${Math.min(...xs)}-${Math.max(...xs)}`;
  return `${base}; rounds ${range(m.roundsP99)} vs ${range(ref.roundsP99)} ms, not above the reference in ${notAbove} of ${pairs} paired rounds`;
}

/** Round i of `a` against round i of `b`, over the rounds both ran: in how many `a` was not above `b`. */
export function pairedRounds(a: readonly number[], b: readonly number[]): { pairs: number; notAbove: number } {
  const pairs = Math.min(a.length, b.length);
  let notAbove = 0;
  for (let i = 0; i < pairs; i++) if ((a[i] ?? Infinity) <= (b[i] ?? -Infinity)) notAbove++;
  return { pairs, notAbove };
}

export function checkTargets(r: BenchResult): TargetCheck[] {
  const m = r.servers.mobflow;
  const ref = r.servers.reference;
  const out: TargetCheck[] = [];
  m.fanout.forEach((f, i) => {
    const rf = ref.fanout[i];
    if (!rf) return;
    out.push({ target: `${f.name} p99 <= reference`, ok: f.latency.p99 <= rf.latency.p99, detail: fanoutDetail(f, rf) });
    out.push({ target: `${f.name} 0 lost`, ok: f.delivered === f.expected, detail: `${f.delivered}/${f.expected}` });
  });
  if (m.presence) {
    const p = m.presence;
    out.push({ target: `${p.name} p99 <= ${TARGET.presenceP99Ms} ms`, ok: p.latency.p99 <= TARGET.presenceP99Ms, detail: `${p.latency.p99} ms` });
  }
  if (m.join) {
    const j = m.join;
    out.push({ target: `${j.name} p99 <= ${TARGET.decisionJoinP99Ms} ms`, ok: j.warm.p99 <= TARGET.decisionJoinP99Ms, detail: `warm p99 ${j.warm.p99} ms, cold ${j.coldMs} ms` });
  }
  if (m.idle) {
    const kb = Math.round(m.idle.perSession / 1024);
    out.push({ target: `idle loaded session <= ${TARGET.idleSessionBytes / 1024} KB`, ok: m.idle.perSession <= TARGET.idleSessionBytes, detail: `${kb} KB` });
  }
  if (m.closed) {
    const pct = Math.round(m.closed.growth * 1000) / 10;
    out.push({ target: `RSS after close within ${TARGET.rssReturnRatio * 100}% of baseline`, ok: m.closed.growth <= TARGET.rssReturnRatio, detail: `${pct}% (${toMb(m.closed.afterClose)} vs ${toMb(m.closed.baseline)} MB)` });
  }
  const page = r.page;
  if (page && page.skipped === undefined) {
    const p95 = page.warm.count > 0 ? page.warm.interactive.p95 : page.cold.interactiveMs;
    out.push({
      target: `session page interactive < ${TARGET.pageInteractiveMs} ms (p95 of loads after the first)`,
      ok: p95 < TARGET.pageInteractiveMs,
      detail: `p95 ${p95} ms, p50 ${page.warm.interactive.p50} ms, first load ${page.cold.interactiveMs} ms`,
    });
  }
  return out;
}

export function renderTable(r: BenchResult): string {
  const rows: string[][] = [['scenario', 'server', 'p50', 'p95', 'p99', 'max ms', 'delivered/expected', 'cpu avg/peak %', 'gen cpu %', 'peak rss MB', 'p99 per round']];
  const count = r.servers.mobflow.fanout.length;
  for (let i = 0; i < count; i++) {
    for (const kind of SERVER_KINDS) {
      const f = r.servers[kind].fanout[i];
      if (!f) continue;
      const delivered = `${f.delivered}/${f.expected}${f.duplicates ? ` (+${f.duplicates} dup)` : ''}`;
      rows.push([f.name, kind, ...lat(f.latency), delivered, cpu(f.usage), `${Math.round(f.usage.generatorCpuPercent)}`, `${toMb(f.usage.peakRss)}`, f.roundsP99.join(' / ')]);
    }
  }
  for (const kind of SERVER_KINDS) {
    const p = r.servers[kind].presence;
    if (p) rows.push([p.name, kind, ...lat(p.latency), `${p.delivered}/${p.expected}`, cpu(p.usage), `${Math.round(p.usage.generatorCpuPercent)}`, `${toMb(p.usage.peakRss)}`]);
  }
  for (const kind of SERVER_KINDS) {
    const j = r.servers[kind].join;
    if (j) rows.push([`${j.name} (warm; cold ${j.coldMs} ms${j.coldUnloaded ? '' : ', room in memory'})`, kind, `${j.warm.p50}`, `${j.warm.p95}`, `${j.warm.p99}`, `${j.warm.max}`, `${j.decisionsSeen} seen, ${Math.round(j.docBytes / 1024)} KB doc`, '', '', '']);
  }
  for (const kind of SERVER_KINDS) {
    const s = r.servers[kind].storm;
    if (s) rows.push([s.name, kind, ...lat(s.joins), `${s.joined}/${s.expected} joined`, '', '', '']);
  }
  const lines = [formatRows(rows), ''];
  const mem: string[][] = [['server', 'baseline MB', 'idle session KB', 'after close MB', 'rooms left', 'peak rss MB', 'cpu s']];
  for (const kind of SERVER_KINDS) {
    const s = r.servers[kind];
    mem.push([
      kind,
      `${toMb(s.baselineRss)}`,
      s.idle ? `${Math.round(s.idle.perSession / 1024)} (${s.idle.sessions} sessions)` : '',
      s.closed ? `${toMb(s.closed.afterClose)} (${Math.round(s.closed.growth * 1000) / 10}%)` : '',
      s.closed ? `${s.closed.roomsLeft}` : '',
      `${toMb(s.peakRss)}`,
      `${Math.round(s.cpuMs / 100) / 10}`,
    ]);
  }
  lines.push(formatRows(mem));
  lines.push('', ...pageLines(r));
  for (const kind of SERVER_KINDS) for (const e of r.servers[kind].errors) lines.push(`FAILED on ${kind}: ${e}`);
  lines.push('', 'targets (Mobflow):');
  for (const t of checkTargets(r)) lines.push(`  ${t.ok ? 'ok  ' : 'MISS'} ${t.target}: ${t.detail}`);
  const m = r.machine;
  const pinned = m.serverCpu === null ? 'not pinned' : `servers pinned to cpu ${m.serverCpu}, load generator to cpu ${m.generatorCpu}`;
  lines.push('', `machine: ${m.cpus} cpus (${m.model}), node ${m.node}, ${m.platform}; ${pinned}; run took ${r.durationS} s`);
  lines.push(`fan-out: median of ${r.config.rounds} interleaved rounds per server, ${r.config.warmupSeconds} s warm-up (delivered, not timed) before ${r.config.seconds} s timed`);
  return lines.join('\n');
}

function pageLines(r: BenchResult): string[] {
  if (r.pageError) return [`session page FAILED: ${r.pageError}`];
  const page = r.page;
  if (!page) return ['session page: not run (pageLoads 0)'];
  if (page.skipped !== undefined) return [`session page: skipped (${page.skipped})`];
  const w = page.warm;
  const rows: string[][] = [['session page (ms from navigation start)', 'p50', 'p95', 'max', 'first load']];
  rows.push(['interactive (join dialog focused, handlers attached)', `${w.interactive.p50}`, `${w.interactive.p95}`, `${w.interactive.max}`, `${page.cold.interactiveMs}`]);
  rows.push(['first contentful paint', w.fcp ? `${w.fcp.p50}` : '-', w.fcp ? `${w.fcp.p95}` : '-', w.fcp ? `${w.fcp.max}` : '-', `${page.cold.fcpMs ?? '-'}`]);
  rows.push(['live (websocket open, doc synced)', `${w.synced.p50}`, `${w.synced.p95}`, `${w.synced.max}`, `${page.cold.syncedMs}`]);
  rows.push([`returning member: live and in the roster`, `${page.live.liveMs}`, '', '', '']);
  return [formatRows(rows), `(${page.loads} loads, each in a fresh browser context, the browser on ${page.browserCpus} cpus; p50..max over the ${w.count} after the first)`];
}

function lat(l: { p50: number; p95: number; p99: number; max: number }): string[] {
  return [l.p50, l.p95, l.p99, l.max].map(String);
}

function cpu(u: { cpuPercent: number; peakCpuPercent: number }): string {
  return `${Math.round(u.cpuPercent)}/${Math.round(u.peakCpuPercent)}`;
}

function formatRows(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd()).join('\n');
}
