import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMemberByName, joinMember, listMembers } from '../../lib/members';
import { CloseCode } from '../../lib/protocol/closeCodes';
import { addTask, listTasks, taskText } from '../../lib/task';
import { api, createSession, startServer, type TestServer } from '../helpers/server';
import { closeCodeOf, connect, connectSession, synced, waitFor } from '../helpers/yclient';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
afterAll(async () => {
  await t.stop();
});

describe('sessions over HTTP', () => {
  it('creates a session with a 128-bit id and a separate view token', async () => {
    const s = await createSession(t.url, { name: 'Checkout mob', turnSeconds: 300 });
    expect(s.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(s.viewToken).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(s.viewToken).not.toBe(s.id);
    expect(s.editUrl).toBe(`${t.url}/s/${s.id}`);
    const snap = await api<{ name: string; timer: { turnSeconds: number; status: string; turn: number } }>(t.url, `/api/sessions/${s.id}`);
    expect(snap.status).toBe(200);
    expect(snap.body.name).toBe('Checkout mob');
    expect(snap.body.timer).toMatchObject({ turnSeconds: 300, status: 'idle', turn: 0 });
  });

  it('never reveals the edit id through the view snapshot', async () => {
    const s = await createSession(t.url);
    const view = await api<Record<string, unknown>>(t.url, `/api/view/${s.viewToken}`);
    expect(view.status).toBe(200);
    expect(JSON.stringify(view.body)).not.toContain(s.id);
    expect((await api(t.url, `/api/view/${s.id}`)).status).toBe(404);
  });

  it('joins members by name and rejoins the same name', async () => {
    const s = await createSession(t.url);
    const a = await api<{ id: string; name: string }>(t.url, `/api/sessions/${s.id}/members`, { body: { name: '  Ada  ' } });
    expect(a.status).toBe(200);
    expect(a.body.name).toBe('Ada');
    const again = await api<{ id: string }>(t.url, `/api/sessions/${s.id}/members`, { body: { name: 'ada' } });
    expect(again.body.id).toBe(a.body.id);
    const snap = await api<{ members: { name: string }[] }>(t.url, `/api/sessions/${s.id}`);
    expect(snap.body.members.map((m) => m.name)).toEqual(['Ada']);
  });

  it('answers bad input with readable 4xx errors', async () => {
    const s = await createSession(t.url);
    const malformed = await api<{ error: string }>(t.url, '/api/sessions', { raw: '{"name":' });
    expect(malformed).toMatchObject({ status: 400, body: { error: 'body is not valid JSON' } });
    const empty = await api<{ error: string; issues: unknown[] }>(t.url, `/api/sessions/${s.id}/members`, { body: { name: '   ' } });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatch(/must not be empty/);
    const long = await api<{ error: string }>(t.url, `/api/sessions/${s.id}/members`, { body: { name: 'x'.repeat(41) } });
    expect(long.status).toBe(400);
    expect(long.body.error).toMatch(/at most 40 characters/);
    const badTurn = await api(t.url, '/api/sessions', { body: { turnSeconds: -5 } });
    expect(badTurn.status).toBe(400);
    expect((await api(t.url, '/api/sessions', { body: { turnSeconds: 'ten' } })).status).toBe(400);
    expect((await api(t.url, '/api/sessions', { body: { extra: 1 } })).status).toBe(400);
    expect((await api(t.url, '/api/sessions/not-an-id')).status).toBe(404);
    expect((await api(t.url, '/api/sessions/%E0%A4%A')).status).toBe(404);
    expect((await api(t.url, `/api/sessions/${'A'.repeat(22)}`)).status).toBe(404);
    const huge = await api(t.url, '/api/sessions', { raw: JSON.stringify({ name: 'x'.repeat(100_000) }) });
    expect(huge.status).toBe(413);
  });

  it('answers a view token on an edit route like an unknown link (404), and writes under /api/view with 403', async () => {
    const s = await createSession(t.url);
    expect((await api(t.url, `/api/sessions/${s.viewToken}/members`, { body: { name: 'Eve' } })).status).toBe(404);
    expect((await api(t.url, `/api/sessions/${s.viewToken}`)).status).toBe(404);
    expect((await api(t.url, `/api/view/${s.viewToken}/members`, { body: { name: 'Eve' } })).status).toBe(403);
    const snap = await api<{ members: unknown[] }>(t.url, `/api/view/${s.viewToken}`);
    expect(snap.body.members).toEqual([]);
  });

  it('serves health, readiness and metrics', async () => {
    expect((await api(t.url, '/healthz')).body).toEqual({ ok: true });
    expect((await api(t.url, '/readyz')).body).toEqual({ ok: true });
    expect((await api(t.url, '/api/sessions/x')).status).toBe(404);
    const m = await fetch(`${t.url}/metrics`);
    expect(await m.text()).toContain('mobflow_http_requests_total');
  });
});

describe('yjs rooms', () => {
  it('converges two clients on both documents and gives a late joiner the full state', async () => {
    const s = await createSession(t.url, { name: 'Converge' });
    const a = connectSession(t.wsUrl, s.id);
    const b = connectSession(t.wsUrl, s.id);
    await Promise.all([a.synced(), b.synced()]);
    const task = addTask(a.docs, { title: 'Hello' }, 1);
    (taskText(a.docs, task, 'why') as Y.Text).insert(0, 'hello ');
    for (const name of ['Ada', 'Bob', 'Cy']) joinMember(b.docs, name, 1);
    (taskText(a.docs, task, 'why') as Y.Text).insert(6, 'world');
    await waitFor(() => taskText(b.docs, task, 'why')?.toString() === 'hello world', 'b sees a');
    await waitFor(() => listMembers(a.docs).length === 3, 'a sees b');
    // The server made the added task current (a server write, on the server document).
    await waitFor(() => listTasks(b.docs).current?.id === task, 'b sees the board the server settled');
    const c = connectSession(t.wsUrl, s.id);
    await c.synced();
    await waitFor(() => taskText(c.docs, task, 'why')?.toString() === 'hello world' && listMembers(c.docs).length === 3, 'late joiner has everything');
    expect(Y.encodeStateVector(c.docs.shared)).toEqual(Y.encodeStateVector(a.docs.shared));
    expect(listTasks(c.docs).current?.title).toBe('Hello');
    for (const x of [a, b, c]) x.destroy();
  });

  it('refuses malformed and unknown rooms with named close codes', async () => {
    expect((await closeCodeOf(`${t.wsUrl}/bad$room`)).code).toBe(CloseCode.BadRoom);
    expect((await closeCodeOf(`${t.wsUrl}/${'B'.repeat(22)}`)).code).toBe(CloseCode.UnknownSession);
  });

  it('closes a connection that sends an invalid frame and keeps serving the session', async () => {
    const s = await createSession(t.url);
    const a = connect(t.wsUrl, s.id);
    await synced(a);
    const closed = await closeCodeOf(`${t.wsUrl}/${s.id}`, (ws) => ws.send(new Uint8Array([0, 7, 200, 1, 2])));
    expect(closed.code).toBe(CloseCode.MalformedMessage);
    const garbage = await closeCodeOf(`${t.wsUrl}/${s.id}`, (ws) => ws.send(new Uint8Array([0, 2, 5, 255, 255, 255, 255, 255])));
    expect(garbage.code).toBe(CloseCode.MalformedMessage);
    const b = connect(t.wsUrl, s.id);
    await synced(b);
    joinMember(a.docs, 'Still working', 1);
    await waitFor(() => findMemberByName(b.docs, 'Still working') !== null, 'session still syncs');
    a.destroy();
    b.destroy();
  });

  it('unloads a room once its last client leaves, and reloads it with everything', async () => {
    const s = await createSession(t.url);
    const a = connect(t.wsUrl, s.id);
    await synced(a);
    joinMember(a.docs, 'Kept', 1);
    await waitFor(() => t.server.rooms.has(s.id as never), 'room loaded');
    a.destroy();
    await waitFor(() => !t.server.rooms.has(s.id as never), 'room unloaded');
    const b = connect(t.wsUrl, s.id);
    await synced(b);
    await waitFor(() => findMemberByName(b.docs, 'Kept') !== null, 'state reloaded from the store');
    b.destroy();
  });

  it('keeps a session working when a raw socket sends a frame that is too big', async () => {
    const s = await createSession(t.url);
    const big = new Uint8Array(1024 * 1024 + 10);
    const closed = await closeCodeOf(`${t.wsUrl}/${s.id}`, (ws) => ws.send(big));
    expect(closed.code).toBe(CloseCode.MessageTooBig);
  });
});
