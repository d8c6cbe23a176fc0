/**
 * The server-owned rotation timer against a real server: expiry rotates exactly once with many
 * clients, with no client at all, and after a SIGKILL/restart; concurrent skips are neither lost
 * nor doubled; bad input is refused without a state change.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRotation, turnsOf } from '../../lib/doc/schema';
import type { Ack, ClientToServer, ServerToClient } from '../../lib/protocol/events';
import { SOCKET_PATH } from '../../lib/protocol/events';
import type { TimerApplied } from '../../lib/protocol/timer';
import type { SessionSnapshot } from '../../lib/snapshot';
import { startChild } from '../helpers/child';
import { api, createSession, startServer, type TestServer, tempDir } from '../helpers/server';
import { connect, synced, waitFor, type YClient } from '../helpers/yclient';

type Snap = SessionSnapshot & { id: string };
type Client = Socket<ServerToClient, ClientToServer>;

let t: TestServer;
const clients: YClient[] = [];
const sockets: Client[] = [];
beforeAll(async () => {
  t = await startServer({ minTurnSeconds: 1 });
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  for (const s of sockets) s.close();
  await t.stop();
});

async function sessionWith(base: string, names: string[], body: Record<string, unknown> = {}) {
  const s = await createSession(base, body);
  const ids: string[] = [];
  for (const name of names) ids.push((await api<{ id: string }>(base, `/api/sessions/${s.id}/members`, { body: { name } })).body.id);
  return { ...s, ids };
}

const snapshot = async (base: string, id: string) => (await api<Snap>(base, `/api/sessions/${id}`)).body;
const timer = (base: string, id: string, action: unknown) => api<Snap & { error?: string }>(base, `/api/sessions/${id}/timer`, { body: { action } });

function socketFor(room: string): Promise<Client> {
  const s: Client = io(t.url, { path: SOCKET_PATH, auth: { room }, transports: ['websocket'], forceNew: true });
  sockets.push(s);
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

type Reply<T> = Parameters<Ack<T>>[0];
const emitAction = (s: Client, payload: unknown) =>
  new Promise<Reply<TimerApplied>>((resolve) => (s.emit as (e: string, p: unknown, a: (r: Reply<TimerApplied>) => void) => void)('timer:action', payload, resolve));
const emitSettings = (s: Client, payload: unknown) =>
  new Promise<Reply<TimerApplied>>((resolve) => (s.emit as (e: string, p: unknown, a: (r: Reply<TimerApplied>) => void) => void)('timer:settings', payload, resolve));

describe('rotation timer', () => {
  it('rotates exactly once when a 1 s turn expires with 10 clients connected', async () => {
    const s = await sessionWith(t.url, ['Ada', 'Bob', 'Cy'], { turnSeconds: 1 });
    const ten = Array.from({ length: 10 }, () => connect(t.wsUrl, s.id));
    clients.push(...ten);
    await Promise.all(ten.map(synced));
    const started = await timer(t.url, s.id, 'start');
    expect(started.status).toBe(200);
    expect(started.body.timer).toMatchObject({ status: 'running', turnSeconds: 1, turn: 0 });
    expect([started.body.driver?.name, started.body.navigator?.name]).toEqual(['Ada', 'Bob']);

    for (const c of ten) await waitFor(() => readRotation(c.doc).turn === 1, 'every client sees the rotation');
    for (const c of ten) {
      expect(readRotation(c.doc)).toMatchObject({ turn: 1, driver: s.ids[1], navigator: s.ids[2], timer: { status: 'idle' } });
      expect(turnsOf(c.doc).toArray()).toEqual([expect.objectContaining({ turn: 0, driver: s.ids[0], navigator: s.ids[1], end: 'expired' })]);
    }
    const after = await snapshot(t.url, s.id);
    expect(after.timer).toMatchObject({ status: 'idle', turn: 1 });
    expect(after.driver?.name).toBe('Bob');
  });

  it('rotates with no client connected at all, and keeps rotating with auto-start', async () => {
    const s = await sessionWith(t.url, ['Ada', 'Bob'], { turnSeconds: 1 });
    const sock = await socketFor(s.id);
    expect(await emitSettings(sock, { autoStart: true })).toMatchObject({ ok: true });
    sock.close();
    expect((await timer(t.url, s.id, 'start')).status).toBe(200);
    await expect.poll(async () => (await snapshot(t.url, s.id)).timer.turn, { timeout: 15_000, interval: 100 }).toBeGreaterThanOrEqual(2);
    const watcher = connect(t.wsUrl, s.id);
    clients.push(watcher);
    await synced(watcher);
    const rotation = readRotation(watcher.doc);
    const records = turnsOf(watcher.doc).toArray();
    // One record per rotation, numbered without gaps: no turn ended twice.
    expect(records.slice(0, rotation.turn).map((r) => r.turn)).toEqual(Array.from({ length: rotation.turn }, (_, i) => i));
    expect(records.every((r) => r.end === 'expired')).toBe(true);
    await timer(t.url, s.id, 'reset');
  });

  it('concurrent skips from several clients: one rotation each, none lost, none doubled', async () => {
    const s = await sessionWith(t.url, ['Ada', 'Bob', 'Cy', 'Dee'], { turnSeconds: 600 });
    expect((await timer(t.url, s.id, 'start')).status).toBe(200);
    const socks = await Promise.all(Array.from({ length: 5 }, () => socketFor(s.id)));
    const SKIPS_EACH = 4;
    const replies = await Promise.all(socks.flatMap((k) => Array.from({ length: SKIPS_EACH }, () => emitAction(k, { action: 'skip' }))));
    const httpSkips = await Promise.all(Array.from({ length: 5 }, () => timer(t.url, s.id, 'skip')));
    expect(replies.every((r) => r.ok)).toBe(true);
    expect(httpSkips.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const total = socks.length * SKIPS_EACH + httpSkips.length;
    // Every ack reports a distinct turn number: each skip was its own rotation.
    const turns = replies.map((r) => (r.ok ? r.value.turn : -1));
    expect(new Set(turns).size).toBe(turns.length);
    const snap = await snapshot(t.url, s.id);
    expect(snap.timer.turn).toBe(total);
    const names = ['Ada', 'Bob', 'Cy', 'Dee'];
    expect(snap.driver?.name).toBe(names[total % names.length]);
    expect(snap.timer.status).toBe('running');
  });

  it('answers bad input with 400/409/403 and refused acks, changing nothing', async () => {
    const empty = await createSession(t.url, { turnSeconds: 60 });
    const noOne = await timer(t.url, empty.id, 'start');
    expect(noOne.status).toBe(409);
    expect(noOne.body.error).toMatch(/nobody/);

    const s = await sessionWith(t.url, ['Ada', 'Bob'], { turnSeconds: 60 });
    const before = await snapshot(t.url, s.id);
    for (const action of ['fly', '', 42, null, 'START']) {
      const r = await timer(t.url, s.id, action);
      expect(r.status, String(action)).toBe(400);
      expect(r.body.error).toMatch(/action must be one of/);
    }
    expect((await api(t.url, `/api/sessions/${s.id}/timer`, { raw: '{"action":' })).status).toBe(400);
    expect((await api(t.url, `/api/sessions/${s.id}/timer`, { body: { action: 'start', extra: 1 } })).status).toBe(400);
    for (const [action, reason] of [
      ['pause', /not running/],
      ['resume', /not paused/],
      ['reset', /nothing to reset/],
    ] as const) {
      const r = await timer(t.url, s.id, action);
      expect(r.status, action).toBe(409);
      expect(r.body.error).toMatch(reason);
    }
    expect((await timer(t.url, s.viewToken, 'start')).status).toBe(403);
    expect((await timer(t.url, 'A'.repeat(22), 'start')).status).toBe(404);
    for (const turnSeconds of [-5, 0, 1.5, 10 ** 9, '60', null, Number.MAX_SAFE_INTEGER]) {
      const r = await api<{ error: string }>(t.url, '/api/sessions', { body: { turnSeconds } });
      expect(r.status, String(turnSeconds)).toBe(400);
      expect(r.body.error).toMatch(/turnSeconds/);
    }

    const view = await socketFor(s.viewToken);
    expect(await emitAction(view, { action: 'start' })).toEqual({ ok: false, error: expect.stringMatching(/read-only/) });
    expect(await emitSettings(view, { turnSeconds: 120 })).toEqual({ ok: false, error: expect.stringMatching(/read-only/) });
    const edit = await socketFor(s.id);
    expect(await emitAction(edit, { action: 'explode' })).toMatchObject({ ok: false });
    expect(await emitAction(edit, 'start')).toMatchObject({ ok: false });
    expect(await emitAction(edit, { action: 'pause' })).toEqual({ ok: false, error: 'the timer is not running' });
    for (const patch of [{ turnSeconds: -1 }, { turnSeconds: 0 }, { turnSeconds: 2.5 }, { turnSeconds: 10 ** 7 }, { turnSeconds: 'x' }, { breakEvery: -1 }, { nope: true }]) {
      const r = await emitSettings(edit, patch);
      expect(r, JSON.stringify(patch)).toMatchObject({ ok: false, error: expect.any(String) });
    }
    expect(await snapshot(t.url, s.id)).toEqual(before);

    expect(await emitSettings(edit, { turnSeconds: 90, breakEvery: 3 })).toMatchObject({ ok: true });
    expect((await snapshot(t.url, s.id)).timer.turnSeconds).toBe(90);
  });
});

describe('rotation timer across a server crash', () => {
  it('resolves a turn that ended while the server was down exactly once on start', async () => {
    const dataDir = tempDir();
    const env = { MIN_TURN_SECONDS: '1' };
    let child = await startChild(dataDir, env)
    try {
      const s = await sessionWith(child.url, ['Ada', 'Bob', 'Cy'], { turnSeconds: 2 });
      const started = await api<Snap>(child.url, `/api/sessions/${s.id}/timer`, { body: { action: 'start' } });
      expect(started.body.timer).toMatchObject({ status: 'running', turn: 0 });
      const endsAt = started.body.timer.endsAt ?? 0;
      await child.kill('SIGKILL');
      // Wait (by polling the clock, bounded) until the turn has ended while nothing runs.
      await waitFor(() => Date.now() > endsAt + 200, 'the turn end to pass', 10_000);
      child = await startChild(dataDir, env)
      await expect.poll(async () => (await snapshot(child.url, s.id)).timer.turn, { timeout: 10_000, interval: 50 }).toBe(1);
      const snap = await snapshot(child.url, s.id);
      expect(snap.timer.status).toBe('idle');
      expect([snap.driver?.name, snap.navigator?.name]).toEqual(['Bob', 'Cy']);
      const c = connect(child.wsUrl, s.id);
      clients.push(c);
      await synced(c);
      expect(turnsOf(c.doc).toArray()).toEqual([expect.objectContaining({ turn: 0, end: 'expired' })]);
      c.destroy();
    } finally {
      await child.kill('SIGTERM');
    }
  });
  it('ends a turn whose due time a crash kept out of the store: the replayed doc is the truth', async () => {
    const dataDir = tempDir();
    const env = { MIN_TURN_SECONDS: '1' };
    let child = await startChild(dataDir, env);
    try {
      const s = await sessionWith(child.url, ['Ada', 'Bob'], { turnSeconds: 2 });
      const started = await api<Snap>(child.url, `/api/sessions/${s.id}/timer`, { body: { action: 'start' } });
      expect(started.body.timer).toMatchObject({ status: 'running', turn: 0 });
      const endsAt = started.body.timer.endsAt ?? 0;
      await child.kill('SIGKILL');
      // The process died after the doc's write reached the log but before the due time reached
      // SQLite: remove the row it did write.
      const db = new Database(join(dataDir, 'mobflow.sqlite'));
      expect(db.prepare('DELETE FROM timers WHERE session_id = ?').run(s.id).changes).toBe(1);
      db.close();
      await waitFor(() => Date.now() > endsAt + 200, 'the turn end to pass', 10_000);
      child = await startChild(dataDir, env);
      await expect.poll(async () => (await snapshot(child.url, s.id)).timer.turn, { timeout: 10_000, interval: 50 }).toBe(1);
      expect((await snapshot(child.url, s.id)).driver?.name).toBe('Bob');
    } finally {
      await child.kill('SIGTERM');
    }
  });
});
