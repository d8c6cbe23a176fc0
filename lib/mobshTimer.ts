/**
 * A mob.sh timer request applied to a live session, in one server transaction: who `user` is
 * (a roster member by name, else a new member of that name: a mob.sh call is never refused for an
 * unknown name), then the rotation step (lib/rotation.ts). The names for mob.sh's reply line are
 * read in the same transaction, so the line says what this request did.
 */
import { type RotationState, readRotation, readSessionName, type SessionDocs } from './doc/schema';
import type { MemberId } from './ids';
import { getMember, joinMember, listMembers, setAway } from './members';
import { resolveDriver, type TimerPut } from './mobsh';
import { applyTransition, type RotationContext, startBreakFor, startTurnFor, stopPhase, type Transition } from './rotation';
import { assertNever } from './timer';

const MS_PER_MINUTE = 60_000;

export type MobTimerResult =
  | { ok: true; session: string; kind: TimerPut['kind']; minutes: number; turn: number; status: 'idle' | 'running' | 'paused'; driver: string | null; next: string | null }
  | { ok: false; session: string; reason: string };

/** The member `user` names, added (or marked back) when needed; null when mob.sh sent no user. */
function driverFor(docs: SessionDocs, user: string | null, now: number): MemberId | null {
  const who = resolveDriver(listMembers(docs), user);
  switch (who.kind) {
    case 'anonymous':
      return null;
    case 'new':
      return joinMember(docs, who.name, now, { reuseByName: true }).id;
    case 'member':
      // Whoever runs `mob start` is at the keyboard, whatever the roster said about them.
      if (getMember(docs, who.id)?.away) setAway(docs, who.id, false);
      return who.id;
    default:
      return assertNever(who);
  }
}

/**
 * Applies `put` (inside room.transact). A turn without a user starts for the rotation's own
 * driver, as the Start button does; `minutes: 0` stops the timer (a break only stops a break).
 */
export function applyMobTimer(docs: SessionDocs, put: TimerPut, online: ReadonlySet<string>, now: number): MobTimerResult {
  const nameOf = (id: MemberId | null) => (id ? (getMember(docs, id)?.name ?? null) : null);
  const session = readSessionName(docs);
  const reply = (state: RotationState, minutes: number): MobTimerResult => ({
    ok: true,
    session,
    kind: put.kind,
    minutes,
    turn: state.turn,
    status: state.timer.status,
    driver: nameOf(state.driver),
    // The navigator drives the next turn (lib/rotation.ts rotatedRoles).
    next: nameOf(state.navigator),
  });
  const before = readRotation(docs);
  // Nothing to do (no timer field, or a stop with nothing running): nothing is written.
  if (put.kind === 'none') return reply(before, 0);
  const stopping = put.minutes === 0;
  if (stopping && (before.timer.status === 'idle' || (put.kind === 'break' && before.timer.phase !== 'break'))) return reply(before, 0);
  let step: (ctx: RotationContext) => Transition;
  if (stopping) step = (ctx) => stopPhase(ctx, put.kind === 'break' ? 'break' : 'any');
  else if (put.kind === 'break') step = (ctx) => startBreakFor(ctx, put.minutes * MS_PER_MINUTE);
  else {
    const driver = driverFor(docs, put.user, now) ?? before.driver ?? listMembers(docs).find((m) => !m.away)?.id ?? null;
    if (!driver) return { ok: false, session, reason: 'nobody to start a turn with: set MOB_TIMER_USER or add someone to the roster' };
    step = (ctx) => startTurnFor(ctx, driver, put.minutes * MS_PER_MINUTE);
  }
  const done = applyTransition(docs, step, online, now);
  return done.ok ? reply(done.state, put.minutes) : { ok: false, session, reason: done.reason };
}
