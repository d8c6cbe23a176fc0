import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type AwarenessFlush, AwarenessBatch } from '../../server/yjs/awarenessBatch';

const WINDOW = 25;

describe('AwarenessBatch', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const setup = () => {
    const flushes: AwarenessFlush[] = [];
    const batch = new AwarenessBatch((f) => flushes.push(f), WINDOW, () => Date.now());
    return { flushes, batch };
  };

  it('sends a change after a quiet window at once, excluding its only origin', () => {
    const { flushes, batch } = setup();
    const conn = { id: 'a' };
    batch.add([1], conn);
    expect(flushes).toEqual([{ clients: [1], soleOrigin: conn }]);
  });

  it('coalesces changes within a window into one flush with every changed client once', () => {
    const { flushes, batch } = setup();
    const a = { id: 'a' };
    const b = { id: 'b' };
    batch.add([1], a);
    batch.add([2], b);
    batch.add([1], a);
    batch.add([3], null);
    expect(flushes).toHaveLength(1);
    vi.advanceTimersByTime(WINDOW);
    expect(flushes).toHaveLength(2);
    expect(flushes[1]).toEqual({ clients: [2, 1, 3], soleOrigin: null });
  });

  it('sends at most one flush per window under steady load', () => {
    const { flushes, batch } = setup();
    for (let t = 0; t < 10 * WINDOW; t++) {
      batch.add([t % 7], { id: t });
      vi.advanceTimersByTime(1);
    }
    vi.advanceTimersByTime(WINDOW);
    expect(flushes.length).toBeLessThanOrEqual(11);
    expect(new Set(flushes.flatMap((f) => f.clients))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6]));
  });

  it('drops pending changes on close', () => {
    const { flushes, batch } = setup();
    batch.add([1], null);
    batch.add([2], null);
    batch.close();
    vi.advanceTimersByTime(WINDOW * 2);
    expect(flushes).toHaveLength(1);
  });
});
