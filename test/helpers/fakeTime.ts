/**
 * A fake clock and timer source: time moves only when a test says so, and timers due by then run
 * in order. No test waits for a real turn.
 */
import type { Clock } from '../../server/logger';
import type { TimerSource } from '../../server/timer/timerSource';

export class FakeTime implements Clock, TimerSource {
  private t: number;
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.t + Math.max(0, delayMs), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Timers still waiting. */
  get waiting(): number {
    return this.pending.size;
  }

  /** Moves time forward by `ms`, running every timer that comes due, in due order (and those they arm). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | null = null;
      for (const e of this.pending) if (e[1].at <= end && (!next || e[1].at < next[1].at || (e[1].at === next[1].at && e[0] < next[0]))) next = e;
      if (!next) break;
      this.pending.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = end;
  }

  /** Lets promise callbacks (store writes, transactions) settle between steps. */
  static async settle(rounds = 10): Promise<void> {
    for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
  }
}
