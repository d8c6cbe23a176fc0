import { describe, expect, it } from 'vitest';
import { formatRemaining, RECENT_END_MS, restOfMob, type TimerDocView, turnEvent } from '../../app/_components/timerView';
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
