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
}

export interface IdleMemory {
  /** Tell it how many rooms are loaded now. */
  roomsLoaded(count: number): void;
  close(): void;
}

export function idleMemoryRelease(opts: IdleMemoryOptions): IdleMemory {
  const { gc } = opts;
  let timer: NodeJS.Timeout | null = null;
  const cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  const collect = (round: number) => {
    timer = null;
    opts.release?.();
    gc?.();
    opts.onCollected?.();
    opts.logger.debug('idle: full garbage collection', { round, rssBytes: process.memoryUsage.rss() });
    if (round < opts.rounds) schedule(round + 1, opts.intervalMs);
  };
  const schedule = (round: number, ms: number) => {
    timer = setTimeout(() => collect(round), ms);
    timer.unref();
  };
  return {
    roomsLoaded(count) {
      if (!gc) return;
      if (count > 0) cancel();
      else if (!timer) schedule(1, opts.delayMs);
    },
    close: cancel,
  };
}
