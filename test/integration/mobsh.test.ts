/**
 * The timer.mob.sh routes driven with the requests mob.sh v5.4 sends (INTEGRATIONS.md §1.3):
 * `Content-Type: application/json`, Go's user agent, the JSON bodies, a DELETE with a body, a
 * plain GET for the goal. A turn starts with the named driver and expires on the server's clock
 * like any other; the goal round-trips; an unknown room is 404; no write ever answers a redirect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTurns } from '../../lib/doc/schema';
import type { SessionId } from '../../lib/ids';
import type { MobKeyView } from '../../lib/protocol/integrations';
import type { SessionSnapshot } from '../../lib/snapshot';
import { Limits } from '../../server/config';
import { FakeTime } from '../helpers/fakeTime';
import { api, createSession, startServer, type TestServer } from '../helpers/server';

let t: TestServer;
const time = new FakeTime();
beforeAll(async () => {
  t = await startServer({}, { clock: time, timers: time });
});
afterAll(() => t.stop());

/** A request as mob.sh's Go client makes it (never following a redirect, so we see one). */
async function mob(method: string, url: string, body?: unknown) {
  const res = await fetch(url, {
    method,
    redirect: 'manual',
    headers: body === undefined ? { 'user-agent': 'Go-http-client/1.1' } : { 'content-type': 'application/json', 'user-agent': 'Go-http-client/1.1' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get('content-type'), location: res.headers.get('location'), text: await res.text() };
}

async function mobSession(name: string, members: string[]) {
  const s = await createSession(t.url, { name });
  for (const m of members) await api(t.url, `/api/sessions/${s.id}/members`, { body: { name: m } });
  const key = (await api<MobKeyView>(t.url, `/api/sessions/${s.id}/mob-key`)).body;
  return { ...s, key, room: `${key.timerUrl}${key.room}` };
}

const snapshot = async (id: string) => (await api<SessionSnapshot>(t.url, `/api/sessions/${id}`)).body;

describe('mob.sh against a session', () => {
  it('gives the two lines a team copies into .mob, with MOB_TIMER_URL ending in "/"', async () => {
    const s = await mobSession('Payments', []);
    expect(s.key.timerUrl).toBe(`${t.url}/mob/`);
    expect(s.key.env).toEqual([`MOB_TIMER_URL=${t.url}/mob/`, `MOB_TIMER_ROOM=${s.key.room}`]);
    expect(s.key.room).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('mob start 10: starts a 10-minute turn with the named driver and answers one plain line', async () => {
    const s = await mobSession('Payments', ['Ana', 'Bo', 'Cy']);
    const r = await mob('PUT', s.room, { timer: 10, user: 'bo' });
    expect(r).toMatchObject({ status: 202, type: 'text/plain; charset=utf-8', text: 'Mobflow "Payments": Bo drives for 10 min, Cy is next\n' });
    const snap = await snapshot(s.id);
    expect(snap.driver?.name).toBe('Bo');
    expect(snap.navigator?.name).toBe('Cy');
    expect(snap.timer).toMatchObject({ status: 'running', phase: 'turn', remainingMs: 10 * 60_000 });

    // The server owns the turn: it ends on the server's clock and rotates once, like any other.
    time.advance(10 * 60_000);
    await expect.poll(async () => (await snapshot(s.id)).driver?.name).toBe('Cy');
    expect(await t.server.rooms.with(s.id as SessionId, (room) => readTurns(room.docs).map((x) => x.end))).toEqual(['expired']);
  });

  it('adds a user it does not know to the roster, and takes breaks', async () => {
    const s = await mobSession('Roster', ['Ana']);
    expect((await mob('PUT', s.room, { timer: 5, user: 'Dee Dee' })).text).toBe('Mobflow "Roster": Dee Dee drives for 5 min, Ana is next\n');
    expect((await snapshot(s.id)).members.map((m) => m.name)).toEqual(['Ana', 'Dee Dee']);
    expect(await mob('PUT', s.room, { breaktimer: 5, user: 'Ana' })).toMatchObject({ status: 202, text: 'Mobflow "Roster": break for 5 min\n' });
    expect((await snapshot(s.id)).timer).toMatchObject({ status: 'running', phase: 'break' });
    // timer.mob.sh's precedence: timer wins; neither is still 202.
    expect((await mob('PUT', s.room, { timer: 0, breaktimer: 3, user: 'Ana' })).text).toBe('Mobflow "Roster": timer stopped\n');
    expect(await mob('PUT', s.room, { user: 'Ana' })).toMatchObject({ status: 202, text: 'Mobflow "Roster": nothing to do (send timer or breaktimer)\n' });
  });

  it('mob goal: reads, sets and clears the current task (DELETE with a body, and without one)', async () => {
    const s = await mobSession('Goals', ['Ana']);
    const goal = `${s.room}/goal`;
    expect(await mob('GET', goal)).toMatchObject({ status: 204, text: '' });
    expect(await mob('PUT', goal, { goal: 'Invoice totals round correctly', user: 'Ana' })).toMatchObject({ status: 202, text: 'Mobflow "Goals": goal set: Invoice totals round correctly\n' });
    expect(await mob('GET', goal)).toMatchObject({ status: 200, text: '{"goal":"Invoice totals round correctly"}' });
    expect((await snapshot(s.id)).task?.title).toBe('Invoice totals round correctly');

    // Rewording the goal renames the task and keeps the old wording in the decision log.
    await mob('PUT', goal, { goal: 'Invoice totals round half-even', user: 'Ana' });
    const log = (await api<{ decisions: { title: string; author: string }[] }>(t.url, `/api/sessions/${s.id}/decisions.json`)).body;
    expect(log.decisions.map((d) => [d.title, d.author])).toEqual([['Goal changed to “Invoice totals round half-even”', 'Ana (via mob.sh)']]);

    expect(await mob('DELETE', goal, { user: 'Ana' })).toMatchObject({ status: 202, text: 'Mobflow "Goals": goal cleared\n' });
    expect(await mob('GET', goal)).toMatchObject({ status: 204 });
    expect((await snapshot(s.id)).done.map((x) => x.title)).toEqual(['Invoice totals round half-even']);
    expect(await mob('DELETE', goal)).toMatchObject({ status: 202 });
  });

  it('answers 404 for an unknown or malformed room, on every route', async () => {
    const base = `${t.url}/mob/`;
    for (const room of ['AAAAAAAAAAAAAAAAAAAAAA', 'ABC-123.feature', 'x'.repeat(200)]) {
      expect((await mob('PUT', base + room, { timer: 10, user: 'Ana' })).status, room).toBe(404);
      expect((await mob('GET', `${base + room}/goal`)).status).toBe(404);
      expect((await mob('PUT', `${base + room}/goal`, { goal: 'x', user: 'Ana' })).status).toBe(404);
      expect((await mob('DELETE', `${base + room}/goal`, { user: 'Ana' })).status).toBe(404);
    }
  });

  it('opens the watch page, never the edit link; no write ever answers a redirect', async () => {
    const s = await mobSession('Redirects', ['Ana']);
    const open = await mob('GET', s.room);
    expect(open.status).toBe(303);
    expect(open.location).toBe(`/v/${s.viewToken}`);
    const writes: [string, string, unknown][] = [
      ['PUT', s.room, { timer: 10, user: 'Ana' }],
      ['PUT', s.room, { breaktimer: 5, user: 'Ana' }],
      ['PUT', s.room, { timer: 'ten', user: 'Ana' }],
      ['PUT', s.room, 'not an object'],
      ['PUT', `${s.room}/`, { timer: 10, user: 'Ana' }],
      ['PUT', `${s.room}/goal`, { goal: 'Refunds', user: 'Ana' }],
      ['DELETE', `${s.room}/goal`, { user: 'Ana' }],
      ['POST', s.room, { timer: 10 }],
      ['PUT', `${t.url}/mob/nope/goal`, { goal: 'x' }],
    ];
    for (const [method, url, body] of writes) {
      const r = await mob(method, url, body);
      expect(r.status < 300 || r.status >= 400, `${method} ${url}: ${r.status}`).toBe(true);
      expect(r.location).toBeNull();
    }
  });

  it('stops the old room key at once when a member rotates it', async () => {
    const s = await mobSession('Rotate', ['Ana']);
    const fresh = await api<MobKeyView>(t.url, `/api/sessions/${s.id}/mob-key`, { body: {} });
    expect(fresh.status).toBe(200);
    expect(fresh.body.room).not.toBe(s.key.room);
    expect((await mob('PUT', s.room, { timer: 10, user: 'Ana' })).status).toBe(404);
    expect((await mob('PUT', `${fresh.body.timerUrl}${fresh.body.room}`, { timer: 10, user: 'Ana' })).status).toBe(202);
  });
});

describe('the integrations’ own budget', () => {
  it('answers 429 past the per-address budget for webhooks and mob.sh, leaving the API’s budget alone', async () => {
    const tight = await startServer({ limits: Limits.parse({ integrationWriteBurst: 3, integrationWritesPerSecond: 0.001 }) });
    try {
      const s = await createSession(tight.url, { name: 'Budget' });
      const key = (await api<MobKeyView>(tight.url, `/api/sessions/${s.id}/mob-key`)).body;
      const room = `${tight.url}/mob/${key.room}`;
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await mob('PUT', room, { timer: 5, user: 'Ana' })).status);
      statuses.push((await fetch(`${tight.url}/api/hooks/AAAAAAAAAAAAAAAAAAAAAA`, { method: 'POST', body: '{}' })).status);
      expect(statuses).toEqual([202, 202, 202, 429]);
      // The browser/API budget is another one.
      expect((await api(tight.url, `/api/sessions/${s.id}/tasks`, { body: { title: 'Still fine' } })).status).toBe(201);
    } finally {
      await tight.stop();
    }
  });
});
