/**
 * Outbound chat against a local HTTP receiver, with the real server on a fake clock (its timers
 * drive the turns and the Notifier's backoff alike, so no test waits for a real retry): one message
 * per transition, in order, from where each transition happens (timer commands and expiry, mob.sh,
 * tasks, decisions, a failing pipeline); a failed post is retried; one that keeps failing is
 * dropped after the retry budget and counted; a receiver that never answers delays no rotation.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOCKET_PATH } from '../../lib/protocol/events';
import type { CreatedIntegration, MobKeyView } from '../../lib/protocol/integrations';
import type { SessionSnapshot } from '../../lib/snapshot';
import { FakeTime } from '../helpers/fakeTime';
import { api, createSession, startServer, type TestServer } from '../helpers/server';
import { fixtureBytes, githubSignature } from '../helpers/webhooks';

interface Received {
  path: string;
  body: string;
}

/** Records every post; answers 500 to the next `failNext`, or holds the answer while `hang` is on. */
class Receiver {
  failNext = 0;
  hang = false;
  readonly received: Received[] = [];
  private readonly held: ServerResponse[] = [];
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
        if (this.hang) return void this.held.push(res);
        if (this.failNext > 0) {
          this.failNext--;
          return void res.writeHead(500).end('try later');
        }
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Answers every held request with 200. */
  release(): void {
    this.hang = false;
    for (const res of this.held.splice(0)) res.writeHead(200).end('ok');
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

const PUBLIC = 'https://mob.example.com';
let t: TestServer;
const time = new FakeTime();
const receiver = new Receiver();

beforeAll(async () => {
  await receiver.start();
  t = await startServer({ chatAllowPrivate: true, minTurnSeconds: 1, publicUrl: PUBLIC }, { clock: time, timers: time });
});
afterAll(async () => {
  await t.stop();
  await receiver.stop();
});

/** A session with members and a JSON chat destination at its own path on the receiver. */
async function chatSession(path: string, opts: { format?: 'json' | 'slack'; turnSeconds?: number } = {}) {
  const s = await createSession(t.url, { name: 'Payments', turnSeconds: opts.turnSeconds ?? 60 });
  for (const name of ['Ana', 'Bo', 'Cy']) await api(t.url, `/api/sessions/${s.id}/members`, { body: { name } });
  const chat = await api(t.url, `/api/sessions/${s.id}/integrations`, { body: { provider: 'chat', format: opts.format ?? 'json', url: `${receiver.url}${path}` } });
  expect(chat.status).toBe(201);
  return s;
}

const events = (path: string) => receiver.at(path).map((r) => (JSON.parse(r.body) as { event: string }).event);
const texts = (path: string) => receiver.at(path).map((r) => (JSON.parse(r.body) as { text: string }).text);
/** Timer settings go over socket.io (the HTTP API has no call for them). */
async function settings(room: string, patch: Record<string, unknown>): Promise<void> {
  const socket = io(t.url, { path: SOCKET_PATH, auth: { room }, transports: ['websocket'], forceNew: true });
  try {
    const reply = (await socket.timeout(5_000).emitWithAck('timer:settings', patch)) as { ok: boolean; error?: string };
    if (!reply.ok) throw new Error(`settings: ${reply.error}`);
  } finally {
    socket.close();
  }
}

const post = (id: string, path: string, body: unknown) => api<SessionSnapshot>(t.url, `/api/sessions/${id}/${path}`, { body });

describe('chat hears the turns', () => {
  it('posts one message per transition, in the order they happened', async () => {
    const s = await chatSession('/order');
    await api(t.url, `/api/sessions/${s.id}/tasks`, { body: { title: 'Refunds' } });
    await post(s.id, 'timer', { action: 'start' });
    await post(s.id, 'timer', { action: 'pause' }); // nothing starts: no message
    await post(s.id, 'timer', { action: 'resume' });
    time.advance(60_000); // the turn expires: the next one waits for a click (no auto-start)
    await expect.poll(async () => (await api<SessionSnapshot>(t.url, `/api/sessions/${s.id}`)).body.driver?.name).toBe('Bo');
    await post(s.id, 'timer', { action: 'start' });
    await post(s.id, 'decisions', { title: 'Refund by idempotency key', rationale: 'Retries must not pay twice' });
    await post(s.id, 'tasks/complete', {});
    const key = (await api<MobKeyView>(t.url, `/api/sessions/${s.id}/mob-key`)).body;
    await fetch(`${t.url}/mob/${key.room}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ breaktimer: 5, user: 'Bo' }) });
    const gh = (await api<CreatedIntegration>(t.url, `/api/sessions/${s.id}/integrations`, { body: { provider: 'github' } })).body;
    const failure = fixtureBytes('github/workflow_run.completed.failure.json');
    const headers = { 'content-type': 'application/json', 'x-github-event': 'workflow_run', 'x-github-delivery': 'chat-1', 'x-hub-signature-256': githubSignature(gh.secret ?? '', failure) };
    const hookPath = new URL(gh.url ?? '').pathname;
    expect((await fetch(t.url + hookPath, { method: 'POST', headers, body: new Uint8Array(failure) })).status).toBe(202);
    // The same failure delivered again is no new transition.
    expect((await fetch(t.url + hookPath, { method: 'POST', headers, body: new Uint8Array(failure) })).status).toBe(200);
    await post(s.id, 'timer', { action: 'reset' });

    const expected = ['turn.started', 'turn.started', 'decision.logged', 'task.done', 'break.started', 'pipeline.failed'];
    await expect.poll(() => events('/order').length).toBe(expected.length);
    expect(events('/order')).toEqual(expected);
    expect(texts('/order')).toEqual([
      'Payments: Ana drives for 1 min, Bo is next',
      'Payments: Bo drives for 1 min, Cy is next',
      'Payments: decision logged: Refund by idempotency key',
      'Payments: task done: Refunds',
      'Payments: break for 5 min',
      expect.stringMatching(/^Payments: CI failed on main: CI #\d+/),
    ]);
  });

  it('links the watch page, never the edit link (Slack format)', async () => {
    const s = await chatSession('/slack', { format: 'slack' });
    await post(s.id, 'timer', { action: 'start' });
    await expect.poll(() => receiver.at('/slack').length).toBe(1);
    const body = receiver.at('/slack')[0]?.body ?? '';
    expect(JSON.parse(body)).toEqual({ text: `Payments: Ana drives for 1 min, Bo is next <${PUBLIC}/v/${s.viewToken}|open>` });
    expect(body).not.toContain(s.id);
    await post(s.id, 'timer', { action: 'reset' });
  });

  it('retries a failed post after its backoff, on the server’s clock', async () => {
    const s = await chatSession('/retry');
    const sent = t.server.metrics.value('mobflow_chat_sent_total');
    receiver.failNext = 1;
    await post(s.id, 'decisions', { title: 'Keep REST', rationale: 'Clients speak it' });
    await expect.poll(() => t.server.notifier.stats.retried).toBeGreaterThanOrEqual(1);
    expect(receiver.at('/retry')).toHaveLength(1);
    time.advance(2_000); // the first backoff is at most 2 s
    await expect.poll(() => receiver.at('/retry').length).toBe(2);
    await expect.poll(() => t.server.metrics.value('mobflow_chat_sent_total')).toBe(sent + 1);
    expect(new Set(receiver.at('/retry').map((r) => r.body)).size).toBe(1);
  });

  it('drops a message after the retry budget when the receiver keeps failing, and counts it', async () => {
    const s = await chatSession('/down');
    receiver.failNext = 100;
    const retried = t.server.notifier.stats.retried;
    await post(s.id, 'decisions', { title: 'Use Postgres', rationale: 'Transactions' });
    // 1 attempt + 4 retries, each after its backoff (2, 4, 8, 16 s at most).
    for (let retry = 1; retry <= 4; retry++) {
      await expect.poll(() => t.server.notifier.stats.retried - retried).toBe(retry);
      time.advance(2_000 * 2 ** (retry - 1));
    }
    await expect.poll(() => t.server.metrics.value('mobflow_chat_dropped_total', { reason: 'retry-budget' })).toBe(1);
    expect(receiver.at('/down')).toHaveLength(5);
    receiver.failNext = 0;
  });

  it('never delays a rotation: turns expire and rotate while the receiver holds every post', async () => {
    // Turns shorter than the Notifier's request timeout (10 s): the held post is still in flight throughout.
    const s = await chatSession('/hang', { turnSeconds: 2 });
    await settings(s.id, { autoStart: true });
    receiver.hang = true;
    const started = await post(s.id, 'timer', { action: 'start' });
    expect(started.status).toBe(200);
    await expect.poll(() => receiver.at('/hang').length).toBe(1);
    // Two expiries while the first post is still unanswered: each rotates on time.
    for (const [turn, driver] of [
      [1, 'Bo'],
      [2, 'Cy'],
    ] as const) {
      time.advance(2_000);
      await expect.poll(async () => (await api<SessionSnapshot>(t.url, `/api/sessions/${s.id}`)).body.driver?.name).toBe(driver);
      expect((await api<SessionSnapshot>(t.url, `/api/sessions/${s.id}`)).body.timer).toMatchObject({ turn, status: 'running' });
    }
    // The later messages wait behind the first (one post at a time per destination, in order).
    expect(receiver.at('/hang')).toHaveLength(1);
    expect(t.server.notifier.pending).toBe(3);
    receiver.release();
    await expect.poll(() => events('/hang').length).toBe(3);
    expect(texts('/hang')).toEqual(['Payments: Ana drives for 1 min, Bo is next', 'Payments: Bo drives for 1 min, Cy is next', 'Payments: Cy drives for 1 min, Ana is next']);
    await post(s.id, 'timer', { action: 'reset' });
  });
});
