/**
 * Resource sampling from /proc (Linux): RSS, peak RSS and CPU time of one pid, and how busy one
 * CPU was (to tell what else ran on the server core).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Field positions in /proc/<pid>/stat after the ")" that ends the command name (utime is field 14). */
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

/** How finely /proc reports CPU time, ms (one clock tick: 10 ms on most Linux systems). */
export function cpuTickMs(): number {
  return 1000 / clockTicks();
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

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Times the process (its main thread) went to sleep so far: voluntary context switches (/proc/<pid>/status). */
export function sleeps(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
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

/** Busy and stolen time of one CPU so far, ms (/proc/stat; busy = user, nice, system, irq, softirq). */
export function coreTimes(cpu: string): { busyMs: number; stealMs: number } {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`cpu${cpu} `));
  if (!line) throw new Error(`no cpu${cpu} in /proc/stat`);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  const ms = (ticks: number) => (ticks * 1000) / clockTicks();
  return { busyMs: ms(user + nice + system + irq + softirq), stealMs: ms(steal) };
}
