import { describe, expect, it } from 'vitest';
import {
  formatRemaining,
  isWarning,
  msUntilNextSecond,
  RECENT_END_MS,
  restOfMob,
  tabTitle,
  type TimerDocView,
  timerMode,
  turnEvent,
  warningThresholdMs,
  warningWords,
} from '../../app/_components/timerView';
import type { TimerState } from '../../lib/doc/schema';
import { DEFAULT_SETTINGS } from '../../lib/doc/schema';
import type { MemberId } from '../../lib/ids';

const m = (id: string, away = false) => ({ id: id as MemberId, name: id, rank: 0, away, joinedAt: 0 });

function view(overrides: Partial<TimerDocView> = {}): TimerDocView {
  return {
    rotation: { turn: 1, driver: 'B' as MemberId, navigator: 'C' as MemberId, timer: { status: 'idle' } },
    settings: DEFAULT_SETTINGS,
    members: ['A', 'B', 'C', 'D'].map((id) => m(id)),
    lastEnd: { turn: 0, phase: 'turn', endedAt: 1_000, end: 'expired' },
    ...overrides,
  };
}

describe('timer panel view state', () => {
  it('formats remaining time rounding up, with hours past an hour', () => {
    expect(formatRemaining(0)).toBe('0:00');
    expect(formatRemaining(1)).toBe('0:01');
    expect(formatRemaining(59_001)).toBe('1:00');
    expect(formatRemaining(7 * 60_000)).toBe('7:00');
    expect(formatRemaining(3_600_000 + 5_000)).toBe('1:00:05');
  });

  it('lists the rest of the mob in the order they come up after the navigator', () => {
    expect(restOfMob(view()).map((x) => x.name)).toEqual(['D', 'A']);
  });

  it('announces a recent turn end once, and stays quiet about old ones', () => {
    const e = turnEvent(view(), 2_000);
    expect(e).toMatchObject({ key: '0:turn:1000', title: 'Turn over: B drives', body: 'C navigates.' });
    expect(turnEvent(view(), 1_000 + RECENT_END_MS + 1)).toBeNull();
    expect(turnEvent(view({ lastEnd: null }), 2_000)).toBeNull();
    const onBreak = view({ rotation: { turn: 2, driver: 'C' as MemberId, navigator: 'D' as MemberId, timer: { status: 'running', phase: 'break', startedAt: 1_000, durationMs: 60_000, pausedMs: 0 } } });
    expect(turnEvent(onBreak, 2_000)?.title).toBe('Break time');
  });
});

describe('the soft warning', () => {
  const running = (durationMs: number, phase: 'turn' | 'break' = 'turn'): TimerState => ({ status: 'running', phase, startedAt: 0, durationMs, pausedMs: 0 });

  it('is the last 10 % of the turn, at most 30 s', () => {
    expect(warningThresholdMs(30_000)).toBe(3_000);
    expect(warningThresholdMs(120_000)).toBe(12_000);
    expect(warningThresholdMs(7 * 60_000)).toBe(30_000);
    expect(warningThresholdMs(4 * 3_600_000)).toBe(30_000);
    expect(warningWords(30_000)).toBe('3 seconds');
    expect(warningWords(7 * 60_000)).toBe('30 seconds');
  });

  it('does not show at the start of a 30 s turn, shows near its end, and never in breaks, pauses or at 0', () => {
    expect(isWarning(running(30_000), 30_000)).toBe(false);
    expect(isWarning(running(30_000), 29_000)).toBe(false);
    expect(isWarning(running(30_000), 3_000)).toBe(true);
    expect(isWarning(running(30_000), 0)).toBe(false);
    expect(isWarning(running(30_000, 'break'), 1_000)).toBe(false);
    expect(isWarning({ status: 'paused', phase: 'turn', startedAt: 0, remainingMs: 1_000, pausedAt: 5, pausedMs: 0 }, 1_000)).toBe(false);
    expect(isWarning({ status: 'idle' }, null)).toBe(false);
  });
});

describe('timer modes and the tab title', () => {
  it('names each state', () => {
    expect(timerMode({ status: 'idle' })).toBe('idle');
    expect(timerMode({ status: 'running', phase: 'break', startedAt: 0, durationMs: 1, pausedMs: 0 })).toBe('break');
    expect(timerMode({ status: 'paused', phase: 'turn', startedAt: 0, remainingMs: 1, pausedAt: 0, pausedMs: 0 })).toBe('paused-turn');
    expect(timerMode({ status: 'paused', phase: 'break', startedAt: 0, remainingMs: 1, pausedAt: 0, pausedMs: 0 })).toBe('paused-break');
  });

  it('says paused and break in the tab title', () => {
    expect(tabTitle('turn', 65_000, 'Ada')).toBe('1:05 · Ada driving');
    expect(tabTitle('paused-turn', 65_000, 'Ada')).toBe('Paused · 1:05 · Ada driving');
    expect(tabTitle('break', 300_000, 'Ada')).toBe('Break · 5:00');
    expect(tabTitle('paused-break', 300_000, 'Ada')).toBe('Paused · break · 5:00');
    expect(tabTitle('idle', null, 'Ada')).toBe('');
  });
});

describe('msUntilNextSecond', () => {
  it('is the time until the displayed (rounded-up) second changes', () => {
    expect(msUntilNextSecond(5_000)).toBe(1_000);
    expect(msUntilNextSecond(4_999)).toBe(999);
    expect(msUntilNextSecond(4_000.5)).toBeCloseTo(0.5);
    expect(msUntilNextSecond(1)).toBe(1);
    expect(msUntilNextSecond(3_600_000 + 250)).toBe(250);
  });

  it('lands exactly on the next displayed value', () => {
    for (const left of [5_000, 4_321, 61_001, 999, 7 * 60_000]) {
      const wait = msUntilNextSecond(left) as number;
      expect(formatRemaining(left - wait)).not.toBe(formatRemaining(left));
      expect(formatRemaining(left - wait + 0.001)).toBe(formatRemaining(left));
    }
  });

  it('is null once nothing is left', () => {
    expect(msUntilNextSecond(0)).toBeNull();
    expect(msUntilNextSecond(-5)).toBeNull();
  });
});
