/**
 * Outbound chat notifications (Slack, Teams Workflows, plain JSON) for session transitions.
 *
 * The caller is a room transition or a webhook route: it must never wait on, or fail because of,
 * a chat service. So `notify` only formats and enqueues and returns at once; delivery runs on its
 * own, one request at a time per destination (messages stay in order), with a per-request
 * timeout, exponential backoff on failure up to a retry budget, then a drop that is counted.
 * Everything the server can be made to buffer is capped: messages per destination, destinations.
 *
 * Time comes from an injected clock and timer source, so tests run the backoff without waiting.
 */
import { assertNever } from '../../lib/timer';
import type { Logger } from '../logger';
import { type NotifyEvent, notificationText, renderBody } from './chatMessage';
import type { Destination } from './destination';

/** setTimeout-like scheduling; tests pass a fake one and advance it by hand. */
export interface TimerSource {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: TimerSource = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export const NOTIFIER_LIMITS = {
  /** Messages waiting per destination; past it the oldest waiting one is dropped (stale news). */
  queuePerDestination: 20,
  /** Retries after the first attempt before a message is dropped. */
  retryBudget: 4,
  backoffBaseMs: 2_000,
  backoffMaxMs: 5 * 60_000,
  /** Fraction of each backoff taken off at random, so sessions sharing a channel spread out. */
  jitter: 0.2,
  requestTimeoutMs: 10_000,
  /** Destinations remembered (queues and last message); idle ones are forgotten first. */
  destinations: 1_000,
} as const;
export type NotifierLimits = { [K in keyof typeof NOTIFIER_LIMITS]: number };

export interface NotifierDeps {
  fetch: FetchLike;
  now: () => number;
  timers: TimerSource;
  /** [0, 1); defaults to Math.random. Tests pass () => 0 for exact backoff. */
  random?: () => number;
  logger?: Pick<Logger, 'warn'>;
  limits?: Partial<NotifierLimits>;
  /** Every message given up on, with why (for a metric: drops must be visible). */
  onDropped?(reason: DropReason): void;
  /** Every message delivered. */
  onSent?(): void;
}

/** Why a message was given up on: a full queue, a receiver that refused it, the retry budget spent, shutdown, or a bug. */
export type DropReason = 'queue-full' | 'rejected' | 'retry-budget' | 'closed' | 'error';

/** `duplicate`: the same transition as the last one to this destination, not sent again. */
export type EnqueueResult = 'queued' | 'duplicate' | 'closed' | 'dropped';

/** Counters for metrics. `dropped` counts every message given up on, for whatever reason. */
export interface NotifierStats {
  queued: number;
  sent: number;
  retried: number;
  dropped: number;
  duplicates: number;
}

type Outcome = { kind: 'sent' } | { kind: 'retry'; retryAfterMs: number | null; why: string } | { kind: 'reject'; why: string };

interface Job {
  body: string;
  /** Attempts made so far. */
  attempts: number;
}

interface Lane {
  dest: Destination;
  /** queue[0] is the message being sent or waiting for its retry. */
  queue: Job[];
  inFlight: AbortController | null;
  retryTimer: unknown;
  lastKey: string | null;
}

const HTTP_TIMEOUT = 408;
const HTTP_TOO_EARLY = 425;
const HTTP_TOO_MANY = 429;

export class Notifier {
  private readonly lanes = new Map<string, Lane>();
  private readonly limits: NotifierLimits;
  private readonly random: () => number;
  private readonly counters: NotifierStats = { queued: 0, sent: 0, retried: 0, dropped: 0, duplicates: 0 };
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly deps: NotifierDeps) {
    this.limits = { ...NOTIFIER_LIMITS, ...deps.limits };
    this.random = deps.random ?? Math.random;
  }

  /** Formats and enqueues one message; returns at once and never throws. */
  notify(dest: Destination, event: NotifyEvent): EnqueueResult {
    if (this.closed) return 'closed';
    try {
      const text = notificationText(event);
      const key = `${event.type}|${text}`;
      const lane = this.laneFor(dest);
      // One message per transition: a repeat of the last one (a redelivered CI failure, the
      // same driver restarting) is not news.
      if (lane.lastKey === key) {
        this.counters.duplicates++;
        return 'duplicate';
      }
      lane.lastKey = key;
      if (lane.queue.length >= this.limits.queuePerDestination) {
        // Drop the oldest message still waiting; the head stays when it is already being sent.
        const oldestWaiting = lane.inFlight !== null || lane.retryTimer !== null ? 1 : 0;
        this.drop(lane, 'queue-full', 'queue full');
        if (oldestWaiting >= lane.queue.length) return 'dropped';
        lane.queue.splice(oldestWaiting, 1);
      }
      lane.queue.push({ body: renderBody(dest.format, event, text, this.deps.now()), attempts: 0 });
      this.counters.queued++;
      // Start sending after the caller's turn, so nothing of fetch runs inside it.
      queueMicrotask(() => this.pump(lane));
      return 'queued';
    } catch (err) {
      this.counters.dropped++;
      this.deps.onDropped?.('error');
      this.deps.logger?.warn('notification not queued', { err: String(err) });
      return 'dropped';
    }
  }

  get stats(): Readonly<NotifierStats> {
    return { ...this.counters };
  }

  /** Messages not yet sent or dropped, across destinations. */
  get pending(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.queue.length;
    return n;
  }

