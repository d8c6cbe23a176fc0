/**
 * Server process resource sampling from /proc (Linux): RSS, peak RSS and CPU time of one pid.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Field positions in /proc/<pid>/stat after the ")" that ends the command name (state is field 3, utime 14). */
const STAT_STATE = 0;
const STAT_UTIME = 11;
const STAT_STIME = 12;
/** How often a running sampler reads /proc, ms. */
const SAMPLE_EVERY_MS = 200;

let ticksPerSecond: number | null = null;
function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Resident set size in bytes. */
export function rssBytes(pid: number): number {
  return statusField(pid, 'VmRSS');
}

/** Peak resident set size since the process started, bytes (the kernel's high-water mark). */
export function peakRssBytes(pid: number): number {
  return statusField(pid, 'VmHWM');
}

/** User + system CPU time of the process, ms. */
export function cpuMs(pid: number): number {
  const fields = statFields(pid);
  const ticks = Number(fields[STAT_UTIME]) + Number(fields[STAT_STIME]);
  return (ticks * 1000) / clockTicks();
}

/** The process state letter (R running, S sleeping, T stopped, ...). */
export function processState(pid: number): string {
  return statFields(pid)[STAT_STATE] ?? '';
}

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function statusField(pid: number, name: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
  return m?.[1] ? Number(m[1]) * 1024 : 0;
}

export interface Usage {
  /** Highest RSS sampled during the window, bytes. */
  peakRss: number;
  /** Mean CPU use over the window, percent of one core. */
  cpuPercent: number;
  /** Highest CPU use over one sampling interval, percent of one core. */
  peakCpuPercent: number;
  /** CPU use of this (load generator) process over the window, percent of one core: near 100 means the generator, not the server, sets the pace. */
  generatorCpuPercent: number;
}

/** Samples a pid until stop(); the result covers the window between start and stop. */
export function sampleUsage(pid: number): { stop(): Usage } {
  const t0 = performance.now();
  const cpu0 = cpuMs(pid);
  const own0 = process.cpuUsage();
  let peakRss = rssBytes(pid);
  let lastT = t0;
  let lastCpu = cpu0;
  let peakCpu = 0;
  const tick = () => {
    try {
      const now = performance.now();
      const cpu = cpuMs(pid);
      peakRss = Math.max(peakRss, rssBytes(pid));
      if (now > lastT) peakCpu = Math.max(peakCpu, ((cpu - lastCpu) / (now - lastT)) * 100);
      lastT = now;
      lastCpu = cpu;
    } catch {
      // the process exited; keep what we have
    }
  };
  const timer = setInterval(tick, SAMPLE_EVERY_MS);
  return {
    stop() {
      clearInterval(timer);
      tick();
      const elapsed = performance.now() - t0;
      const own = process.cpuUsage(own0);
      const pct = (ms: number) => (elapsed > 0 ? (ms / elapsed) * 100 : 0);
      return { peakRss, cpuPercent: pct(lastCpu - cpu0), peakCpuPercent: peakCpu, generatorCpuPercent: pct((own.user + own.system) / 1000) };
    },
  };
}

export interface QuietResult {
  /** True when the CPU went quiet before the timeout. */
  quiet: boolean;
  waitedMs: number;
}

/**
 * Waits until `readCpuMs` (CPU time of the processes that share the servers' core, ms) grows by
 * less than `percent` of one core over `windowMs`, or `timeoutMs` passed. Both servers run on one
 * core: a scenario must not start while the other server is still collecting the garbage of the
 * last one.
 */
export async function waitQuiet(
  readCpuMs: () => number,
  { percent = 5, windowMs = 300, timeoutMs = 15_000 }: { percent?: number; windowMs?: number; timeoutMs?: number } = {},
): Promise<QuietResult> {
  const t0 = performance.now();
  for (;;) {
    const cpu0 = readCpuMs();
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, windowMs));
    const used = readCpuMs() - cpu0;
    const elapsed = performance.now() - w0;
    const waitedMs = Math.round(performance.now() - t0);
    if (used <= (elapsed * percent) / 100) return { quiet: true, waitedMs };
    if (waitedMs >= timeoutMs) return { quiet: false, waitedMs };
  }
}
