/**
 * The human-readable tables and the issue's target checks, from one BenchResult.
 */
import { BUNDLE_BUDGET_BYTES } from '../scripts/check-bundle.mjs';
import type { BenchResult } from './bench';
import type { CapacityResult } from './capacity';
import { type CpuSizeResult, decided, noiseOf } from './cpu';
import { DISTURBED_PERCENT } from './load';
import { SERVER_KINDS } from './servers';
import { toMb } from './stats';
import { tricksLabel } from './variants';

/** Targets from issue 30 (same machine, same run). */
export const TARGET = {
  /** Mobflow's CPU per delivered update over the reference's, at every size. */
  cpuPerUpdateRatio: 1.0,
  /** Mobflow's capacity over the reference's. */
  capacityRatio: 1.0,
  presenceP99Ms: 100,
  decisionJoinP99Ms: 250,
  idleSessionBytes: 50 * 1024,
  rssReturnRatio: 0.1,
  pageInteractiveMs: 1000,
  /** Everything /s/<id> loads until it is live, gzipped (scripts/check-bundle.mjs). */
  pageScriptBytes: BUNDLE_BUDGET_BYTES,
} as const;

export interface TargetCheck {
  target: string;
  ok: boolean;
  detail: string;
}

const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** The CPU target's detail: the ratio, both figures, each server's A/A spread, and whether the run tells them apart. */
export function cpuDetail(r: CpuSizeResult): string {
  const m = r.servers.mobflow;
  const ref = r.servers.reference;
  if (!m || !ref || r.ratio === null) return 'not measured on both servers';
  const verdict = decided(r) ? 'a real difference in this run' : 'within the noise: not decided by this run';
  // The clock tick is worth naming only where it, not the A/A spread, sets the noise.
  const tick = Math.max(noiseOf(m), noiseOf(ref)) > Math.max(m.spread, ref.spread) ? `, clock tick ${pct(m.resolution)} / ${pct(ref.resolution)}` : '';
  return `${r.ratio.toFixed(2)}x (${m.usPerUpdate} vs ${ref.usPerUpdate} µs; A/A spread ${pct(m.spread)} / ${pct(ref.spread)}${tick}: ${verdict})`;
}

/** The capacity target's detail: both servers' last held steps and their ratio. */
export function capacityDetail(m: CapacityResult, ref: CapacityResult): string {
  const rooms = (c: CapacityResult) => `${c.top ? '>= ' : ''}${c.rooms}`;
  const ratio = ref.rooms > 0 ? `${(m.rooms / ref.rooms).toFixed(2)}x` : 'the reference held no step';
  return `${rooms(m)} vs ${rooms(ref)} rooms (${ratio})`;
}

export function checkTargets(r: BenchResult): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const size of r.cpu?.sizes ?? []) {
    out.push({ target: `CPU per delivered update ${size.name} <= ${TARGET.cpuPerUpdateRatio}x the reference`, ok: size.ratio !== null && size.ratio <= TARGET.cpuPerUpdateRatio, detail: cpuDetail(size) });
    const lost = SERVER_KINDS.map((k) => {
      const f = size.servers[k];
      return f ? `${k} ${f.lost} lost, ${f.duplicates} duplicated, ${f.closedClients} closed` : `${k} not measured`;
    });
    const clean = SERVER_KINDS.every((k) => {
      const f = size.servers[k];
      return f !== undefined && f.lost === 0 && f.duplicates === 0 && f.closedClients === 0;
    });
    out.push({ target: `fan-out ${size.name} 0 lost on both servers`, ok: clean, detail: lost.join('; ') });
  }
  const cm = r.capacity?.mobflow;
  const cr = r.capacity?.reference;
  if (cm && cr) {
    const ok = cm.rooms > 0 && (cr.top ? cm.top : cm.rooms >= cr.rooms * TARGET.capacityRatio);
    out.push({ target: `capacity at p99 <= ${r.config.capacity.p99BoundMs} ms >= ${TARGET.capacityRatio}x the reference`, ok, detail: capacityDetail(cm, cr) });
  }
  const s = r.sessions?.mobflow;
  if (s?.presence) {
    const p = s.presence;
    out.push({ target: `${p.name} p99 <= ${TARGET.presenceP99Ms} ms`, ok: p.latency.p99 <= TARGET.presenceP99Ms && p.delivered === p.expected, detail: `${p.latency.p99} ms, ${p.delivered}/${p.expected} delivered` });
  }
  if (s?.join) {
    const j = s.join;
    out.push({
      target: `${j.name} p99 <= ${TARGET.decisionJoinP99Ms} ms`,
      ok: j.warm.p99 <= TARGET.decisionJoinP99Ms && j.decisionsSeen === r.config.decisions,
      detail: `warm p99 ${j.warm.p99} ms, cold ${j.coldMs} ms; ${j.decisionsSeen} decisions seen`,
    });
  }
  if (s?.idle) {
    const i = s.idle;
    out.push({
      target: `idle loaded session <= ${TARGET.idleSessionBytes / 1024} KB`,
      ok: i.perSession <= TARGET.idleSessionBytes && i.closedClients === 0,
      detail: `${Math.round(i.perSession / 1024)} KB${i.closedClients ? `; ${i.closedClients} clients closed by the server` : ''}`,
    });
  }
  if (s?.closed) {
    const c = s.closed;
    out.push({ target: `RSS after close within ${TARGET.rssReturnRatio * 100} % of the empty server`, ok: c.growth <= TARGET.rssReturnRatio, detail: `${pct(c.growth)} (${toMb(c.afterClose)} vs ${toMb(c.baseline)} MB)` });
  }
  const page = r.page;
  if (page && page.skipped === undefined) {
    const p95 = page.warm.count > 0 ? page.warm.interactive.p95 : page.cold.interactiveMs;
    out.push({
      target: `session page interactive < ${TARGET.pageInteractiveMs} ms (p95 of loads after the first)`,
      ok: p95 < TARGET.pageInteractiveMs,
      detail: `p95 ${p95} ms, p50 ${page.warm.interactive.p50} ms, first load ${page.cold.interactiveMs} ms`,
    });
    const b = page.bundle;
    out.push({
      target: `JS of /s/<id> until live <= ${kb(TARGET.pageScriptBytes)} gz`,
      ok: b.totalGzipBytes <= TARGET.pageScriptBytes,
      detail: `${kb(b.totalGzipBytes)} (first load ${kb(b.firstLoadGzipBytes)} + session chunk ${kb(b.sessionGzipBytes)})`,
    });
  }
  return out;
}

