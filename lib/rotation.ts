/**
 * Rotation and timer transitions: pure functions of the rotation state, the ordered roster, who
 * is online, the session settings and `now` (server-clock ms). The server applies the result
 * inside one room transaction, so each transition happens exactly once.
 *
 * Roles: the driver of the next turn is the previous navigator; the new navigator is the next
 * eligible member after the new driver in roster order. Away members are never eligible; offline
 * members are passed over when `skipOffline` is on, unless that would leave fewer than two people
 * (an HTTP-only or no-browser session has nobody "online" and must still rotate).
 */
import {
  META_KEY,
  metaOf,
  ROTATION_KEY,
  type RotationState,
  readRotation,
  readSettings,
  rotationOf,
  type SessionDocs,
  type SessionSettings,
  type TimerPhase,
  type TimerState,
  type TurnEnd,
  type TurnRecord,
  turnsOf,
} from './doc/schema';
import type { MemberId } from './ids';
import { listMembers } from './members';
import { assertNever, isDue, type TimerAction } from './timer';

export { TIMER_ACTIONS, type TimerAction } from './timer';

/** Some of the session's timer settings (the wire schema is lib/protocol/timer.ts). */
export type SettingsPatch = Partial<SessionSettings>;

export interface RosterEntry {
  id: MemberId;
  away: boolean;
}

export interface RotationContext {
  state: RotationState;
  /** The roster in rotation order. */
  members: readonly RosterEntry[];
  online: ReadonlySet<string>;
  settings: SessionSettings;
  now: number;
}

export type Transition =
  | { ok: true; state: RotationState; record: TurnRecord | null }
  | { ok: false; reason: string };

const MS_PER_SECOND = 1000;
/** Below this many online eligible members, offline members are not passed over. */
const MIN_ONLINE_FOR_SKIPPING = 2;

/** Members who can take a role now, in roster order. */
export function eligibleMembers(ctx: Pick<RotationContext, 'members' | 'online' | 'settings'>): MemberId[] {
  const present = ctx.members.filter((m) => !m.away).map((m) => m.id);
  if (!ctx.settings.skipOffline) return present;
  const online = present.filter((id) => ctx.online.has(id));
  return online.length >= MIN_ONLINE_FOR_SKIPPING ? online : present;
}

/** The next eligible member after `from` in roster order (wrapping), other than `exclude`. */
function nextAfter(order: readonly MemberId[], eligible: ReadonlySet<MemberId>, from: MemberId | null, exclude: MemberId | null): MemberId | null {
  const start = from === null ? -1 : order.indexOf(from);
  for (let step = 1; step <= order.length; step++) {
    const id = order[(start + step + order.length) % order.length];
    if (id !== undefined && eligible.has(id) && id !== exclude) return id;
  }
  return null;
}

/** Roles for the coming turn: keep valid roles, fill missing ones in roster order. */
function settleRoles(ctx: RotationContext): Pick<RotationState, 'driver' | 'navigator'> | null {
  const order = ctx.members.map((m) => m.id);
  const eligible = new Set(eligibleMembers(ctx));
  if (eligible.size === 0) return null;
  const { driver, navigator } = ctx.state;
  const d = driver && eligible.has(driver) ? driver : nextAfter(order, eligible, driver, null);
  const n = navigator && eligible.has(navigator) && navigator !== d ? navigator : nextAfter(order, eligible, d, d);
  return { driver: d, navigator: n };
}

/** Roles after one rotation: the navigator drives; the next eligible member navigates. */
export function rotatedRoles(ctx: RotationContext): Pick<RotationState, 'driver' | 'navigator'> | null {
  const order = ctx.members.map((m) => m.id);
  const eligible = new Set(eligibleMembers(ctx));
  if (eligible.size === 0) return null;
  const { driver, navigator } = ctx.state;
  let d: MemberId | null;
  if (navigator && eligible.has(navigator)) d = navigator;
  else {
    // The navigator left or is away: continue from where they stood (or from the driver).
    const from = navigator && order.includes(navigator) ? navigator : driver;
    d = nextAfter(order, eligible, from, eligible.size > 1 ? driver : null);
  }
  return { driver: d, navigator: nextAfter(order, eligible, d, d) };
}

function running(phase: TimerPhase, now: number, seconds: number): TimerState {
  return runningFor(phase, now, seconds * MS_PER_SECOND);
}

function runningFor(phase: TimerPhase, now: number, durationMs: number): TimerState {
  return { status: 'running', phase, startedAt: now, durationMs, pausedMs: 0 };
}

