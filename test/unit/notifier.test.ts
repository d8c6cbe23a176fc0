import { describe, expect, it } from 'vitest';
import type { NotifyEvent } from '../../server/integrations/chatMessage';
import { type Destination, parseDestination } from '../../server/integrations/destination';
import { type FetchLike, Notifier, type NotifierLimits } from '../../server/integrations/outbound';
import { FakeTimers, flushAsync } from '../helpers/fakeTimers';

const session = { name: 'payments', viewUrl: null };
const turn = (driver: string): NotifyEvent => ({ type: 'turn-started', session, driver, next: null, minutes: 10 });

function dest(url = 'https://hooks.example.com/a', format: 'slack' | 'json' = 'json'): Destination {
  const r = parseDestination({ format, url });
  if (!r.ok) throw new Error(r.error);
  return r.destination;
}

type Reply = number | 'network' | 'hang' | { status: number; headers: Record<string, string> };

/** A fetch that answers from a script (then 200s), recording what it was sent. */
function scriptedFetch(script: Reply[] = []) {
  const calls: { url: string; body: string; signal: AbortSignal | null | undefined }[] = [];
  const fetch: FetchLike = (url, init) => {
    calls.push({ url, body: String(init.body), signal: init.signal });
    const reply = script.shift() ?? 200;
    if (reply === 'network') return Promise.reject(new TypeError('fetch failed'));
    if (reply === 'hang') {
      return new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    }
    const { status, headers } = typeof reply === 'number' ? { status: reply, headers: {} } : reply;
    return Promise.resolve(new Response(null, { status, headers }));
  };
  return { fetch, calls };
}

function setup(script: Reply[] = [], limits: Partial<NotifierLimits> = {}) {
  const timers = new FakeTimers();
  const f = scriptedFetch(script);
  const notifier = new Notifier({
    fetch: f.fetch,
    now: () => timers.now,
    timers,
    random: () => 0,
    limits: { backoffBaseMs: 1_000, backoffMaxMs: 60_000, retryBudget: 3, requestTimeoutMs: 5_000, ...limits },
  });
  return { timers, notifier, calls: f.calls };
}

