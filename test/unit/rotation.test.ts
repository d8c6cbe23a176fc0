import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, INITIAL_ROTATION, type RotationState, type SessionSettings } from '../../lib/doc/schema';
import type { MemberId } from '../../lib/ids';
import { applyTimerAction, expire, nextDriver, type RosterEntry, type RotationContext, type TimerAction, type Transition } from '../../lib/rotation';
import { remainingMs } from '../../lib/timer';

const id = (s: string) => s as MemberId;
const [A, B, C, D] = ['A', 'B', 'C', 'D'].map(id) as [MemberId, MemberId, MemberId, MemberId];
const TURN_S = 60;
const T0 = 1_000_000;

function ctx(state: RotationState, now: number, opts: { members?: RosterEntry[]; online?: string[]; settings?: Partial<SessionSettings> } = {}): RotationContext {
  return {
    state,
    members: opts.members ?? [A, B, C].map((m) => ({ id: m, away: false })),
    online: new Set(opts.online ?? []),
    settings: { ...DEFAULT_SETTINGS, turnSeconds: TURN_S, ...opts.settings },
    now,
  };
}

function ok(t: Transition): Extract<Transition, { ok: true }> {
  if (!t.ok) throw new Error(`expected ok, got: ${t.reason}`);
  return t;
}

const act = (action: TimerAction, c: RotationContext) => ok(applyTimerAction(action, c));

