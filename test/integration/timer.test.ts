/**
 * The server-owned rotation timer against a real server on a fake clock (no real turn is waited
 * for): expiry rotates exactly once with many clients and with none, breaks come when due,
 * offline members are skipped by who has a connection (not by what anyone claims), concurrent
 * skips are neither lost nor doubled, bad input changes nothing, and a restart across a due time
 * — also after a SIGKILL, and when the due time never reached the store — rotates exactly once.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRotation, readTurns } from '../../lib/doc/schema';
import type { Ack, ClientToServer, ServerToClient } from '../../lib/protocol/events';
import { SOCKET_PATH } from '../../lib/protocol/events';
import type { TimerApplied } from '../../lib/protocol/timer';
import type { SessionSnapshot } from '../../lib/snapshot';
import { awarenessFrame, rawPeer } from '../helpers/raw';
import { startChild } from '../helpers/child';
import { FakeTime } from '../helpers/fakeTime';
import { api, createSession, joinAs, startServer, type TestServer, tempDir } from '../helpers/server';
import { connect, connectSession, synced, waitFor, type YClient } from '../helpers/yclient';

type Snap = SessionSnapshot & { id: string };
type Client = Socket<ServerToClient, ClientToServer>;

let t: TestServer;
const time = new FakeTime();
const clients: { destroy(): void }[] = [];
const sockets: Client[] = [];
beforeAll(async () => {
  t = await startServer({ minTurnSeconds: 1 }, { clock: time, timers: time });
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

function socketFor(room: string, member?: string): Promise<Client> {
  const s: Client = io(t.url, { path: SOCKET_PATH, auth: { room, ...(member ? { member } : {}) }, transports: ['websocket'], forceNew: true });
  sockets.push(s);
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

type Reply<T> = Parameters<Ack<T>>[0];
const emit = (s: Client, event: string, payload: unknown) =>
  new Promise<Reply<TimerApplied>>((resolve) => (s.emit as (e: string, p: unknown, a: (r: Reply<TimerApplied>) => void) => void)(event, payload, resolve));

/** Moves the server's clock and waits until the wake-ups it fired have been written. */
async function advance(ms: number, until: () => Promise<boolean>, what: string) {
  time.advance(ms);
  await expect.poll(until, { timeout: 10_000, interval: 20, message: what }).toBe(true);
}