export function renderTable(r: BenchResult): string {
  const lines: string[] = [];
  if (r.cpu) lines.push(cpuTable(r.cpu.sizes), '');
  if (r.capacity) lines.push(...capacityLines(r), '');
  if (r.sessions) lines.push(sessionsTable(r), '', memoryTable(r), '');
  lines.push(...pageLines(r));
  for (const e of r.errors) lines.push(`FAILED: ${e}`);
  lines.push('', `targets (Mobflow${tricksLabel(r.config.without)}):`);
  for (const t of checkTargets(r)) lines.push(`  ${t.ok ? 'ok  ' : 'MISS'} ${t.target}: ${t.detail}`);
  const m = r.machine;
  const pinned = m.serverCpu === null ? 'not pinned' : `servers pinned to cpu ${m.serverCpu}, load generator to cpu ${m.generatorCpu}`;
  lines.push('', `machine: ${m.cpus} cpus (${m.model}), node ${m.node}, ${m.platform}; ${pinned}; run took ${r.durationS} s`);
  const c = r.config.cpu;
  lines.push(`CPU per update: ${c.rounds} rounds per server and size (ABBA), ${c.warmupSeconds} s of writes before a ${c.seconds} s window, ${c.updatesPerSecond} updates/s per room`);
  return lines.join('\n');
}

function cpuTable(sizes: readonly CpuSizeResult[]): string {
  const rows = [['CPU per delivered update', 'server', 'µs (mean)', 'rounds µs', 'A/A spread', 'deliveries/round', 'ratio', 'lost', 'core: others / steal %', 'gen cpu %']];
  for (const size of sizes) {
    for (const kind of SERVER_KINDS) {
      const f = size.servers[kind];
      if (!f) continue;
      const core = f.rounds.map((x) => `${x.serverCore ? `${x.serverCore.othersPercent}/${x.serverCore.stealPercent}` : '-'}${x.attempts > 1 ? ` (${x.attempts} tries)` : ''}`).join(', ');
      rows.push([
        size.name,
        kind,
        `${f.usPerUpdate}`,
        f.rounds.map((x) => x.usPerUpdate).join(' / '),
        pct(f.spread),
        f.rounds.map((x) => x.received).join(' / '),
        kind === 'mobflow' && size.ratio !== null ? `${size.ratio.toFixed(2)}x` : '',
        `${f.lost}`,
        core,
        f.rounds.map((x) => Math.round(x.generatorCpuPercent)).join(' / '),
      ]);
    }
  }
  return formatRows(rows);
}