describe('rotation timer transitions', () => {
  it('start assigns driver and navigator in roster order and runs a full turn', () => {
    const s = act('start', ctx(INITIAL_ROTATION, T0)).state;
    expect(s).toMatchObject({ turn: 0, driver: A, navigator: B, timer: { status: 'running', phase: 'turn', startedAt: T0, durationMs: TURN_S * 1000 } });
    expect(remainingMs(s.timer, T0 + 10_000)).toBe(50_000);
  });

  it('refuses impossible transitions with a readable reason', () => {
    expect(applyTimerAction('start', ctx(INITIAL_ROTATION, T0, { members: [] }))).toMatchObject({ ok: false, reason: expect.stringMatching(/nobody/) });
    expect(applyTimerAction('pause', ctx(INITIAL_ROTATION, T0))).toMatchObject({ ok: false, reason: 'the timer is not running' });
    expect(applyTimerAction('resume', ctx(INITIAL_ROTATION, T0))).toMatchObject({ ok: false });
    expect(applyTimerAction('reset', ctx(INITIAL_ROTATION, T0))).toMatchObject({ ok: false });
    const running = act('start', ctx(INITIAL_ROTATION, T0)).state;
    expect(applyTimerAction('start', ctx(running, T0 + 1))).toMatchObject({ ok: false, reason: 'the timer is already running' });
    expect(applyTimerAction('skip', ctx(running, T0, { members: [{ id: A, away: true }] }))).toMatchObject({ ok: false });
  });

  it('pause keeps the remaining time; resume continues from it and counts paused time', () => {
    const running = act('start', ctx(INITIAL_ROTATION, T0)).state;
    const paused = act('pause', ctx(running, T0 + 20_000)).state;
    expect(remainingMs(paused.timer, T0 + 500_000)).toBe(40_000);
    const resumed = act('resume', ctx(paused, T0 + 100_000)).state;
    expect(resumed.timer).toMatchObject({ status: 'running', pausedMs: 80_000 });
    expect(remainingMs(resumed.timer, T0 + 100_000)).toBe(40_000);
    expect(expire(ctx(resumed, T0 + 139_999)).ok).toBe(false);
    const ended = ok(expire(ctx(resumed, T0 + 140_000)));
    expect(ended.record).toMatchObject({ turn: 0, driver: A, navigator: B, startedAt: T0, endedAt: T0 + 140_000, pausedMs: 80_000, end: 'expired' });
  });

  it('expiry rotates once: driver = previous navigator; remaining never negative', () => {
    const running = act('start', ctx(INITIAL_ROTATION, T0)).state;
    expect(remainingMs(running.timer, T0 + 10 * TURN_S * 1000)).toBe(0);
    const next = ok(expire(ctx(running, T0 + TURN_S * 1000)));
    expect(next.state).toMatchObject({ turn: 1, driver: B, navigator: C, timer: { status: 'idle' } });
    // Expiring again is a no-op: the turn is no longer running.
    expect(expire(ctx(next.state, T0 + 2 * TURN_S * 1000))).toMatchObject({ ok: false, reason: 'not due' });
  });

  it('rotation wraps around the roster', () => {
    let s: RotationState = act('start', ctx(INITIAL_ROTATION, T0)).state;
    const drivers: (MemberId | null)[] = [s.driver];
    for (let i = 1; i <= 4; i++) {
      s = act('skip', ctx(s, T0 + i)).state;
      drivers.push(s.driver);
    }
    expect(drivers).toEqual([A, B, C, A, B]);
    expect(s.turn).toBe(4);
  });

  it('skip rotates now and starts the next turn full; auto-start starts it after expiry', () => {
    const running = act('start', ctx(INITIAL_ROTATION, T0)).state;
    const skipped = act('skip', ctx(running, T0 + 5_000));
    expect(skipped.record).toMatchObject({ end: 'skipped', endedAt: T0 + 5_000 });
    expect(skipped.state.timer).toMatchObject({ status: 'running', startedAt: T0 + 5_000, durationMs: TURN_S * 1000 });
    const auto = ok(expire(ctx(skipped.state, T0 + 5_000 + TURN_S * 1000, { settings: { autoStart: true } })));
    expect(auto.state).toMatchObject({ turn: 2, driver: C, navigator: A, timer: { status: 'running', phase: 'turn' } });
  });

  it('skips away members, and offline members when asked (not below two people)', () => {
    const members = [A, B, C, D].map((m) => ({ id: m, away: m === B }));
    const s = act('start', ctx(INITIAL_ROTATION, T0, { members })).state;
    expect([s.driver, s.navigator]).toEqual([A, C]);
    expect(act('skip', ctx(s, T0, { members })).state).toMatchObject({ driver: C, navigator: D });
    // Only A and D online: C is passed over.
    const online = act('skip', ctx(s, T0, { members, online: ['A', 'D'] })).state;
    expect([online.driver, online.navigator]).toEqual([D, A]);
    // skipOffline off: everyone present counts again.
    expect(act('skip', ctx(s, T0, { members, online: ['A', 'D'], settings: { skipOffline: false } })).state.driver).toBe(C);
    // Only one person online: offline members still rotate (an API-only session has nobody online).
    expect(act('skip', ctx(s, T0, { members, online: ['A'] })).state.driver).toBe(C);
    expect(nextDriver(ctx(s, T0, { members }))).toBe(C);
  });

  it('a navigator who went away is passed over, the one after them drives', () => {
    const s = act('start', ctx(INITIAL_ROTATION, T0)).state; // A drives, B navigates
    const members = [A, B, C].map((m) => ({ id: m, away: m === B }));
    expect(act('skip', ctx(s, T0, { members })).state).toMatchObject({ driver: C, navigator: A });
    const alone = act('skip', ctx(s, T0, { members: [{ id: A, away: false }] })).state;
    expect(alone).toMatchObject({ driver: A, navigator: null });
  });

  it('takes a break every N turns, announced like a turn end and skippable', () => {
    const settings = { breakEvery: 2, breakSeconds: 30 };
    let s = act('start', ctx(INITIAL_ROTATION, T0, { settings })).state;
    s = act('skip', ctx(s, T0 + 1, { settings })).state;
    expect(s.timer).toMatchObject({ status: 'running', phase: 'turn' });
    const toBreak = ok(expire(ctx(s, T0 + 1 + TURN_S * 1000, { settings })));
    expect(toBreak.state).toMatchObject({ turn: 2, driver: C, timer: { status: 'running', phase: 'break', durationMs: 30_000 } });
    const afterBreak = ok(expire(ctx(toBreak.state, T0 + 1 + TURN_S * 1000 + 30_000, { settings })));
    expect(afterBreak.record).toMatchObject({ phase: 'break', end: 'expired' });
    expect(afterBreak.state).toMatchObject({ turn: 2, driver: C, timer: { status: 'idle' } });
    const skippedBreak = act('skip', ctx(toBreak.state, T0 + 2 + TURN_S * 1000, { settings }));
    expect(skippedBreak.state).toMatchObject({ turn: 2, driver: C, timer: { status: 'running', phase: 'turn' } });
  });

  it('reset records the turn and stops the timer, keeping roles and count', () => {
    const running = act('start', ctx(INITIAL_ROTATION, T0)).state;
    const paused = act('pause', ctx(running, T0 + 1_000)).state;
    const reset = act('reset', ctx(paused, T0 + 3_000));
    expect(reset.record).toMatchObject({ end: 'reset', pausedMs: 2_000 });
    expect(reset.state).toMatchObject({ turn: 0, driver: A, navigator: B, timer: { status: 'idle' } });
  });
});
