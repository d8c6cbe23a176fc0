/**
 * Pure view state of the rotation panel, derived from the doc, presence and the server clock.
 */
import type * as Y from 'yjs';
import { readRotation, readSettings, type RotationState, type SessionSettings, turnsOf } from '../../lib/doc/schema';
import type { MemberId } from '../../lib/ids';
import { listMembers, type Member } from '../../lib/members';
import { nextDriver } from '../../lib/rotation';
import type { TurnEvent } from '../_hooks/useTurnAlerts';

export interface TimerDocView {
  rotation: RotationState;
  settings: SessionSettings;
  members: Member[];
  lastEnd: { turn: number; phase: 'turn' | 'break'; endedAt: number; end: string } | null;
}

export const selectTimerDoc = (doc: Y.Doc): TimerDocView => {
  const turns = turnsOf(doc);
  const last = turns.length > 0 ? turns.get(turns.length - 1) : undefined;
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
