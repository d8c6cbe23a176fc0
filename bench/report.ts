/**
 * The human-readable table and the target checks of the issue, from one BenchResult.
 */
import type { BenchResult } from './bench';
import { SERVER_KINDS } from './servers';
import { toMb } from './stats';

/** Targets from the issue (same machine, same run). */
export const TARGET = {
  presenceP99Ms: 100,
  decisionJoinP99Ms: 250,
  idleSessionBytes: 100 * 1024,
  rssReturnRatio: 0.1,
} as const;

export interface TargetCheck {
  target: string;
  ok: boolean;
  detail: string;
}

export function checkTargets(r: BenchResult): TargetCheck[] {
  const m = r.servers.mobflow;
  const ref = r.servers.reference;
  const out: TargetCheck[] = [];
  m.fanout.forEach((f, i) => {
    const rf = ref.fanout[i];
    if (!rf) return;
    out.push({ target: `${f.name} p99 <= reference`, ok: f.latency.p99 <= rf.latency.p99, detail: `${f.latency.p99} vs ${rf.latency.p99} ms` });
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
  return out;
}

export function renderTable(r: BenchResult): string {
  const rows: string[][] = [['scenario', 'server', 'p50', 'p95', 'p99', 'max ms', 'delivered/expected', 'cpu avg/peak %', 'gen cpu %', 'peak rss MB']];
  const count = r.servers.mobflow.fanout.length;
  for (let i = 0; i < count; i++) {
    for (const kind of SERVER_KINDS) {
      const f = r.servers[kind].fanout[i];
      if (f) rows.push([f.name, kind, ...lat(f.latency), `${f.delivered}/${f.expected}${f.duplicates ? ` (+${f.duplicates} dup)` : ''}`, cpu(f.usage), `${Math.round(f.usage.generatorCpuPercent)}`, `${toMb(f.usage.peakRss)}`]);
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
  for (const kind of SERVER_KINDS) for (const e of r.servers[kind].errors) lines.push(`FAILED on ${kind}: ${e}`);
  lines.push('', 'targets (Mobflow):');
  for (const t of checkTargets(r)) lines.push(`  ${t.ok ? 'ok  ' : 'MISS'} ${t.target}: ${t.detail}`);
  lines.push('', `machine: ${r.machine.cpus} cpus (${r.machine.model}), node ${r.machine.node}, ${r.machine.platform}; run took ${r.durationS} s`);
  return lines.join('\n');
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
