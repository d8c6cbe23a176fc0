import { describe, expect, it } from 'vitest';
import { type ClockSample, estimateOffset, keepRecent, offsetOf } from '../../lib/clock';

describe('server clock estimation', () => {
  it('estimates the offset from one symmetric sample', () => {
    // Client is 5 minutes ahead; 100 ms round trip.
    const s: ClockSample = { sentAt: 300_000 + 1_000, serverNow: 1_050, receivedAt: 300_000 + 1_100 };
    expect(offsetOf(s)).toEqual({ offsetMs: -300_000, rttMs: 100 });
  });

  it('lets the best round trip win', () => {
    const samples: ClockSample[] = [
      { sentAt: 0, serverNow: 5_900, receivedAt: 800 }, // slow, asymmetric
      { sentAt: 1_000, serverNow: 6_010, receivedAt: 1_020 }, // fast
      { sentAt: 2_000, serverNow: 7_300, receivedAt: 2_400 },
    ];
    expect(estimateOffset(samples)).toEqual({ offsetMs: 5_000, rttMs: 20 });
  });

  it('ignores unusable samples and returns null without any', () => {
    expect(estimateOffset([])).toBeNull();
    expect(estimateOffset([{ sentAt: 10, serverNow: 5, receivedAt: 5 }])).toBeNull();
    expect(estimateOffset([{ sentAt: 0, serverNow: Number.NaN, receivedAt: 5 }])).toBeNull();
  });

  it('keeps only the newest samples', () => {
    const mk = (n: number): ClockSample => ({ sentAt: n, serverNow: n, receivedAt: n });
    expect(keepRecent([mk(1), mk(2), mk(3)], mk(4), 3).map((s) => s.sentAt)).toEqual([2, 3, 4]);
  });
});
