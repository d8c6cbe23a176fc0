import { describe, expect, it } from 'vitest';
import { SeqTracker } from '../../server/cluster/seqTracker';

describe('SeqTracker', () => {
  it('moves the floor over consecutive records and remembers those ahead of a gap', () => {
    const t = new SeqTracker(10);
    expect(t.mark(11)).toBe(true);
    expect(t.mark(13)).toBe(true);
    expect(t.floor).toBe(11);
    expect(t.missing).toBe(1);
    expect(t.mark(12)).toBe(true);
    expect(t.floor).toBe(13);
    expect(t.missing).toBe(0);
  });

  it('refuses duplicates, below and above the floor', () => {
    const t = new SeqTracker(5);
    expect(t.mark(5)).toBe(false);
    expect(t.mark(7)).toBe(true);
    expect(t.mark(7)).toBe(false);
  });

  it('counts records a peer announced but never delivered, and a snapshot covers them', () => {
    const t = new SeqTracker(0);
    t.mark(1);
    t.saw(4);
    expect(t.missing).toBe(3);
    t.mark(6);
    expect(t.missing).toBe(4);
    t.coverUpTo(5);
    expect(t.floor).toBe(6);
    expect(t.missing).toBe(0);
  });
});
