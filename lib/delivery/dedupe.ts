/**
 * A bounded set of delivery keys already processed, over an injected clock.
 *
 * GitHub signatures carry no timestamp, so remembering delivery ids is the only replay defence,
 * and GitHub lets anyone with access redeliver any delivery of the last 3 days: keys are kept at
 * least that long. The entry cap bounds memory under a flood; when it bites, the oldest keys go
 * first (a flood can then push a key out early: that is the price of a bounded set).
 *
 * `seen` and `remember` are separate on purpose: remember a key only after the event was
 * processed, so a delivery that failed half-way can still be redelivered and succeed.
 * The set lives in memory; a restart forgets it (persist it if replays across restarts matter).
 */

const DAY_MS = 24 * 60 * 60 * 1000;

export const DEDUPE_LIMITS = {
  /** GitHub's redelivery window; a shorter time-to-live is refused. */
  minTtlMs: 3 * DAY_MS,
  /** A day of margin over the window. */
  defaultTtlMs: 4 * DAY_MS,
  defaultMaxEntries: 50_000,
} as const;

export interface DedupeOptions {
  now: () => number;
  ttlMs?: number;
  maxEntries?: number;
}

export class DedupeSet {
  /** Key -> time remembered. A Map iterates in insertion order, so the first entry is the oldest. */
  private readonly entries = new Map<string, number>();
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private evictedCount = 0;

  constructor(opts: DedupeOptions) {
    this.now = opts.now;
    this.ttlMs = opts.ttlMs ?? DEDUPE_LIMITS.defaultTtlMs;
    this.maxEntries = opts.maxEntries ?? DEDUPE_LIMITS.defaultMaxEntries;
    if (!(this.ttlMs >= DEDUPE_LIMITS.minTtlMs)) throw new RangeError(`dedupe ttl must be at least ${DEDUPE_LIMITS.minTtlMs} ms (3 days)`);
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) throw new RangeError('dedupe maxEntries must be a positive integer');
  }

  /** True when `key` was remembered less than the time-to-live ago. */
  seen(key: string): boolean {
    const at = this.entries.get(key);
    if (at === undefined) return false;
    if (this.now() - at >= this.ttlMs) {
      this.entries.delete(key);
      return false;
    }
    return true;
  }

  /** Records `key` as processed now (a repeat refreshes it), then drops expired and excess keys. */
  remember(key: string): void {
    this.entries.delete(key);
    this.entries.set(key, this.now());
    this.prune();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Keys pushed out by the entry cap before their time (a metric: non-zero means the cap is tight). */
  get evicted(): number {
    return this.evictedCount;
  }

  private prune(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [key, at] of this.entries) {
      // Oldest first: stop at the first key still fresh and within the cap.
      if (at <= cutoff) this.entries.delete(key);
      else if (this.entries.size > this.maxEntries) {
        this.entries.delete(key);
        this.evictedCount++;
      } else break;
    }
  }
}