describe('rotation timer', () => {
  it('rotates exactly once when a turn expires, with 10 clients connected', async () => {
    const s = await sessionWith(t.url, ['Ada', 'Bob', 'Cy'], { turnSeconds: 60 });
    const ten = Array.from({ length: 10 }, () => connectSession(t.wsUrl, s.id));
    clients.push(...ten);
    await Promise.all(ten.map((c) => c.synced()));
    const started = await timer(t.url, s.id, 'start');
    expect(started.status).toBe(200);
    expect(started.body.timer).toMatchObject({ status: 'running', turnSeconds: 60, turn: 0 });
    expect([started.body.driver?.name, started.body.navigator?.name]).toEqual(['Ada', 'Bob']);
    // One wake-up, at the turn's end: nothing fires a millisecond before it.
    expect(t.server.timer.wakeupAt(s.id as never)).toBe(started.body.timer.endsAt);
    time.advance(59_999);
    expect((await snapshot(t.url, s.id)).timer.turn).toBe(0);
    await advance(1, async () => (await snapshot(t.url, s.id)).timer.turn === 1, 'the turn ends');
    for (const c of ten) await waitFor(() => readRotation(c.docs).turn === 1, 'every client sees the rotation');
    for (const c of ten) {
      expect(readRotation(c.docs)).toMatchObject({ turn: 1, driver: s.ids[1], navigator: s.ids[2], timer: { status: 'idle' } });
      expect(readTurns(c.docs)).toEqual([expect.objectContaining({ turn: 0, driver: s.ids[0], navigator: s.ids[1], end: 'expired', endedAt: started.body.timer.endsAt })]);
    }
    expect((await snapshot(t.url, s.id)).driver?.name).toBe('Bob');
  });

  it('rotates with no client connected at all, keeps rotating with auto-start, and takes breaks when due', async () => {
    const s = await sessionWith(t.url, ['Ada', 'Bob'], { turnSeconds: 10 });
    const sock = await socketFor(s.id);
    expect(await emit(sock, 'timer:settings', { autoStart: true, breakEvery: 2, breakSeconds: 5 })).toMatchObject({ ok: true });
    sock.close();
    expect((await timer(t.url, s.id, 'start')).status).toBe(200);
    const phases: string[] = [];
    for (let i = 0; i < 4; i++) {
      const before = await snapshot(t.url, s.id);
      phases.push(`${before.timer.phase}:${before.timer.turn}`);
      const ms = before.timer.remainingMs ?? 0;
      await advance(ms, async () => {
        const now = await snapshot(t.url, s.id);
        return now.timer.turn !== before.timer.turn || now.timer.phase !== before.timer.phase;
      }, `phase ${i} ends`);
    }
    expect(phases).toEqual(['turn:0', 'turn:1', 'break:2', 'turn:2']);
    const watcher = connectSession(t.wsUrl, s.id);
    clients.push(watcher);
    await watcher.synced();
    const records = readTurns(watcher.docs);
    expect(records.map((r) => `${r.phase}:${r.turn}:${r.end}`)).toEqual(['turn:0:expired', 'turn:1:expired', 'break:2:expired', 'turn:2:expired']);
    await timer(t.url, s.id, 'reset');
  });

  it('passes over members with no connection, by connections and not by what anyone claims', async () => {
    const s = await sessionWith(t.url, ['Ada', 'Bob', 'Cy'], { turnSeconds: 60 });
    // Ada and Cy join from their browsers (member tokens on their connections); Bob only exists.
    const tokens: string[] = [];
    for (const name of ['Ada', 'Cy']) {
      const sock = await socketFor(s.id);
      const { token, member } = await joinAs(sock, name, s.ids[name === 'Ada' ? 0 : 2]);
      expect(member.name).toBe(name);
      tokens.push(token);
    }
    const browsers = tokens.map((token) => connect(t.wsUrl, s.id, { params: { member: token } }));
    clients.push(...browsers);
    await Promise.all(browsers.map(synced));
    // A watcher claims to be Bob, online: refused, and Bob stays offline.
    const watcher = await rawPeer(`${t.wsUrl}/${s.viewToken}`);
    await waitFor(() => watcher.ofType(0).length > 0, 'watcher joined');
    watcher.send(awarenessFrame([{ clientId: 5555, clock: 1, state: { user: { memberId: s.ids[1], name: 'Bob', watching: false } } }]));
    await waitFor(() => watcher.ofType(2).length > 0, 'refused');
    // So does an editor connection without Bob's token.
    const editor = await rawPeer(`${t.wsUrl}/${s.id}`);
    await waitFor(() => editor.ofType(0).length > 0, 'editor joined');
    editor.send(awarenessFrame([{ clientId: 5556, clock: 1, state: { user: { memberId: s.ids[1], name: 'Bob', watching: false } } }]));
    await waitFor(() => editor.ofType(2).length > 0, 'refused');
    const snap = await snapshot(t.url, s.id);
    expect(snap.members.map((m) => [m.name, m.online])).toEqual([
      ['Ada', true],
      ['Bob', false],
      ['Cy', true],
    ]);
    const started = await timer(t.url, s.id, 'start');
    expect([started.body.driver?.name, started.body.navigator?.name]).toEqual(['Ada', 'Cy']);
    const skipped = await timer(t.url, s.id, 'skip');
    expect([skipped.body.driver?.name, skipped.body.navigator?.name]).toEqual(['Cy', 'Ada']);
    await timer(t.url, s.id, 'reset');
    watcher.close();
    editor.close();
  });

  it('concurrent skips from several clients: one rotation each, none lost, none doubled', async () => {
    const s = await sessionWith(t.url, ['Ada', 'Bob', 'Cy', 'Dee'], { turnSeconds: 600 });
    expect((await timer(t.url, s.id, 'start')).status).toBe(200);
    const socks = await Promise.all(Array.from({ length: 5 }, () => socketFor(s.id)));
    const SKIPS_EACH = 4;
    const replies = await Promise.all(socks.flatMap((k) => Array.from({ length: SKIPS_EACH }, () => emit(k, 'timer:action', { action: 'skip' }))));
    const httpSkips = await Promise.all(Array.from({ length: 5 }, () => timer(t.url, s.id, 'skip')));
    expect(replies.every((r) => r.ok)).toBe(true);
    expect(httpSkips.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const total = socks.length * SKIPS_EACH + httpSkips.length;
    const turns = replies.map((r) => (r.ok ? r.value.turn : -1));
    expect(new Set(turns).size).toBe(turns.length);
    const snap = await snapshot(t.url, s.id);
    expect(snap.timer.turn).toBe(total);
    expect(snap.driver?.name).toBe(['Ada', 'Bob', 'Cy', 'Dee'][total % 4]);
    expect(snap.timer.status).toBe('running');
  });

  it('answers bad input with 400/409/404 and refused acks, changing nothing', async () => {
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
    expect((await timer(t.url, s.viewToken, 'start')).status).toBe(404);
    expect((await timer(t.url, 'A'.repeat(22), 'start')).status).toBe(404);
    for (const turnSeconds of [-5, 0, 1.5, 10 ** 9, '60', null, Number.MAX_SAFE_INTEGER]) {
      const r = await api<{ error: string }>(t.url, '/api/sessions', { body: { turnSeconds } });
      expect(r.status, String(turnSeconds)).toBe(400);
      expect(r.body.error).toMatch(/turnSeconds/);
    }

    const view = await socketFor(s.viewToken);
    expect(await emit(view, 'timer:action', { action: 'start' })).toEqual({ ok: false, error: expect.stringMatching(/read-only/) });
    expect(await emit(view, 'timer:settings', { turnSeconds: 120 })).toEqual({ ok: false, error: expect.stringMatching(/read-only/) });
    const edit = await socketFor(s.id);
    expect(await emit(edit, 'timer:action', { action: 'explode' })).toMatchObject({ ok: false });
    expect(await emit(edit, 'timer:action', 'start')).toMatchObject({ ok: false });
    expect(await emit(edit, 'timer:action', { action: 'pause' })).toEqual({ ok: false, error: 'the timer is not running' });
    for (const patch of [{ turnSeconds: -1 }, { turnSeconds: 0 }, { turnSeconds: 2.5 }, { turnSeconds: 10 ** 7 }, { turnSeconds: 'x' }, { breakEvery: -1 }, { nope: true }]) {
      const r = await emit(edit, 'timer:settings', patch);
      expect(r, JSON.stringify(patch)).toMatchObject({ ok: false, error: expect.any(String) });
    }
    expect(await snapshot(t.url, s.id)).toEqual(before);
    expect(await emit(edit, 'timer:settings', { turnSeconds: 90, breakEvery: 3 })).toMatchObject({ ok: true });
    expect((await snapshot(t.url, s.id)).timer.turnSeconds).toBe(90);
  });
});

describe('rotation timer across a restart', () => {
  it('resolves a turn that ended while the server was closed exactly once on start (fake clock)', async () => {
    const clock = new FakeTime();
    const dataDir = tempDir();
    let a = await startServer({ dataDir, minTurnSeconds: 1 }, { clock, timers: clock });
    const s = await sessionWith(a.url, ['Ada', 'Bob', 'Cy'], { turnSeconds: 60 });
    expect((await timer(a.url, s.id, 'start')).body.timer).toMatchObject({ status: 'running', turn: 0 });
    await a.stop();
    clock.advance(120_000); // the turn ends while nothing runs
    a = await startServer({ dataDir, minTurnSeconds: 1 }, { clock, timers: clock });
    clock.advance(0);
    await expect.poll(async () => (await snapshot(a.url, s.id)).timer.turn, { timeout: 10_000, interval: 20 }).toBe(1);
    const snap = await snapshot(a.url, s.id);
    expect([snap.timer.status, snap.driver?.name, snap.navigator?.name]).toEqual(['idle', 'Bob', 'Cy']);
    const c = connectSession(a.wsUrl, s.id);
    await c.synced();
    expect(readTurns(c.docs)).toEqual([expect.objectContaining({ turn: 0, end: 'expired' })]);
    c.destroy();
    await a.stop();
  });

  it('after a SIGKILL, also when the due time never reached the store: the recovered document is the truth', async () => {
    for (const loseDueRow of [false, true]) {
      const dataDir = tempDir();
      const env = { MIN_TURN_SECONDS: '1' };
      let child = await startChild(dataDir, env);
      try {
        const s = await sessionWith(child.url, ['Ada', 'Bob'], { turnSeconds: 60 });
        const started = await api<Snap>(child.url, `/api/sessions/${s.id}/timer`, { body: { action: 'start' } });
        expect(started.body.timer).toMatchObject({ status: 'running', turn: 0 });
        await child.kill('SIGKILL');
        if (loseDueRow) {
          // The process died after the document's write reached the log but before the due time reached SQLite.
          const db = new Database(join(dataDir, 'mobflow.sqlite'));
          expect(db.prepare('DELETE FROM timers').run().changes).toBe(1);
          db.close();
        }
        // The restarted server's clock is 61 s ahead: the turn is over, nobody waited for it.
        child = await startChild(dataDir, env, 0, 61_000);
        await expect.poll(async () => (await snapshot(child.url, s.id)).timer.turn, { timeout: 10_000, interval: 50 }).toBe(1);
        expect((await snapshot(child.url, s.id)).driver?.name).toBe('Bob');
        const c: YClient = connect(child.wsUrl, `${s.id}/server`);
        await synced(c);
        expect(readTurns({ shared: c.doc, server: c.doc })).toHaveLength(1);
        c.destroy();
      } finally {
        await child.kill('SIGTERM');
      }
    }
  });
});