describe('Notifier', () => {
  it('enqueues and returns before any request is made', async () => {
    const { notifier, calls } = setup(['hang']);
    expect(notifier.notify(dest(), turn('Ana'))).toBe('queued');
    expect(calls).toHaveLength(0);
    await flushAsync();
    expect(calls).toHaveLength(1);
    expect(notifier.pending).toBe(1);
  });

  it('sends one message per transition', async () => {
    const { notifier, calls } = setup();
    const d = dest();
    expect(notifier.notify(d, turn('Ana'))).toBe('queued');
    expect(notifier.notify(d, turn('Ana'))).toBe('duplicate');
    expect(notifier.notify(d, turn('Bo'))).toBe('queued');
    expect(notifier.notify(d, turn('Ana'))).toBe('queued');
    await notifier.whenIdle();
    expect(calls.map((c) => JSON.parse(c.body).text)).toEqual([
      'payments: Ana drives for 10 min',
      'payments: Bo drives for 10 min',
      'payments: Ana drives for 10 min',
    ]);
    expect(notifier.stats).toEqual({ queued: 3, sent: 3, retried: 0, dropped: 0, duplicates: 1 });
  });

  it('retries a failing receiver with exponential backoff, then delivers', async () => {
    const { notifier, calls, timers } = setup([500, 'network', 503]);
    notifier.notify(dest(), turn('Ana'));
    await flushAsync();
    expect(calls).toHaveLength(1);
    expect(timers.delays()).toEqual([1_000]);
    timers.advance(1_000);
    await flushAsync();
    expect(calls).toHaveLength(2);
    expect(timers.delays()).toEqual([2_000]);
    timers.advance(2_000);
    await flushAsync();
    expect(timers.delays()).toEqual([4_000]);
    timers.advance(4_000);
    await flushAsync();
    expect(calls).toHaveLength(4);
    expect(notifier.stats).toMatchObject({ sent: 1, retried: 3, dropped: 0 });
    expect(notifier.pending).toBe(0);
  });

  it('drops a message once the retry budget is spent, and counts it', async () => {
    const { notifier, calls, timers } = setup([500, 500, 500, 500, 500]);
    notifier.notify(dest(), turn('Ana'));
    for (let i = 0; i < 6; i++) {
      await flushAsync();
      timers.advance(60_000);
    }
    expect(calls).toHaveLength(4);
    expect(notifier.stats).toMatchObject({ sent: 0, retried: 3, dropped: 1 });
    expect(notifier.pending).toBe(0);
  });

  it('gives up at once on answers a retry cannot fix', async () => {
    const { notifier, calls } = setup([404, 302]);
    notifier.notify(dest(), turn('Ana'));
    notifier.notify(dest(), turn('Bo'));
    await notifier.whenIdle();
    expect(calls).toHaveLength(2);
    expect(notifier.stats).toMatchObject({ sent: 0, retried: 0, dropped: 2 });
  });

  it('honours Retry-After on 429, within the backoff cap', async () => {
    const { notifier, timers } = setup([{ status: 429, headers: { 'retry-after': '30' } }, { status: 503, headers: { 'retry-after': '99999' } }]);
    notifier.notify(dest(), turn('Ana'));
    await flushAsync();
    expect(timers.delays()).toEqual([30_000]);
    timers.advance(30_000);
    await flushAsync();
    expect(timers.delays()).toEqual([60_000]);
  });

  it('aborts a request that takes longer than the timeout, and retries it', async () => {
    const { notifier, calls, timers } = setup(['hang']);
    notifier.notify(dest(), turn('Ana'));
    await flushAsync();
    expect(timers.delays()).toEqual([5_000]);
    timers.advance(5_000);
    await flushAsync();
    expect(calls[0]?.signal?.aborted).toBe(true);
    expect(notifier.stats.retried).toBe(1);
    timers.advance(1_000);
    await notifier.whenIdle();
    expect(notifier.stats.sent).toBe(1);
  });

  it('keeps destinations independent and each in order', async () => {
    const { notifier, calls, timers } = setup([500]);
    const slow = dest('https://slow.example.com/');
    const fast = dest('https://fast.example.com/');
    notifier.notify(slow, turn('Ana'));
    notifier.notify(slow, turn('Bo'));
    notifier.notify(fast, turn('Cy'));
    await flushAsync();
    // The slow destination's failure holds back its second message, not the other destination.
    expect(calls.map((c) => c.url)).toEqual(['https://slow.example.com/', 'https://fast.example.com/']);
    timers.advance(1_000);
    await notifier.whenIdle();
    expect(calls.filter((c) => c.url.startsWith('https://slow')).map((c) => JSON.parse(c.body).text)).toEqual([
      'payments: Ana drives for 10 min',
      'payments: Ana drives for 10 min',
      'payments: Bo drives for 10 min',
    ]);
  });

  it('caps the queue per destination, dropping the oldest waiting message', async () => {
    const { notifier, calls } = setup(['hang'], { queuePerDestination: 2 });
    const d = dest();
    notifier.notify(d, turn('Ana'));
    await flushAsync();
    notifier.notify(d, turn('Bo'));
    expect(notifier.notify(d, turn('Cy'))).toBe('queued');
    expect(notifier.stats.dropped).toBe(1);
    expect(notifier.pending).toBe(2);
    expect(calls).toHaveLength(1);
  });

  it('never throws into the caller, even when fetch throws synchronously', async () => {
    const timers = new FakeTimers();
    const notifier = new Notifier({
      fetch: () => {
        throw new Error('boom');
      },
      now: () => timers.now,
      timers,
      random: () => 0,
      limits: { retryBudget: 0 },
    });
    expect(() => notifier.notify(dest(), turn('Ana'))).not.toThrow();
    await notifier.whenIdle();
    expect(notifier.stats).toMatchObject({ sent: 0, dropped: 1 });
  });

  it('drops and counts what is left on close, and refuses new messages', async () => {
    const { notifier, calls } = setup(['hang']);
    notifier.notify(dest(), turn('Ana'));
    notifier.notify(dest(), turn('Bo'));
    await flushAsync();
    notifier.close();
    await notifier.whenIdle();
    expect(calls[0]?.signal?.aborted).toBe(true);
    expect(notifier.stats.dropped).toBe(2);
    expect(notifier.notify(dest(), turn('Cy'))).toBe('closed');
  });
});
