/**
 * Where the server's timers come from: injected (with a Clock) so the turn timer and the log's
 * compaction schedule run on a fake clock in tests, with no real waiting.
 */
export interface TimerSource {
  setTimeout(fn: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's timers, unref'd: the listening server keeps the process alive, a pending timer does not. */
export const systemTimers: TimerSource = {
  setTimeout(fn, delayMs) {
    const t = setTimeout(fn, delayMs);
    t.unref();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};
