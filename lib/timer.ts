/**
 * Timer math: pure functions of a TimerState and `now` (server-clock ms). Nothing ticks.
 */
import type { TimerState } from './doc/schema';

export const TIMER_ACTIONS = ['start', 'pause', 'resume', 'skip', 'reset'] as const;
export type TimerAction = (typeof TIMER_ACTIONS)[number];

/** Remaining ms of the current phase; never negative; null when idle. */
export function remainingMs(timer: TimerState, now: number): number | null {
  switch (timer.status) {
    case 'idle':
      return null;
    case 'paused':
      return Math.max(0, timer.remainingMs);
    case 'running':
      return Math.max(0, timer.startedAt + timer.pausedMs + timer.durationMs - now);
    default:
      return assertNever(timer);
  }
}

/** Server-clock time at which a running timer ends; null unless running. */
export function endsAt(timer: TimerState): number | null {
  return timer.status === 'running' ? timer.startedAt + timer.pausedMs + timer.durationMs : null;
}

export function isDue(timer: TimerState, now: number): boolean {
  const end = endsAt(timer);
  return end !== null && now >= end;
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
