/**
 * Gives memory back once the server goes idle. A burst (a deploy's reconnect wave, a busy
 * afternoon) grows the V8 heap; when its sessions close the garbage stays, because without new
 * allocations V8 never runs the full collections that would free and uncommit it (its memory
 * reducer waits for a mark-compact that never comes). When the last room unloads, this runs
 * `rounds` full collections `intervalMs` apart, as the memory reducer would: the first frees the
 * garbage, a later one, once V8 sees the allocation rate has dropped, shrinks the young
 * generation and returns the emptied pages to the OS. A room loading meanwhile cancels the rest.
 * Before each collection the store lets go of its cache (`release`), whose pages would otherwise
 * keep the allocator's heap from shrinking.
 *
 * A server that never goes idle (one team with a session open is enough) still has quiet moments:
 * most of its rooms just unloaded. Without a collection there, what those rooms left in the old
 * generation piles up until V8's own mark-compact, late and long (a probe of five 500x8 rounds with
 * one room held: 200 MB of old space, 50 MB of it live, a 77 ms pause). So once the rooms loaded fall
 * to `drop.ratio` of the most loaded since the last collection, and that was at least
 * `drop.minPeak`, one collection runs `drop.delayMs` after the last room of the fall unloaded,
 * unless a room loads first. A full collection right then is short: little is live.
 *
 * `gc` exists when node runs with --expose-gc (scripts/server-command.mjs); without it this is off.
 */
import type { Logger } from './logger';

export interface IdleMemoryOptions {
  gc: (() => void) | undefined;
  /** Runs before each collection: caches outside the V8 heap let go of their memory (the store's). */
  release?: () => void;
  /** Quiet time after the last room unloaded before the first collection. */
  delayMs: number;
  intervalMs: number;
  rounds: number;
  logger: Logger;
  /** Called after each collection (metrics). */
  onCollected?(): void;
  /** The collection after most rooms unloaded (see above); off when absent. */
  drop?: { minPeak: number; ratio: number; delayMs: number; onCollected?(): void };
  /** Told when a collection is scheduled (true) and when it ran or was cancelled (false). */
  onScheduled?(scheduled: boolean): void;
}

export interface IdleMemory {
  /** Tell it how many rooms are loaded now. */
  roomsLoaded(count: number): void;
  close(): void;
}

export function idleMemoryRelease(opts: IdleMemoryOptions): IdleMemory {
  const { gc, drop } = opts;
  let timer: NodeJS.Timeout | null = null;
  /** What the pending timer runs: the idle rounds (no room loaded) or the one collection after a drop. */
  let pending: 'idle' | 'drop' | null = null;
  let loaded = 0;
  /** The most rooms loaded since the last collection. */
  let peak = 0;
  const set = (kind: typeof pending, run: (() => void) | null, ms = 0) => {
    if (timer) clearTimeout(timer);
    timer = run ? setTimeout(run, ms) : null;
    timer?.unref();
    if ((pending !== null) !== (kind !== null)) opts.onScheduled?.(kind !== null);
    pending = kind;
  };
  const collectNow = () => {
    opts.release?.();
    gc?.();
    peak = loaded;
  };
  const idleRound = (round: number) => {
    set(null, null);
    collectNow();
    opts.onCollected?.();
    opts.logger.debug('idle: full garbage collection', { round, rssBytes: process.memoryUsage.rss() });
    if (round < opts.rounds) set('idle', () => idleRound(round + 1), opts.intervalMs);
  };
  const afterDrop = () => {
    set(null, null);
    const from = peak;
    collectNow();
    drop?.onCollected?.();
    opts.logger.debug('rooms dropped: full garbage collection', { from, to: loaded, rssBytes: process.memoryUsage.rss() });
  };
  return {
    roomsLoaded(count) {
      if (!gc) return;
      const rising = count > loaded;
      loaded = count;
      peak = Math.max(peak, count);
      if (count === 0) {
        if (pending !== 'idle') set('idle', () => idleRound(1), opts.delayMs);
      } else if (rising) {
        set(null, null);
      } else if (drop && peak >= drop.minPeak && count <= peak * drop.ratio) {
        // Each further unload restarts the wait: the collection runs once the fall is over.
        set('drop', afterDrop, drop.delayMs);
      }
    },
    close: () => set(null, null),
  };
}