function record(state: RotationState, now: number, end: TurnEnd): TurnRecord | null {
  const t = state.timer;
  if (t.status === 'idle') return null;
  const pausedMs = t.status === 'paused' ? t.pausedMs + Math.max(0, now - t.pausedAt) : t.pausedMs;
  return { turn: state.turn, phase: t.phase, driver: state.driver, navigator: state.navigator, startedAt: t.startedAt, endedAt: now, pausedMs, end };
}

/** Ends the current phase (expiry or skip) and moves on: rotate after a turn, maybe into a break. */
function advance(ctx: RotationContext, end: Exclude<TurnEnd, 'reset'>): Transition {
  const { state, settings, now } = ctx;
  const t = state.timer;
  const rec = record(state, now, end);
  if (t.status !== 'idle' && t.phase === 'break') {
    // A break ends: the next turn starts by itself only with auto-start (or when the break is skipped).
    const roles = settleRoles(ctx) ?? { driver: state.driver, navigator: state.navigator };
    const startNext = settings.autoStart || end === 'skipped';
    return { ok: true, record: rec, state: { ...state, ...roles, timer: startNext ? running('turn', now, settings.turnSeconds) : { status: 'idle' } } };
  }
  const roles = rotatedRoles(ctx);
  if (!roles) return { ok: false, reason: 'nobody to rotate to: everyone is away or the roster is empty' };
  const turn = state.turn + 1;
  const breakDue = t.status !== 'idle' && settings.breakEvery > 0 && turn % settings.breakEvery === 0;
  // A skip starts the next turn full; an expiry starts it only with auto-start; idle stays idle.
  const startNext = t.status !== 'idle' && (end === 'skipped' || settings.autoStart);
  const timer: TimerState = breakDue ? running('break', now, settings.breakSeconds) : startNext ? running('turn', now, settings.turnSeconds) : { status: 'idle' };
  return { ok: true, record: rec, state: { turn, ...roles, timer } };
}

/** Applies a user command; `ok: false` carries a readable reason for an impossible transition. */
export function applyTimerAction(action: TimerAction, ctx: RotationContext): Transition {
  const { state, settings, now } = ctx;
  const t = state.timer;
  switch (action) {
    case 'start': {
      if (t.status === 'running') return { ok: false, reason: 'the timer is already running' };
      if (t.status === 'paused') return { ok: false, reason: 'the timer is paused: resume it instead' };
      const roles = settleRoles(ctx);
      if (!roles) return { ok: false, reason: 'nobody to start a turn with: add someone to the roster (or mark someone back)' };
      return { ok: true, record: null, state: { ...state, ...roles, timer: running('turn', now, settings.turnSeconds) } };
    }
    case 'pause': {
      if (t.status !== 'running') return { ok: false, reason: t.status === 'paused' ? 'the timer is already paused' : 'the timer is not running' };
      const remainingMs = Math.max(0, t.startedAt + t.pausedMs + t.durationMs - now);
      return { ok: true, record: null, state: { ...state, timer: { status: 'paused', phase: t.phase, startedAt: t.startedAt, remainingMs, pausedAt: now, pausedMs: t.pausedMs } } };
    }
    case 'resume': {
      if (t.status !== 'paused') return { ok: false, reason: t.status === 'running' ? 'the timer is already running' : 'the timer is not paused' };
      const pausedMs = t.pausedMs + Math.max(0, now - t.pausedAt);
      // endsAt = startedAt + pausedMs + durationMs must equal now + remainingMs.
      const durationMs = now + t.remainingMs - t.startedAt - pausedMs;
      return { ok: true, record: null, state: { ...state, timer: { status: 'running', phase: t.phase, startedAt: t.startedAt, durationMs, pausedMs } } };
    }
    case 'skip':
      return advance(ctx, 'skipped');
    case 'reset': {
      if (t.status === 'idle') return { ok: false, reason: 'the timer is not started: nothing to reset' };
      return { ok: true, record: record(state, now, 'reset'), state: { ...state, timer: { status: 'idle' } } };
    }
    default:
      return assertNever(action);
  }
}

/**
 * A turn of `durationMs` with `driver` at the keyboard, whatever the rotation planned (mob.sh's
 * `mob start N`: whoever ran it is typing). The navigator is the next eligible member after them.
 * A turn still running (or paused) ends here: handed to someone else it counts as a rotation (the
 * turn number moves on, as with a skip); restarted by the same driver it is a reset. A break ends
 * without counting a turn, as breaks never do.
 */
