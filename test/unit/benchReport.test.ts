/**
 * The fan-out target's detail line (bench/report.ts): the median p99s, each server's range over
 * its rounds, and in how many paired rounds Mobflow was not above the reference.
 */
import { describe, expect, it } from 'vitest';
import { fanoutDetail } from '../../bench/report';

const figures = (p99: number, roundsP99: number[]) => ({ latency: { count: 1, p50: 0, p95: 0, p99, max: 0 }, roundsP99 });

describe('fanoutDetail', () => {
  it('pairs the rounds by index and counts ties as not above', () => {
    const detail = fanoutDetail(figures(2.2, [2.9, 3, 2.1, 2.2, 1]), figures(1.5, [2, 1.5, 1.9, 0.8, 1]));
    expect(detail).toBe('2.2 vs 1.5 ms; rounds 1-3 vs 0.8-2 ms, not above the reference in 1 of 5 paired rounds');
  });

  it('says only the medians when there is a single round', () => {
    expect(fanoutDetail(figures(4.3, [4.3]), figures(4.5, [4.5]))).toBe('4.3 vs 4.5 ms');
  });

  it('pairs only the rounds both servers ran', () => {
    expect(fanoutDetail(figures(1, [1, 1, 9]), figures(2, [2, 2]))).toContain('in 2 of 2 paired rounds');
  });
});