function capacityLines(r: BenchResult): string[] {
  const rows = [['capacity (rooms x 8, 5 updates/s)', 'held', 'p99 ms per step (rooms: p99)', 'stopped by', 'server cpu % at last held']];
  for (const kind of SERVER_KINDS) {
    const c = r.capacity?.[kind];
    if (!c) continue;
    const last = c.steps.filter((s) => s.held).pop();
    const miss = c.steps[c.steps.length - 1];
    rows.push([
      c.server,
      `${c.top ? '>= ' : ''}${c.rooms}`,
      c.steps.map((s) => `${s.rooms}${s.retry ? "'" : ''}: ${s.latency.p99}${s.disturbed ? '*' : ''}`).join(', '),
      miss && !miss.held ? miss.why : 'the last step held',
      last ? `${last.serverCpuPercent}` : '-',
    ]);
  }
  return [
    formatRows(rows),
    `(a step holds at p99 <= ${r.config.capacity.p99BoundMs} ms with nothing lost; ' = the step run again after a slow window; * = other processes took >= ${DISTURBED_PERCENT} % of the server core in that window)`,
  ];
}

function sessionsTable(r: BenchResult): string {
  const rows = [['scenario', 'server', 'p50', 'p95', 'p99', 'max ms', 'delivered/expected']];
  const each = (fn: (kind: (typeof SERVER_KINDS)[number]) => void) => {
    for (const kind of SERVER_KINDS) fn(kind);
  };
  each((kind) => {
    const p = r.sessions?.[kind]?.presence;
    if (p) rows.push([p.name, kind, ...lat(p.latency), `${p.delivered}/${p.expected}`]);
  });
  each((kind) => {
    const j = r.sessions?.[kind]?.join;
    if (j) rows.push([`${j.name} (warm; cold ${j.coldMs} ms${j.coldUnloaded ? '' : ', room in memory'})`, kind, ...lat(j.warm), `${j.decisionsSeen} seen, ${Math.round(j.docBytes / 1024)} KB doc`]);
  });
  each((kind) => {
    const s = r.sessions?.[kind]?.storm;
    if (s) rows.push([s.name, kind, ...lat(s.joins), `${s.joined}/${s.expected} joined`]);
  });
  return formatRows(rows);
}

function memoryTable(r: BenchResult): string {
  const rows = [['memory', 'baseline MB', 'idle session KB', 'after close MB', 'rooms left', 'peak rss MB (sessions; CPU phase)', 'cpu s (sessions)']];
  for (const kind of SERVER_KINDS) {
    const s = r.sessions?.[kind];
    if (!s) continue;
    const cpuPeak = r.cpu?.peakRss[kind];
    rows.push([
      s.label,
      `${toMb(s.baselineRss)}`,
      s.idle ? `${Math.round(s.idle.perSession / 1024)} (${s.idle.sessions} sessions)` : '',
      s.closed ? `${toMb(s.closed.afterClose)} (${pct(s.closed.growth)})` : '',
      s.closed ? `${s.closed.roomsLeft}` : '',
      `${toMb(s.peakRss)}${cpuPeak ? `; ${toMb(cpuPeak)}` : ''}`,
      `${Math.round(s.cpuMs / 100) / 10}`,
    ]);
  }
  return formatRows(rows);
}

function pageLines(r: BenchResult): string[] {
  const page = r.page;
  if (!page) return ['session page: not run'];
  if (page.skipped !== undefined) return [`session page: skipped (${page.skipped})`];
  const w = page.warm;
  const rows: string[][] = [['session page (ms from navigation start)', 'p50', 'p95', 'max', 'first load']];
  rows.push(['interactive (join dialog focused, handlers attached)', `${w.interactive.p50}`, `${w.interactive.p95}`, `${w.interactive.max}`, `${page.cold.interactiveMs}`]);
  rows.push(['first contentful paint', w.fcp ? `${w.fcp.p50}` : '-', w.fcp ? `${w.fcp.p95}` : '-', w.fcp ? `${w.fcp.max}` : '-', `${page.cold.fcpMs ?? '-'}`]);
  rows.push(['live (websocket open, doc synced)', `${w.synced.p50}`, `${w.synced.p95}`, `${w.synced.max}`, `${page.cold.syncedMs}`]);
  rows.push([`returning member: live and in the roster`, `${page.live.liveMs}`, '', '', '']);
  const b = page.bundle;
  return [
    formatRows(rows),
    `(${page.loads} loads, each in a fresh browser context, the browser on ${page.browserCpus} cpus; p50..max over the ${w.count} after the first)`,
    `JS until live: ${kb(b.totalGzipBytes)} gz (first load ${kb(b.firstLoadGzipBytes)} + session chunk ${kb(b.sessionGzipBytes)}), budget ${kb(b.budgetBytes)}`,
  ];
}

function lat(l: { p50: number; p95: number; p99: number; max: number }): string[] {
  return [l.p50, l.p95, l.p99, l.max].map(String);
}

function formatRows(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd()).join('\n');
}
