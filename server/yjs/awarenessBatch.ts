/**
 * Coalesces a room's awareness (presence) changes into at most one broadcast per window.
 *
 * Why: without it every presence update is encoded and sent to every other connection at once,
 * so N clients at 1 Hz cost N x (N - 1) frames per second (200 clients: ~40,000 sends/s). Batched,
 * a room sends at most one frame per connection per window, each carrying every client that
 * changed meanwhile, encoded once. Presence is state, not events: when one client changes twice in
 * a window only its latest state (with its latest clock) goes out, which is what every receiver
 * would have ended with anyway.
 *
 * Leading edge: a change after a quiet window goes out immediately, so small rooms see no delay;
 * only a busy room waits, and never more than one window.
 */

/** Longest a presence change waits before it is broadcast, ms. */
export const AWARENESS_WINDOW_MS = 25;

export interface AwarenessFlush {
  /** Awareness client ids whose current state (or removal) must be broadcast. */
  clients: number[];
  /** The origin (connection) of every change in the batch when they all came from one; else null. */
  soleOrigin: unknown;
}

export class AwarenessBatch {
  private readonly pending = new Set<number>();
  private readonly origins = new Set<unknown>();
  private timer: NodeJS.Timeout | null = null;
  private lastFlush = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly flush: (batch: AwarenessFlush) => void,
    private readonly windowMs: number = AWARENESS_WINDOW_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  add(clients: readonly number[], origin: unknown): void {
    if (clients.length === 0) return;
    for (const c of clients) this.pending.add(c);
    this.origins.add(origin);
    if (this.timer !== null) return;
    const wait = this.lastFlush + this.windowMs - this.now();
    if (wait <= 0) this.run();
    else this.timer = setTimeout(this.run, wait);
  }

  /** Drops anything pending (the room is going away). */
  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
    this.origins.clear();
  }

  private run = (): void => {
    this.timer = null;
    this.lastFlush = this.now();
    const clients = [...this.pending];
    const soleOrigin = this.origins.size === 1 ? [...this.origins][0] : null;
    this.pending.clear();
    this.origins.clear();
    if (clients.length > 0) this.flush({ clients, soleOrigin });
  };
}
