/**
 * A session's durable log, as the room sees it: one ordered, pipelined append per change, one
 * sequence (the store's), and the one owner of compaction.
 *
 * Appends are handed to the store at once (a networked store pipelines them) and settle in the
 * order they were made, whatever order the store answers in, so broadcasts chained on them go out
 * in order. Once an append fails, the log is failed: every later append rejects, nothing more is
 * acknowledged, and the room is dropped (clients reconnect to a fresh load).
 *
 * Compaction (folding the log into the snapshots, done by the store off the event loop) happens
 * after `compactAfter` records, after `quietMs` without an append while anything is pending, when
 * the oldest pending record is `maxAgeMs` old, and when the room unloads: so a quiet room never
 * keeps old log segments on disk, and nothing else compacts.
 */
import type { SessionId } from '../../lib/ids';
import type { Clock } from '../logger';
import type { DocUpdate, Fence, Store } from '../store/types';
import type { TimerSource } from '../timer/timerSource';

export interface DocLogOptions {
  compactAfter: number;
  quietMs: number;
  maxAgeMs: number;
  clock: Clock;
  timers: TimerSource;
  onCompacted?(): void;
  onCompactionError?(err: unknown): void;
}

export class DocLog {
  private tail: Promise<unknown> = Promise.resolve();
  private error: Error | null = null;
  private seq: number;
  private pendingRecords: number;
  private compacting: Promise<void> | null = null;
  private lastAppendAt = 0;
  private firstPendingAt = 0;
  private timer: unknown = null;
  private closed = false;

  constructor(
    private readonly id: SessionId,
    private readonly store: Store,
    stored: { lastSeq: number; pending: number },
    private readonly opts: DocLogOptions,
  ) {
    this.seq = stored.lastSeq;
    this.pendingRecords = stored.pending;
    if (this.pendingRecords > 0) {
      this.firstPendingAt = opts.clock.now();
      this.lastAppendAt = this.firstPendingAt;
      this.arm(opts.quietMs);
    }
  }

  get lastSeq(): number {
    return this.seq;
  }

  get pending(): number {
    return this.pendingRecords;
  }

  get failed(): Error | null {
    return this.error;
  }

  /** Stores one record; resolves with its sequence number once it and every earlier one are durable. */
  append(updates: readonly DocUpdate[], fence?: Fence): Promise<number> {
    if (this.error) return Promise.reject(this.error);
    if (this.closed) return Promise.reject(new Error('the session was unloaded'));
    const stored = this.store.append(this.id, updates, fence);
    stored.catch(() => undefined); // handled below, once the records before it have settled
    const done = this.tail.then(
      () => stored,
      () => Promise.reject(this.error),
    );
    const settled = done.then(
      (seq) => {
        this.stored(seq);
        return seq;
      },
      (err: unknown) => {
        this.error ??= err instanceof Error ? err : new Error(String(err));
        throw this.error;
      },
    );
    this.tail = settled.catch(() => undefined);
    return settled;
  }

  /**
   * A record another instance stored (cluster): compaction may cover it. Every record up to any
   * stored sequence number is stored too (the store numbers in commit order), so the highest one
   * seen is a safe bound whatever has arrived here. Not counted as pending: its writer compacts.
   */
  observed(seq: number): void {
    if (seq > this.seq) this.seq = seq;
  }

  /** Resolves once everything appended so far is durable; rejects if an append failed. */
  flush(): Promise<void> {
    return this.tail.then(() => {
      if (this.error) throw this.error;
    });
  }

  /** Folds everything stored so far into the snapshots (one compaction at a time). */
  compact(): Promise<void> {
    if (this.compacting) return this.compacting.then(() => (this.pendingRecords > 0 ? this.compact() : undefined));
    if (this.pendingRecords === 0 || this.error) return Promise.resolve();
    const upto = this.seq;
    const covering = this.pendingRecords;
    this.compacting = this.store
      .compact(this.id, upto)
      .then(() => {
        this.pendingRecords = Math.max(0, this.pendingRecords - covering);
        if (this.pendingRecords > 0) {
          // Records that arrived while it ran start their own wait.
          this.firstPendingAt = this.opts.clock.now();
          if (!this.closed) this.arm(this.pendingRecords >= this.opts.compactAfter ? 0 : this.opts.quietMs);
        }
        this.opts.onCompacted?.();
      })
      .catch((err: unknown) => {
        this.opts.onCompactionError?.(err);
        if (!this.closed) this.arm(this.opts.quietMs); // tried again later
      })
      .finally(() => {
        this.compacting = null;
      });
    return this.compacting;
  }

  /** Waits for what is in flight, compacts what is pending, and stops the timer (the room unloads). */
  async close(): Promise<void> {
    await this.flush().catch(() => undefined);
    await this.compact();
    this.closed = true;
    this.disarm();
  }

  /** Stops the timer without compacting (the room failed or the server is going down hard). */
  abandon(): void {
    this.closed = true;
    this.disarm();
  }

  private stored(seq: number): void {
    if (seq > this.seq) this.seq = seq;
    const now = this.opts.clock.now();
    this.lastAppendAt = now;
    if (this.pendingRecords === 0) {
      this.firstPendingAt = now;
      this.arm(this.opts.quietMs);
    }
    this.pendingRecords++;
    if (this.pendingRecords >= this.opts.compactAfter && !this.compacting) this.arm(0);
  }

  /** One timer at most; when it fires it compacts if due, or waits for the rest of the time. */
  private arm(delayMs: number): void {
    if (this.closed) return;
    this.disarm();
    this.timer = this.opts.timers.setTimeout(() => this.tick(), delayMs);
  }

  private disarm(): void {
    if (this.timer !== null) this.opts.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private tick(): void {
    this.timer = null;
    if (this.closed || this.pendingRecords === 0) return;
    const now = this.opts.clock.now();
    const quietFor = now - this.lastAppendAt;
    const age = now - this.firstPendingAt;
    if (this.pendingRecords >= this.opts.compactAfter || quietFor >= this.opts.quietMs || age >= this.opts.maxAgeMs) {
      void this.compact();
      return;
    }
    this.arm(Math.min(this.opts.quietMs - quietFor, this.opts.maxAgeMs - age));
  }
}
