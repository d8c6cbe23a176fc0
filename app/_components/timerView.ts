/**
 * Pure view state of the rotation panel, derived from the doc, presence and the server clock.
 */
import { readRotation, readSettings, readTurns, type RotationState, type SessionSettings, type TimerState } from '../../lib/doc/schema';
import type { MemberId } from '../../lib/ids';
import { listMembers, type Member } from '../../lib/members';
import { nextDriver } from '../../lib/rotation';
import { assertNever } from '../../lib/timer';
import type { TurnEvent } from '../_hooks/useTurnAlerts';
import type { SessionDocs } from '../../lib/doc/schema';

export interface TimerDocView {
  rotation: RotationState;
  settings: SessionSettings;
  members: Member[];
  lastEnd: { turn: number; phase: 'turn' | 'break'; endedAt: number; end: string } | null;
}

export const selectTimerDoc = (doc: SessionDocs): TimerDocView => {
  const last = readTurns(doc).at(-1);
  return {
    rotation: readRotation(doc),
    settings: readSettings(doc),
    members: listMembers(doc),
    lastEnd: last && last.end !== 'reset' ? { turn: last.turn, phase: last.phase, endedAt: last.endedAt, end: last.end } : null,
  };
};

/** mm:ss (h:mm:ss past an hour), rounding up so "0:00" means the end. */
export function formatRemaining(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export const nameOf = (members: readonly Member[], id: MemberId | null) => (id ? (members.find((m) => m.id === id)?.name ?? null) : null);

/** Who drives after this turn, given who is online now. */
export function upcomingDriver(v: TimerDocView, online: ReadonlySet<string>, now: number): MemberId | null {
  return nextDriver({ state: v.rotation, members: v.members.map((m) => ({ id: m.id, away: m.away })), online, settings: v.settings, now });
}

/** Everyone without a role, in the order they will come up after the navigator. */
export function restOfMob(v: TimerDocView): Member[] {
  const { driver, navigator } = v.rotation;
  const list = v.members;
  const from = list.findIndex((m) => m.id === (navigator ?? driver));
  const ordered = from < 0 ? list : [...list.slice(from + 1), ...list.slice(0, from + 1)];
  return ordered.filter((m) => m.id !== driver && m.id !== navigator);
}

/** A phase end older than this (server clock) is history, not news: a page opened later stays quiet. */
export const RECENT_END_MS = 15_000;

/** The alert for the latest phase end, while it is recent (null otherwise). */
export function turnEvent(v: TimerDocView, now: number): TurnEvent | null {
  if (!v.lastEnd || now - v.lastEnd.endedAt > RECENT_END_MS) return null;
  const { driver, navigator, timer } = v.rotation;
  const key = `${v.lastEnd.turn}:${v.lastEnd.phase}:${v.lastEnd.endedAt}`;
  if (timer.status !== 'idle' && timer.phase === 'break') {
    return { key, title: 'Break time', body: `Next up: ${nameOf(v.members, driver) ?? 'nobody'} drives.` };
  }
  const d = nameOf(v.members, driver) ?? 'nobody';
  const n = nameOf(v.members, navigator);
  return { key, title: `${v.lastEnd.phase === 'break' ? 'Break over' : 'Turn over'}: ${d} drives`, body: n ? `${n} navigates.` : 'No navigator.' };
}

/**
 * The soft warning before a turn ends: the last 10 % of the turn, at most 30 s. A 7-minute turn
 * warns 30 s before its end, a 2-minute turn 12 s before, a 30 s turn 3 s before, so a short turn
 * is never "ending soon" from its first second. Breaks and paused turns never warn.
 */
export const WARNING_SHARE = 0.1;
export const WARNING_MAX_MS = 30_000;

export function warningThresholdMs(durationMs: number): number {
  return Math.min(WARNING_MAX_MS, Math.floor(durationMs * WARNING_SHARE));
}

/** True while a running turn (not a break, not paused) is inside its warning window. */
export function isWarning(timer: TimerState, remaining: number | null): boolean {
  if (timer.status !== 'running' || timer.phase !== 'turn' || remaining === null) return false;
  return remaining > 0 && remaining <= warningThresholdMs(timer.durationMs);
}

/** "30 seconds", "12 seconds", "1 second": the warning window in words. */
export function warningWords(durationMs: number): string {
  const s = Math.ceil(warningThresholdMs(durationMs) / 1000);
  return `${s} ${s === 1 ? 'second' : 'seconds'}`;
}

/** What the timer is doing, for the panel's look and its words. */
export type TimerMode = 'idle' | 'turn' | 'break' | 'paused-turn' | 'paused-break';

export function timerMode(timer: TimerState): TimerMode {
  switch (timer.status) {
    case 'idle':
      return 'idle';
    case 'running':
      return timer.phase;
    case 'paused':
      return timer.phase === 'break' ? 'paused-break' : 'paused-turn';
    default:
      return assertNever(timer);
  }
}

/**
 * The tab title: time left and who drives while a turn runs, and the state spelled out when it
 * is a break or paused (a glance at the tab bar must not read a paused clock as a running one).
 */
export function tabTitle(mode: TimerMode, remaining: number | null, driver: string | null): string {
  const left = remaining === null ? '' : formatRemaining(remaining);
  const who = `${driver ?? '—'} driving`;
  switch (mode) {
    case 'idle':
      return '';
    case 'turn':
      return `${left} · ${who}`;
    case 'break':
      return `Break · ${left}`;
    case 'paused-turn':
      return `Paused · ${left} · ${who}`;
    case 'paused-break':
      return `Paused · break · ${left}`;
    default:
      return assertNever(mode);
  }
}

/**
 * Milliseconds until the countdown's displayed second changes, given the remaining time: the
 * display rounds up (formatRemaining), so "0:05" shows while 4000 < remaining ≤ 5000 and flips
 * when remaining reaches 4000. null once nothing is left (nothing more will flip). Re-rendering
 * exactly then, instead of on a fixed interval, makes every screen flip when the server-clock
 * estimate crosses the boundary, so screens agree to within that estimate's error.
 */
export function msUntilNextSecond(remaining: number): number | null {
  if (!(remaining > 0)) return null;
  return remaining - (Math.ceil(remaining / 1000) - 1) * 1000;
}
