import { describe, expect, it } from 'vitest';
import { DEDUPE_LIMITS, DedupeSet } from '../../lib/delivery/dedupe';

const DAY = 24 * 60 * 60 * 1000;

function setAt(opts: { maxEntries?: number; ttlMs?: number } = {}) {
  const clock = { t: 0 };
  return { clock, set: new DedupeSet({ now: () => clock.t, ...opts }) };
}

describe('DedupeSet', () => {
  it('records a key only when told to, so a failed attempt can be redelivered', () => {
    const { set } = setAt();
    expect(set.seen('github:1:a')).toBe(false);
    // Processing failed: nothing remembered, the redelivery is processed again.
    expect(set.seen('github:1:a')).toBe(false);
    set.remember('github:1:a');
    expect(set.seen('github:1:a')).toBe(true);
  });

  it('keeps keys for at least GitHub’s 3-day redelivery window', () => {
    const { clock, set } = setAt();
    set.remember('k');
    clock.t = 3 * DAY;
    expect(set.seen('k')).toBe(true);
    clock.t = DEDUPE_LIMITS.defaultTtlMs;
    expect(set.seen('k')).toBe(false);
    expect(set.size).toBe(0);
  });

  it('refuses a time-to-live shorter than 3 days', () => {
    expect(() => new DedupeSet({ now: () => 0, ttlMs: DAY })).toThrow(RangeError);
    expect(() => new DedupeSet({ now: () => 0, maxEntries: 0 })).toThrow(RangeError);
  });

  it('evicts the oldest keys first past the cap, and counts them', () => {
    const { clock, set } = setAt({ maxEntries: 3 });
    for (const k of ['a', 'b', 'c', 'd']) {
      clock.t++;
      set.remember(k);
    }
    expect(set.size).toBe(3);
    expect(set.seen('a')).toBe(false);
    expect(['b', 'c', 'd'].every((k) => set.seen(k))).toBe(true);
    expect(set.evicted).toBe(1);
  });

  it('drops expired keys before evicting fresh ones', () => {
    const { clock, set } = setAt({ maxEntries: 2 });
    set.remember('old');
    clock.t = 5 * DAY;
    set.remember('new1');
    set.remember('new2');
    expect(set.size).toBe(2);
    expect(set.evicted).toBe(0);
  });

  it('refreshes a key remembered again', () => {
    const { clock, set } = setAt({ maxEntries: 2 });
    set.remember('a');
    clock.t = 1;
    set.remember('b');
    clock.t = 2;
    set.remember('a');
    set.remember('c');
    expect(set.seen('a')).toBe(true);
    expect(set.seen('b')).toBe(false);
  });
});
