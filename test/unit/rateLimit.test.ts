/**
 * The per-address HTTP write budget: bounded memory, and an address being limited stays limited
 * however many other addresses pass through (it used to forget every bucket past 10,000).
 */
import { describe, expect, it } from 'vitest';
import { MAX_TRACKED, PerAddressLimiter } from '../../server/http/rateLimit';
import { FakeTime } from '../helpers/fakeTime';

describe('PerAddressLimiter', () => {
  it('keeps a limited address limited while 20,000 other addresses each write once', () => {
    const time = new FakeTime();
    const limiter = new PerAddressLimiter(5, 1, () => time.now());
    for (let i = 0; i < 5; i++) expect(limiter.take('10.0.0.1')).toBe(true);
    expect(limiter.take('10.0.0.1')).toBe(false);
    for (let i = 0; i < 20_000; i++) limiter.take(`192.168.${(i >> 8) & 255}.${i & 255}-${i}`);
    expect(limiter.tracked).toBeLessThanOrEqual(MAX_TRACKED);
    expect(limiter.take('10.0.0.1')).toBe(false);
    // Its budget refills with time as it should.
    time.advance(1_000);
    expect(limiter.take('10.0.0.1')).toBe(true);
  });

  it('forgets full buckets first, so ordinary traffic never resets anyone', () => {
    const time = new FakeTime();
    const limiter = new PerAddressLimiter(2, 10, () => time.now());
    limiter.take('a');
    limiter.take('a');
    for (let i = 0; i < MAX_TRACKED + 100; i++) {
      limiter.take(`x${i}`);
      time.advance(1);
    }
    expect(limiter.tracked).toBe(MAX_TRACKED);
  });
});
