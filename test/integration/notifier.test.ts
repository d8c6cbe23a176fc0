/**
 * The Notifier against a real HTTP receiver on 127.0.0.1 (port 0) with the real fetch and timers:
 * the request is what Slack or a JSON hook would get, failures are retried until the receiver
 * recovers, and a receiver that never recovers costs one counted drop. Backoffs and timeouts are
 * a few milliseconds, so the file stays well under a second.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDestination } from '../../server/integrations/destination';
import { Notifier, systemTimers } from '../../server/integrations/outbound';

interface Received {
  method: string;
  contentType: string | undefined;
  body: string;
}

/** A receiver that answers 500 to the next `failNext` requests, then 200; or hangs when told. */
class Receiver {
  failNext = 0;
  hang = false;
  readonly received: Received[] = [];
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void readBody(req).then((body) => {
        this.received.push({ method: req.method ?? '', contentType: req.headers['content-type'], body });
        if (this.hang) return; // never answer: the client's timeout must end it
        if (this.failNext > 0) {
          this.failNext--;
          res.writeHead(500).end('try later');
          return;
        }
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

const session = { name: 'payments', viewUrl: null };

function notifierFor(limits: { retryBudget: number; requestTimeoutMs?: number }) {
  return new Notifier({
    fetch: globalThis.fetch,
    now: Date.now,
    timers: systemTimers,
    limits: { backoffBaseMs: 5, backoffMaxMs: 20, requestTimeoutMs: 2_000, ...limits },
  });
}

/** Waits for the notifier to settle, bounded so a bug fails the test instead of hanging it. */
async function idle(n: Notifier): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('notifier did not settle in 5 s')), 5_000);
  });
  try {
    await Promise.race([n.whenIdle(), limit]);
  } finally {
    clearTimeout(timer);
  }
}

describe('Notifier against a real receiver', () => {
  const receiver = new Receiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  const destination = (format: 'slack' | 'json') => {
    // The receiver is on loopback, which production configuration refuses.
    const r = parseDestination({ format, url: receiver.url }, { allowPrivate: true });
    if (!r.ok) throw new Error(r.error);
    return r.destination;
  };

  it('refuses the loopback receiver unless private addresses are allowed', () => {
    expect(parseDestination({ format: 'json', url: receiver.url })).toMatchObject({ ok: false });
  });

  it('posts a Slack body, retrying until the receiver recovers', async () => {
    receiver.received.length = 0;
    receiver.failNext = 2;
    const n = notifierFor({ retryBudget: 3 });
    const started = performance.now();
    expect(n.notify(destination('slack'), { type: 'turn-started', session, driver: 'Ana', next: 'Bo', minutes: 10 })).toBe('queued');
    // The caller was not held up by the network.
    expect(performance.now() - started).toBeLessThan(200);
    await idle(n);
    expect(receiver.received).toHaveLength(3);
    expect(receiver.received[2]).toEqual({ method: 'POST', contentType: 'application/json', body: '{"text":"payments: Ana drives for 10 min, Bo is next"}' });
    expect(n.stats).toMatchObject({ sent: 1, retried: 2, dropped: 0 });
    n.close();
  });

  it('drops after the retry budget when the receiver keeps failing, and counts it', async () => {
    receiver.received.length = 0;
    receiver.failNext = 100;
    const n = notifierFor({ retryBudget: 2 });
    n.notify(destination('json'), { type: 'task-done', session, task: 'Refunds' });
    await idle(n);
    expect(receiver.received).toHaveLength(3);
    expect(JSON.parse(receiver.received[0]?.body ?? '')).toMatchObject({ event: 'task.done', session: 'payments', text: 'payments: task done: Refunds' });
    expect(n.stats).toMatchObject({ sent: 0, retried: 2, dropped: 1 });
    receiver.failNext = 0;
    n.close();
  });

  it('gives up on a receiver that never answers after the request timeout', async () => {
    receiver.received.length = 0;
    receiver.hang = true;
    const n = notifierFor({ retryBudget: 1, requestTimeoutMs: 100 });
    n.notify(destination('json'), { type: 'break-started', session, minutes: 5 });
    await idle(n);
    expect(receiver.received).toHaveLength(2);
    expect(n.stats).toMatchObject({ sent: 0, retried: 1, dropped: 1 });
    receiver.hang = false;
    n.close();
  });
});
