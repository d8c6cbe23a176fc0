import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionsMarkdown, type DecisionsJson } from '../../lib/decisionExport';
import { listDecisions, stampDecision } from '../../lib/decisions';
import { type DecisionRecord, decisionsOf, readSessionName } from '../../lib/doc/schema';
import type { MemberId, SessionId } from '../../lib/ids';
import type { DecisionLogPayload } from '../../lib/protocol/decisions';
import { type Ack, type ClientToServer, SOCKET_PATH, type ServerToClient } from '../../lib/protocol/events';
import { addTask } from '../../lib/task';
import { api, createSession, startServer, type TestServer, tempDir } from '../helpers/server';
import { connect, synced, waitFor } from '../helpers/yclient';

type Client = Socket<ServerToClient, ClientToServer>;
type Reply = Parameters<Ack<DecisionRecord>>[0];
type Snapshot = { driver: { name: string } | null; navigator: { name: string } | null };

let t: TestServer;
const sockets: Client[] = [];
beforeAll(async () => {
  t = await startServer({ dataDir: tempDir() });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t.stop();
});

async function socketFor(base: string, room: string): Promise<Client> {
  const s: Client = io(base, { path: SOCKET_PATH, auth: { room }, transports: ['websocket'], reconnection: false });
  sockets.push(s);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('connect_error', reject);
  });
  return s;
}

const log = (s: Client, payload: DecisionLogPayload) => new Promise<Reply>((resolve) => s.emit('decision:log', payload, resolve));

async function join(base: string, id: string, name: string): Promise<MemberId> {
  const r = await api<{ id: MemberId }>(base, `/api/sessions/${id}/members`, { body: { name } });
  return r.body.id;
}

const exportJson = async (base: string, path: string) => (await api<DecisionsJson>(base, path)).body;

