import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { idleMemoryRelease } from '../../server/idleMemory';
import type { Logger } from '../../server/logger';

const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function release(gc: (() => void) | undefined) {
  return idleMemoryRelease({ gc, delayMs: 1000, intervalMs: 500, rounds: 2, logger });
}

describe('idle memory release', () => {
  it('runs its rounds of collection once the last room unloaded, then stops', () => {
    const gc = vi.fn();
    const idle = release(gc);
    idle.roomsLoaded(3);
    idle.roomsLoaded(0);
    vi.advanceTimersByTime(999);
    expect(gc).toHaveBeenCalledTimes(0);
    vi.advanceTimersByTime(1);
    expect(gc).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(500);
    expect(gc).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(10_000);
    expect(gc).toHaveBeenCalledTimes(2);
  });

  it('a room loading meanwhile cancels the rest; the next idle period starts over', () => {
    const gc = vi.fn();
    const idle = release(gc);
    idle.roomsLoaded(0);
    vi.advanceTimersByTime(1000);
    expect(gc).toHaveBeenCalledTimes(1);
    idle.roomsLoaded(1);
    vi.advanceTimersByTime(5000);
    expect(gc).toHaveBeenCalledTimes(1);
    idle.roomsLoaded(0);
    vi.advanceTimersByTime(1500);
    expect(gc).toHaveBeenCalledTimes(3);
  });

  it("lets the store's cache go before each collection", () => {
    const calls: string[] = [];
    const idle = idleMemoryRelease({ gc: () => calls.push('gc'), release: () => calls.push('release'), delayMs: 1000, intervalMs: 500, rounds: 2, logger });
    idle.roomsLoaded(0);
    vi.advanceTimersByTime(1500);
    expect(calls).toEqual(['release', 'gc', 'release', 'gc']);
  });

  describe('after most rooms unloaded (a server that never goes idle)', () => {
    const DROP = { minPeak: 10, ratio: 0.25, delayMs: 1000 };
    function withDrop() {
      const gc = vi.fn();
      const dropped = vi.fn();
      const scheduled: boolean[] = [];
      const idle = idleMemoryRelease({ gc, delayMs: 1000, intervalMs: 500, rounds: 2, logger, drop: { ...DROP, onCollected: dropped }, onScheduled: (s) => scheduled.push(s) });
      const load = (...counts: number[]) => {
        for (const c of counts) idle.roomsLoaded(c);
      };
      return { gc, dropped, scheduled, idle, load };
    }

    it('collects once, after the fall to a quarter of the peak is over', () => {
      const { gc, dropped, scheduled, load } = withDrop();
      load(1, 10, 20, 12, 6);
      vi.advanceTimersByTime(5000);
      expect(gc).not.toHaveBeenCalled();
      load(5);
      vi.advanceTimersByTime(500);
      load(4, 2);
      vi.advanceTimersByTime(999);
      expect(gc).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(gc).toHaveBeenCalledTimes(1);
      expect(dropped).toHaveBeenCalledTimes(1);
      expect(scheduled).toEqual([true, false]);
      vi.advanceTimersByTime(10_000);
      expect(gc).toHaveBeenCalledTimes(1);
    });

    it('a room loading first cancels it; the peak counts again from the last collection', () => {
      const { gc, load } = withDrop();
      load(20, 3, 4);
      vi.advanceTimersByTime(5000);
      expect(gc).not.toHaveBeenCalled();
      load(2);
      vi.advanceTimersByTime(1000);
      expect(gc).toHaveBeenCalledTimes(1);
      // Peak is now 2: growing to 8 and falling to 1 is below minPeak.
      load(8, 1);
      vi.advanceTimersByTime(5000);
      expect(gc).toHaveBeenCalledTimes(1);
    });

    it('a small server never triggers it; reaching no room at all runs the idle rounds instead', () => {
      const { gc, dropped, load } = withDrop();
      load(9, 1);
      vi.advanceTimersByTime(5000);
      expect(gc).not.toHaveBeenCalled();
      load(40, 5, 0);
      vi.advanceTimersByTime(1500);
      expect(gc).toHaveBeenCalledTimes(2);
      expect(dropped).not.toHaveBeenCalled();
    });
  });

  it('repeated idle notices do not stack collections', () => {
    const gc = vi.fn();
    const idle = release(gc);
    idle.roomsLoaded(0);
    idle.roomsLoaded(0);
    idle.roomsLoaded(0);
    vi.advanceTimersByTime(10_000);
    expect(gc).toHaveBeenCalledTimes(2);
  });

  it('does nothing without an exposed gc, and nothing after close', () => {
    const idle = release(undefined);
    idle.roomsLoaded(0);
    expect(vi.getTimerCount()).toBe(0);
    const gc = vi.fn();
    const closed = release(gc);
    closed.roomsLoaded(0);
    closed.close();
    vi.advanceTimersByTime(10_000);
    expect(gc).toHaveBeenCalledTimes(0);
  });
});