export function startTurnFor(ctx: RotationContext, driver: MemberId, durationMs: number): Transition {
  const { state, now } = ctx;
  const order = ctx.members.map((m) => m.id);
  if (!order.includes(driver)) return { ok: false, reason: 'the driver is not in the roster' };
  // They are at the keyboard: eligible whatever their presence says.
  const eligible = new Set([...eligibleMembers(ctx), driver]);
  const t = state.timer;
  const handover = t.status !== 'idle' && t.phase === 'turn' && state.driver !== driver;
  const rec = record(state, now, handover ? 'skipped' : 'reset');
  return {
    ok: true,
    record: rec,
    state: { turn: handover ? state.turn + 1 : state.turn, driver, navigator: nextAfter(order, eligible, driver, driver), timer: runningFor('turn', now, durationMs) },
  };
}

/**
 * A break of `durationMs` now (mob.sh's `mob break N`). A running or paused turn ends into it as a
 * turn ends into a due break (the turn number moves on, roles rotate); a break already going starts
 * over with the new length; from idle the roles stay.
 */
export function startBreakFor(ctx: RotationContext, durationMs: number): Transition {
  const { state, now } = ctx;
  const t = state.timer;
  if (t.status !== 'idle' && t.phase === 'turn') {
    const roles = rotatedRoles(ctx) ?? { driver: state.driver, navigator: state.navigator };
    return { ok: true, record: record(state, now, 'skipped'), state: { turn: state.turn + 1, ...roles, timer: runningFor('break', now, durationMs) } };
  }
  return { ok: true, record: record(state, now, 'reset'), state: { ...state, timer: runningFor('break', now, durationMs) } };
}

/** Stops the running phase (mob.sh's timer of 0 minutes); a break only when `phase` is 'break'. Idle stays idle. */
export function stopPhase(ctx: RotationContext, phase: TimerPhase | 'any'): Transition {
  const t = ctx.state.timer;
  if (t.status === 'idle' || (phase !== 'any' && t.phase !== phase)) return { ok: true, record: null, state: ctx.state };
  return applyTimerAction('reset', ctx);
}

/** The server's expiry check: rotates only when the running phase is due (idempotent). */
export function expire(ctx: RotationContext): Transition {
  if (!isDue(ctx.state.timer, ctx.now)) return { ok: false, reason: 'not due' };
  return advance(ctx, 'expired');
}

/** Who drives after this turn (for "you are driving next"); null when nobody would. */
export function nextDriver(ctx: RotationContext): MemberId | null {
  return rotatedRoles(ctx)?.driver ?? null;
}

/** The rotation context of a live session (roster order, rotation state, settings). */
export function readRotationContext(docs: SessionDocs, online: ReadonlySet<string>, now: number): RotationContext {
  return {
    state: readRotation(docs),
    members: listMembers(docs).map((m) => ({ id: m.id, away: m.away })),
    online,
    settings: readSettings(docs),
    now,
  };
}

/**
 * Writes an applied transition: the rotation state and, when a phase ended, its turn record. The
 * server calls this inside room.transact, so the write carries a server origin.
 */
export function writeTransition(docs: SessionDocs, t: Extract<Transition, { ok: true }>): void {
  rotationOf(docs).set(ROTATION_KEY.state, t.state);
  if (t.record) turnsOf(docs).push([t.record]);
}

/**
 * One timer step on a live session, read and written in the same transaction: the context is read,
 * `step` decides (a command or the expiry check), and an allowed transition is written. The caller
 * runs it inside the room's server transaction, so a command and an expiry cannot both rotate.
 */
export function applyTransition(docs: SessionDocs, step: (ctx: RotationContext) => Transition, online: ReadonlySet<string>, now: number): Transition {
  const result = step(readRotationContext(docs, online, now));
  if (result.ok) writeTransition(docs, result);
  return result;
}

/** Replaces the settings named in `patch` (they apply from the next turn on); returns the result. */
export function writeSettings(docs: SessionDocs, patch: SettingsPatch): SessionSettings {
  const next: SessionSettings = { ...readSettings(docs) };
  // Only defined keys: an explicit `undefined` must not wipe a setting.
  for (const [k, v] of Object.entries(patch) as [keyof SessionSettings, SessionSettings[keyof SessionSettings] | undefined][]) {
    if (v !== undefined) (next as unknown as Record<string, unknown>)[k] = v;
  }
  metaOf(docs).set(META_KEY.settings, next);
  return next;
}