  /** Resolves once every queue is empty (for tests and graceful shutdown; bound it by a timeout). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops for good: aborts requests in flight, cancels retries, drops (and counts) what is left. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const lane of this.lanes.values()) {
      lane.inFlight?.abort();
      if (lane.retryTimer !== null) this.deps.timers.clearTimeout(lane.retryTimer);
      this.counters.dropped += lane.queue.length;
      for (let i = 0; i < lane.queue.length; i++) this.deps.onDropped?.('closed');
      lane.queue = [];
    }
    this.lanes.clear();
    this.wakeIdle();
  }

  private laneFor(dest: Destination): Lane {
    const id = `${dest.format} ${dest.url}`;
    const existing = this.lanes.get(id);
    if (existing) return existing;
    if (this.lanes.size >= this.limits.destinations) {
      for (const [key, lane] of this.lanes) {
        if (lane.queue.length === 0) {
          this.lanes.delete(key);
          break;
        }
      }
    }
    const lane: Lane = { dest, queue: [], inFlight: null, retryTimer: null, lastKey: null };
    this.lanes.set(id, lane);
    return lane;
  }

  private pump(lane: Lane): void {
    if (this.closed || lane.inFlight !== null || lane.retryTimer !== null) return;
    const job = lane.queue[0];
    if (!job) {
      this.wakeIdle();
      return;
    }
    this.attempt(lane, job).catch((err: unknown) => {
      this.deps.logger?.warn('chat notification failed unexpectedly', { err: String(err) });
    });
  }

  private async attempt(lane: Lane, job: Job): Promise<void> {
    const controller = new AbortController();
    lane.inFlight = controller;
    job.attempts++;
    const timeout = this.deps.timers.setTimeout(() => controller.abort(), this.limits.requestTimeoutMs);
    let outcome: Outcome;
    try {
      const res = await this.deps.fetch(lane.dest.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Mobflow-Notifier/1' },
        body: job.body,
        signal: controller.signal,
        // A redirect could lead anywhere, including an internal address: never follow one.
        redirect: 'manual',
      });
      // The body is never needed; cancelling it frees the connection.
      res.body?.cancel().catch(() => {});
      outcome = classify(res.status, res.headers.get('retry-after'));
    } catch (err) {
      outcome = { kind: 'retry', retryAfterMs: null, why: controller.signal.aborted ? 'timed out' : `network error: ${String(err)}` };
    } finally {
      this.deps.timers.clearTimeout(timeout);
    }
    if (this.closed) return;
    lane.inFlight = null;
    this.settle(lane, job, outcome);
  }

  private settle(lane: Lane, job: Job, outcome: Outcome): void {
    switch (outcome.kind) {
      case 'sent':
        this.counters.sent++;
        this.deps.onSent?.();
        finish(lane, job);
        break;
      case 'reject':
        finish(lane, job);
        this.drop(lane, 'rejected', outcome.why);
        break;
      case 'retry': {
        if (job.attempts > this.limits.retryBudget) {
          finish(lane, job);
          this.drop(lane, 'retry-budget', `${outcome.why}; retry budget spent`);
          break;
        }
        this.counters.retried++;
        lane.retryTimer = this.deps.timers.setTimeout(() => {
          lane.retryTimer = null;
          this.pump(lane);
        }, this.backoff(job.attempts, outcome.retryAfterMs));
        return;
      }
      default:
        assertNever(outcome);
    }
    this.pump(lane);
  }

  /** base * 2^(attempts-1), capped, less up to `jitter` of it; a longer Retry-After wins (capped). */
  private backoff(attempts: number, retryAfterMs: number | null): number {
    const { backoffBaseMs, backoffMaxMs, jitter } = this.limits;
    const exp = Math.min(backoffMaxMs, backoffBaseMs * 2 ** (attempts - 1));
    const delay = Math.round(exp * (1 - jitter * this.random()));
    return Math.min(backoffMaxMs, Math.max(delay, retryAfterMs ?? 0));
  }

  private drop(lane: Lane, reason: DropReason, why: string): void {
    this.counters.dropped++;
    this.deps.onDropped?.(reason);
    this.deps.logger?.warn('chat notification dropped', { format: lane.dest.format, why });
  }

  private isIdle(): boolean {
    for (const lane of this.lanes.values()) if (lane.queue.length > 0) return false;
    return true;
  }

  private wakeIdle(): void {
    if (!this.closed && !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

/** 2xx is delivered; timeouts, rate limits and server errors are worth retrying; the rest is not. */
function classify(status: number, retryAfter: string | null): Outcome {
  if (status >= 200 && status < 300) return { kind: 'sent' };
  if (status === HTTP_TIMEOUT || status === HTTP_TOO_EARLY || status === HTTP_TOO_MANY || status >= 500) {
    const seconds = retryAfter !== null && /^\d{1,6}$/.test(retryAfter.trim()) ? Number(retryAfter.trim()) : null;
    return { kind: 'retry', retryAfterMs: seconds === null ? null : seconds * 1000, why: `HTTP ${status}` };
  }
  // 3xx (not followed), 4xx: the URL or the body is wrong, or the channel is gone (Slack answers
  // 404 no_service, 410 channel_is_archived); repeating the request cannot fix that.
  return { kind: 'reject', why: `HTTP ${status}` };
}

function finish(lane: Lane, job: Job): void {
  if (lane.queue[0] === job) lane.queue.shift();
}