describe('decision log over socket.io and HTTP', () => {
  it('two clients logging at once are both kept, in server order, stamped with the roles and task of that moment', async () => {
    const s = await createSession(t.url, { name: 'Payments mob' });
    const ada = await join(t.url, s.id, 'Ada');
    const bob = await join(t.url, s.id, 'Bob');
    await join(t.url, s.id, 'Cy');
    // The rotation feature decides who drives; the log only reads it, so ask the snapshot each time.
    const roles = (r: { body: Snapshot }) => ({ driver: r.body.driver?.name ?? null, navigator: r.body.navigator?.name ?? null });
    const before = roles(await api<Snapshot>(t.url, `/api/sessions/${s.id}/timer`, { body: { action: 'start' } }));
    expect(before.driver).not.toBeNull();
    const [a, b] = await Promise.all([socketFor(t.url, s.id), socketFor(t.url, s.id)]);

    const first = await Promise.all([
      log(a, { title: 'Use Postgres', rationale: 'JSONB', memberId: ada }),
      log(b, { title: 'Keep REST', rationale: 'Clients exist', alternatives: 'GraphQL', memberId: bob }),
    ]);
    await api(t.url, `/api/sessions/${s.id}/tasks`, { body: { title: 'Checkout page' } });
    const after = roles(await api<Snapshot>(t.url, `/api/sessions/${s.id}/timer`, { body: { action: 'skip' } }));
    expect(after).not.toEqual(before);
    const second = await Promise.all([
      log(a, { title: 'Cache carts', rationale: 'Speed', memberId: ada }),
      log(b, { title: 'No ORM', rationale: 'SQL is fine', memberId: bob }),
    ]);
    const records = [...first, ...second].map((r) => {
      if (!r.ok) throw new Error(r.error);
      return r.value;
    });
    for (const r of records.slice(0, 2)) expect({ driver: r.driver, navigator: r.navigator, taskId: r.taskId }).toEqual({ ...before, taskId: null });
    for (const r of records.slice(2)) expect({ driver: r.driver, navigator: r.navigator, taskTitle: r.taskTitle }).toEqual({ ...after, taskTitle: 'Checkout page' });
    expect(records.map((r) => r.author)).toEqual(['Ada', 'Bob', 'Ada', 'Bob']);

    const json = await exportJson(t.url, `/api/sessions/${s.id}/decisions.json`);
    expect(json.decisions.map((d) => d.seq)).toEqual([1, 2, 3, 4]);
    expect(new Set(json.decisions.map((d) => d.id))).toEqual(new Set(records.map((r) => r.id)));
    // Server time, not the client's: every stamp lies between the test's own before/after.
    expect(json.decisions.every((d) => d.at <= Date.now() && d.at > Date.now() - 60_000)).toBe(true);
    const snap = await api<{ decisionCount: number }>(t.url, `/api/sessions/${s.id}`);
    expect(snap.body.decisionCount).toBe(4);
  });

  it('logs over HTTP with 201, supersedes with links both ways, and the exports match the doc', async () => {
    const s = await createSession(t.url, { name: 'Export <mob>' });
    const ada = await join(t.url, s.id, 'Ada');
    const a = await api<DecisionRecord>(t.url, `/api/sessions/${s.id}/decisions`, { body: { title: '# Use [x](javascript:alert(1))', rationale: '<script>x</script>', memberId: ada } });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ seq: 1, author: 'Ada', title: '# Use [x](javascript:alert(1))' });
    const b = await api<DecisionRecord>(t.url, `/api/sessions/${s.id}/decisions`, { body: { title: 'Fix', rationale: 'oops', supersedes: a.body.id } });
    expect(b.body).toMatchObject({ seq: 2, author: 'API client', supersedes: a.body.id });

    const client = connect(t.wsUrl, s.id);
    await synced(client);
    await waitFor(() => decisionsOf(client.doc).length === 2, 'client has both');
    const views = listDecisions(client.doc);
    expect(views.map((v) => v.status)).toEqual(['superseded', 'accepted']);

    for (const path of [`/api/sessions/${s.id}/decisions`, `/api/view/${s.viewToken}/decisions`]) {
      const json = await exportJson(t.url, `${path}.json`);
      expect(json.decisions.map(({ date: _date, ...d }) => d)).toEqual(views);
      const res = await fetch(`${t.url}${path}.md`);
      expect(res.headers.get('content-type')).toMatch(/^text\/markdown/);
      expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="decisions-export-mob\.md"/);
      const md = await res.text();
      const exportedAt = Date.parse(json.exportedAt);
      const expected = decisionsMarkdown(views, { sessionName: readSessionName(client.doc), exportedAt });
      // The two exports were taken a moment apart: compare everything but the "Exported" line.
      const body = (text: string) => text.replace(/^Exported .*$/m, '');
      expect(body(md)).toBe(body(expected));
      expect(md).not.toMatch(/<script|\]\(javascript/i);
    }
    client.destroy();
  });

  it('answers bad input with clear 400s, view-token writes with 403, and refuses read-only sockets', async () => {
    const s = await createSession(t.url);
    const ada = await join(t.url, s.id, 'Ada');
    const post = (body: unknown) => api<{ error: string }>(t.url, `/api/sessions/${s.id}/decisions`, { body });
    expect(await post({ title: '', rationale: 'r' })).toMatchObject({ status: 400, body: { error: 'title must not be empty' } });
    expect(await post({ title: 't', rationale: '   ' })).toMatchObject({ status: 400, body: { error: 'rationale must not be empty' } });
    expect(await post({ title: 'x'.repeat(201), rationale: 'r' })).toMatchObject({ status: 400, body: { error: 'title must be at most 200 characters' } });
    expect(await post({ title: 't', rationale: 'r'.repeat(4001) })).toMatchObject({ status: 400, body: { error: 'rationale must be at most 4000 characters' } });
    expect(await post({ title: 't', rationale: 'r', supersedes: 'AAAAAAAAAAAA' })).toMatchObject({ status: 400, body: { error: 'supersedes: no such decision' } });
    expect(await post({ title: 't', rationale: 'r', memberId: 'AAAAAAAAAAAA' })).toMatchObject({ status: 400 });
    expect(await post({ title: 't', rationale: 'r', at: 1 })).toMatchObject({ status: 400 });
    const first = await api<DecisionRecord>(t.url, `/api/sessions/${s.id}/decisions`, { body: { title: 'A', rationale: 'r' } });
    expect((await post({ title: 'B', rationale: 'r', supersedes: first.body.id })).status).toBe(201);
    expect(await post({ title: 'C', rationale: 'r', supersedes: first.body.id })).toMatchObject({ status: 400, body: { error: 'supersedes: decision 1 is already superseded by decision 2' } });

    expect((await api(t.url, `/api/view/${s.viewToken}/decisions`, { body: { title: 't', rationale: 'r' } })).status).toBe(403);
    expect((await api(t.url, `/api/sessions/${s.viewToken}/decisions`, { body: { title: 't', rationale: 'r' } })).status).toBe(403);
    expect((await api(t.url, `/api/view/${s.id}/decisions.md`)).status).toBe(404);
    expect((await api(t.url, `/api/sessions/${'A'.repeat(22)}/decisions.json`)).status).toBe(404);

    const watcher = await socketFor(t.url, s.viewToken);
    expect(await log(watcher, { title: 't', rationale: 'r', memberId: ada })).toEqual({ ok: false, error: 'this is a read-only view link' });
    const editor = await socketFor(t.url, s.id);
    expect(await log(editor, { title: 't', rationale: 'r' } as DecisionLogPayload)).toMatchObject({ ok: false });
    expect(await log(editor, { title: 't', rationale: 'r', memberId: 'ZZZZZZZZZZZZ' })).toEqual({ ok: false, error: 'memberId is not a member of this session' });
    expect(await log(editor, 'garbage' as unknown as DecisionLogPayload)).toMatchObject({ ok: false });
    const count = (await exportJson(t.url, `/api/sessions/${s.id}/decisions.json`)).decisions.length;
    expect(count).toBe(2);
  });

  it('refuses a socket that logs faster than people do, without touching others', async () => {
    const s = await createSession(t.url);
    const ada = await join(t.url, s.id, 'Ada');
    const spammer = await socketFor(t.url, s.id);
    const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => log(spammer, { title: `spam ${i}`, rationale: 'r', memberId: ada })));
    const refused = replies.filter((r) => !r.ok);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toEqual({ ok: false, error: 'too many decisions at once: wait a moment and try again' });
    const other = await socketFor(t.url, s.id);
    expect((await log(other, { title: 'real one', rationale: 'r', memberId: ada })).ok).toBe(true);
  });

  it('keeps every decision across a server restart', async () => {
    const s = await createSession(t.url);
    for (let i = 0; i < 5; i++) await api(t.url, `/api/sessions/${s.id}/decisions`, { body: { title: `D${i}`, rationale: 'r' } });
    const before = await exportJson(t.url, `/api/sessions/${s.id}/decisions.json`);
    await t.server.close();
    t = await startServer({ dataDir: t.dataDir });
    const after = await exportJson(t.url, `/api/sessions/${s.id}/decisions.json`);
    expect(after.decisions).toEqual(before.decisions);
    expect(after.decisions.map((d) => d.title)).toEqual(['D0', 'D1', 'D2', 'D3', 'D4']);
  });

  it('a session with 10,000 decisions still opens for a y-websocket client and keeps logging', { timeout: 60_000 }, async () => {
    const N = 10_000;
    const s = await createSession(t.url);
    const ada = await join(t.url, s.id, 'Ada');
    await t.server.rooms.with(s.id as SessionId, (room) =>
      room.transact('decision', (doc) => {
        addTask(doc, { title: 'Big task' }, 1);
        const records = Array.from({ length: N }, (_, i) => stampDecision(doc, { title: `Decision ${i}`, rationale: `Because ${i}`, alternatives: 'none' }, { now: i, authorId: ada }, i + 1));
        decisionsOf(doc).push(records);
      }),
    );
    const started = performance.now();
    const client = connect(t.wsUrl, s.id);
    await synced(client);
    const joinMs = performance.now() - started;
    expect(decisionsOf(client.doc).length).toBe(N);
    console.info(`[bench] join of a session with ${N} decisions: ${joinMs.toFixed(0)} ms`);
    const more = await api<DecisionRecord>(t.url, `/api/sessions/${s.id}/decisions`, { body: { title: 'One more', rationale: 'r' } });
    expect(more).toMatchObject({ status: 201, body: { seq: N + 1 } });
    await waitFor(() => decisionsOf(client.doc).length === N + 1, 'the new decision arrives');
    client.destroy();
  });
});
