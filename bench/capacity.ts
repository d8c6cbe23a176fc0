/**
 * Capacity at a latency bound: how many teams one core carries. Rooms of 8 clients, one writer
 * each at 5 updates/s, are added step by step on one server (pinned to the server core, alone on
 * it: the other server is not running), and each step's window gives the fan-out p99 over every
 * delivery of the markers written in it. A step holds while that p99 is within the bound and no
 * update is lost (nor any client closed). A step that is only too slow runs again on the same
 * rooms: one stall is not the server's limit, and a window in which other processes took a good
 * part of the server core measured the machine, not the server. Two slow windows on an undisturbed
 * core, or any loss, end the run (so does a step's fourth window). The result is the last step that
 * held.
 */
import type { CapacityConfig } from './config';
import { disturbed, FanoutLoad, type WindowResult } from './load';
import type { BenchServer } from './servers';
import { delay } from './stats';

const DRAIN_MS = 10_000;
/** Slow windows on an undisturbed core that end the run. */
const SLOW_TO_STOP = 2;
/** Windows one step may take, however disturbed. */
const MAX_WINDOWS_PER_STEP = 4;

export interface CapacityStep extends WindowResult {
  /** Within the bound, nothing lost, no client closed. */
  held: boolean;
  /** Why it missed ('' when it held). */
  why: string;
  /** A later window of a step whose earlier one was only slow. */
  retry: boolean;
  /** Other processes or the hypervisor took at least DISTURBED_PERCENT of the server core over the window. */
  disturbed: boolean;
  /** Server CPU over the window, percent of its core. */
  serverCpuPercent: number;
  /** Markers written per second per room over the window (5 when the generator keeps up). */
  rate: number;
}

export interface CapacityResult {
  server: string;
  steps: CapacityStep[];
  /** Rooms at the last step that held (0: not even the first). */
  rooms: number;
  /** True when the last configured step held: the capacity is at least `rooms`. */
  top: boolean;
}

export function judgeStep(w: WindowResult, cfg: CapacityConfig, closedBefore: number): { held: boolean; why: string; onlySlow: boolean } {
  const why: string[] = [];
  const slow = !(w.latency.p99 <= cfg.p99BoundMs);
  if (slow) why.push(`p99 ${w.latency.p99} ms > ${cfg.p99BoundMs} ms`);
  if (w.delivered < w.expected) why.push(`${w.expected - w.delivered} of ${w.expected} deliveries lost`);
  if (w.closedClients > closedBefore) why.push(`${w.closedClients - closedBefore} clients closed by the server`);
  return { held: why.length === 0, why: why.join('; '), onlySlow: slow && why.length === 1 };
}

export interface StepWindow {
  held: boolean;
  /** Missed on latency alone (nothing lost, no client closed). */
  onlySlow: boolean;
  disturbed: boolean;
}

/** After these windows of one step (in order): it held, it missed, or it runs another window. */
export function stepVerdict(windows: readonly StepWindow[]): 'held' | 'missed' | 'again' {
  const last = windows[windows.length - 1];
  if (!last) return 'again';
  if (last.held) return 'held';
  if (!last.onlySlow) return 'missed';
  const slow = windows.filter((w) => !w.disturbed).length;
  return slow >= SLOW_TO_STOP || windows.length >= MAX_WINDOWS_PER_STEP ? 'missed' : 'again';
}

export async function runCapacity(server: BenchServer, cfg: CapacityConfig, log: (line: string) => void = () => undefined): Promise<CapacityResult> {
  const load = new FanoutLoad(server, cfg.clients, cfg.updatesPerSecond);
  const steps: CapacityStep[] = [];
  let rooms = 0;
  let closed = 0;
  const measure = async (target: number, retry: boolean) => {
    await delay(cfg.warmupSeconds * 1000);
    load.openWindow();
    await delay(cfg.seconds * 1000);
    const w = await load.closeWindow(DRAIN_MS);
    const { onlySlow, ...verdict } = judgeStep(w, cfg, closed);
    closed = w.closedClients;
    const core = w.serverCore;
    const step: CapacityStep = {
      ...w,
      ...verdict,
      retry,
      disturbed: disturbed(w),
      serverCpuPercent: Math.round((w.serverCpuMs / w.ms) * 1000) / 10,
      rate: Math.round((w.sent / target / (w.ms / 1000)) * 100) / 100,
    };
    steps.push(step);
    const others = core ? `, others on its core ${core.othersPercent} %` : '';
    log(`  ${server.label} ${target} rooms${retry ? ' (again)' : ''}: p99 ${w.latency.p99} ms, server ${step.serverCpuPercent} %${others}, generator ${w.generatorCpuPercent} %${step.held ? '' : ` (missed: ${step.why})`}`);
    return { step, onlySlow };
  };
  try {
    load.start();
    for (const target of cfg.steps) {
      await load.addRooms(target - load.roomCount);
      const windows: StepWindow[] = [];
      let verdict = stepVerdict(windows);
      while (verdict === 'again') {
        const { step, onlySlow } = await measure(target, windows.length > 0);
        windows.push({ held: step.held, onlySlow, disturbed: step.disturbed });
        verdict = stepVerdict(windows);
      }
      if (verdict === 'missed') break;
      rooms = target;
    }
  } finally {
    await load.close();
  }
  return { server: server.label, steps, rooms, top: rooms === cfg.steps[cfg.steps.length - 1] };
}
