import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionsMarkdown, type DecisionsJson } from '../../lib/decisionExport';
import { listDecisions, stampDecision } from '../../lib/decisions';
import { FakeTime } from '../helpers/fakeTime';
import { type DecisionRecord, decisionsOf, readSessionName } from '../../lib/doc/schema';
import type { MemberId, SessionId } from '../../lib/ids';
import type { DecisionLogPayload } from '../../lib/protocol/decisions';
import { type Ack, type ClientToServer, SOCKET_PATH, type ServerToClient } from '../../lib/protocol/events';
import { addTask } from '../../lib/task';
import { api, createSession, joinAs, startServer, type TestServer, tempDir } from '../helpers/server';
import { connectSession, waitFor } from '../helpers/yclient';

type Client = Socket<ServerToClient, ClientToServer>;
type Reply = Parameters<Ack<DecisionRecord>>[0];
type Snapshot = { driver: { name: string } | null; navigator: { name: string } | null };

let t: TestServer;
const sockets: Client[] = [];
/** The server's clock, years away from the test machine's: a stamp from any other clock shows. */
const serverTime = new FakeTime(Date.UTC(2031, 5, 15, 9, 0, 0));
beforeAll(async () => {
  t = await startServer({ dataDir: tempDir() }, { clock: serverTime });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t.stop();
});

async function socketFor(base: string, room: string, member?: string): Promise<Client> {
  const s: Client = io(base, { path: SOCKET_PATH, auth: { room, ...(member ? { member } : {}) }, transports: ['websocket'], reconnection: false });
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

/** A socket that joined as `name` (a new member), as the session page's does. */
async function memberSocket(base: string, room: string, name: string): Promise<{ socket: Client; id: MemberId; token: string }> {
  const socket = await socketFor(base, room);
  const { member, token } = await joinAs(socket, name);
  return { socket, id: member.id as MemberId, token };
}

const exportJson = async (base: string, path: string) => (await api<DecisionsJson>(base, path)).body;

describe('decision log over socket.io and HTTP', () => {
  it('two clients logging at once are both kept, in server order, stamped with the roles and task of that moment', async () => {
    const s = await createSession(t.url, { name: 'Payments mob' });
    const { socket: a } = await memberSocket(t.url, s.id, 'Ada');
    const { socket: b } = await memberSocket(t.url, s.id, 'Bob');
    await join(t.url, s.id, 'Cy');
    // The rotation feature decides who drives; the log only reads it, so ask the snapshot each time.
    const roles = (r: { body: Snapshot }) => ({ driver: r.body.driver?.name ?? null, navigator: r.body.navigator?.name ?? null });
    const before = roles(await api<Snapshot>(t.url, `/api/sessions/${s.id}/timer`, { body: { action: 'start' } }));
    expect(before.driver).not.toBeNull();

    const first = await Promise.all([
      log(a, { title: 'Use Postgres', rationale: 'JSONB' }),
      log(b, { title: 'Keep REST', rationale: 'Clients exist', alternatives: 'GraphQL' }),
    ]);
    await api(t.url, `/api/sessions/${s.id}/tasks`, { body: { title: 'Checkout page' } });
    const after = roles(await api<Snapshot>(t.url, `/api/sessions/${s.id}/timer`, { body: { action: 'skip' } }));
    expect(after).not.toEqual(before);
    serverTime.advance(90_000);
    const second = await Promise.all([
      log(a, { title: 'Cache carts', rationale: 'Speed' }),
      log(b, { title: 'No ORM', rationale: 'SQL is fine' }),
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
    // The server's clock, not any other: exactly the injected time (years from this machine's).
    expect(json.decisions.map((d) => d.at - Date.UTC(2031, 5, 15, 9, 0, 0))).toEqual([0, 0, 90_000, 90_000]);
    const snap = await api<{ decisionCount: number }>(t.url, `/api/sessions/${s.id}`);
    expect(snap.body.decisionCount).toBe(4);
  });

  it('logs over HTTP with 201, supersedes with links both ways, and the exports match the doc', async () => {
    const s = await createSession(t.url, { name: 'Export <mob>' });
    const a = await api<DecisionRecord>(t.url, `/api/sessions/${s.id}/decisions`, { body: { title: '# Use [x](javascript:alert(1))', rationale: '<script>x</script>', author: 'release-bot' } });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ seq: 1, author: 'release-bot (via API)', authorId: null, title: '# Use [x](javascript:alert(1))' });
    const b = await api<DecisionRecord>(t.url, `/api/sessions/${s.id}/decisions`, { body: { title: 'Fix', rationale: 'oops', supersedes: a.body.id } });
    expect(b.body).toMatchObject({ seq: 2, author: 'API client (via API)', supersedes: a.body.id });

    const client = connectSession(t.wsUrl, s.id);
    await client.synced();
    await waitFor(() => decisionsOf(client.docs).length === 2, 'client has both');
    const views = listDecisions(client.docs);
    expect(views.map((v) => v.status)).toEqual(['superseded', 'accepted']);

    for (const path of [`/api/sessions/${s.id}/decisions`, `/api/view/${s.viewToken}/decisions`]) {
      const json = await exportJson(t.url, `${path}.json`);
      expect(json.decisions.map(({ date: _date, ...d }) => d)).toEqual(views);
      const res = await fetch(`${t.url}${path}.md`);
      expect(res.headers.get('content-type')).toMatch(/^text\/markdown/);
      expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="decisions-export-mob\.md"/);
      const md = await res.text();
      const exportedAt = Date.parse(json.exportedAt);
      const expected = decisionsMarkdown(views, { sessionName: readSessionName(client.docs), exportedAt });
      // The two exports were taken a moment apart: compare everything but the "Exported" line.
      const body = (text: string) => text.replace(/^Exported .*$/m, '');
      expect(body(md)).toBe(body(expected));
      expect(md).not.toMatch(/<script|\]\(javascript/i);
    }
    client.destroy();
  });

  it('answers bad input with clear 400s, view tokens with 404/403, and refuses read-only and unjoined sockets', async () => {
    const s = await createSession(t.url);
    const post = (body: unknown) => api<{ error: string }>(t.url, `/api/sessions/${s.id}/decisions`, { body });
    expect(await post({ title: '', rationale: 'r' })).toMatchObject({ status: 400, body: { error: 'title must not be empty' } });
    expect(await post({ title: 't', rationale: '   ' })).toMatchObject({ status: 400, body: { error: 'rationale must not be empty' } });
    expect(await post({ title: 'x'.repeat(201), rationale: 'r' })).toMatchObject({ status: 400, body: { error: 'title must be at most 200 characters' } });
    expect(await post({ title: 't', rationale: 'r'.repeat(4001) })).toMatchObject({ status: 400, body: { error: 'rationale must be at most 4000 characters' } });
    expect(await post({ title: 't', rationale: 'r', supersedes: 'AAAAAAAAAAAA' })).toMatchObject({ status: 400, body: { error: 'supersedes: no such decision' } });
    expect(await post({ title: 't', rationale: 'r', memberId: 'AAAAAAAAAAAA' })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/memberId is not accepted/) } });
    expect(await post({ title: 't', rationale: 'r', taskId: 'AAAAAAAAAAAA' })).toMatchObject({ status: 400, body: { error: 'taskId: no such task in this session' } });
    expect(await post({ title: 't', rationale: 'r', at: 1 })).toMatchObject({ status: 400 });
    const first = await api<DecisionRecord>(t.url, `/api/sessions/${s.id}/decisions`, { body: { title: 'A', rationale: 'r' } });
    expect((await post({ title: 'B', rationale: 'r', supersedes: first.body.id })).status).toBe(201);
    expect(await post({ title: 'C', rationale: 'r', supersedes: first.body.id })).toMatchObject({ status: 400, body: { error: 'supersedes: decision 1 is already superseded by decision 2' } });

    expect((await api(t.url, `/api/view/${s.viewToken}/decisions`, { body: { title: 't', rationale: 'r' } })).status).toBe(403);
    expect((await api(t.url, `/api/sessions/${s.viewToken}/decisions`, { body: { title: 't', rationale: 'r' } })).status).toBe(404);
    expect((await api(t.url, `/api/view/${s.id}/decisions.md`)).status).toBe(404);
    expect((await api(t.url, `/api/sessions/${'A'.repeat(22)}/decisions.json`)).status).toBe(404);

    const watcher = await socketFor(t.url, s.viewToken);
    expect(await log(watcher, { title: 't', rationale: 'r' })).toMatchObject({ ok: false, error: expect.stringMatching(/read-only view link/) });
    const unjoined = await socketFor(t.url, s.id);
    expect(await log(unjoined, { title: 't', rationale: 'r' })).toMatchObject({ ok: false, error: expect.stringMatching(/join the session first/) });
    const { socket: editor } = await memberSocket(t.url, s.id, 'Ada');
    expect(await log(editor, { title: 't', rationale: 'r', memberId: 'ZZZZZZZZZZZZ' } as DecisionLogPayload)).toMatchObject({ ok: false, error: expect.stringMatching(/memberId is not accepted/) });
    expect(await log(editor, 'garbage' as unknown as DecisionLogPayload)).toMatchObject({ ok: false });
    const count = (await exportJson(t.url, `/api/sessions/${s.id}/decisions.json`)).decisions.length;
    expect(count).toBe(2);
  });

  it('signs with the member the socket joined as: another member’s socket cannot choose the author', async () => {
    const s = await createSession(t.url);
    const ada = await memberSocket(t.url, s.id, 'Ada');
    const bob = await memberSocket(t.url, s.id, 'Bob');
    expect(await log(bob.socket, { title: 'as Ada?', rationale: 'r', memberId: ada.id } as DecisionLogPayload)).toMatchObject({ ok: false });
    const mine = await log(bob.socket, { title: 'mine', rationale: 'r' });
    expect(mine).toMatchObject({ ok: true, value: { author: 'Bob', authorId: bob.id } });
    // A token proves the member on a later socket; a forged or foreign one is refused at the handshake.
    const again = await socketFor(t.url, s.id, ada.token);
    expect(await log(again, { title: 'from Ada’s other tab', rationale: 'r' })).toMatchObject({ ok: true, value: { author: 'Ada' } });
    await expect(socketFor(t.url, s.id, `${ada.id}.AAAAAAAAAAAAAAAAAAAAAA`)).rejects.toThrow(/member token/);
    const other = await createSession(t.url);
    await expect(socketFor(t.url, other.id, ada.token)).rejects.toThrow(/member token/);
  });

  it('refuses a socket that commands faster than people do, without touching others', async () => {
    const s = await createSession(t.url);
    const { socket: spammer, token } = await memberSocket(t.url, s.id, 'Ada');
    const replies = await Promise.all(Array.from({ length: 60 }, (_, i) => log(spammer, { title: `spam ${i}`, rationale: 'r' })));
    const refused = replies.filter((r) => !r.ok);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toEqual({ ok: false, error: 'too many commands at once: wait a moment and try again' });
    const other = await socketFor(t.url, s.id, token);
    expect((await log(other, { title: 'real one', rationale: 'r' })).ok).toBe(true);
  });

  it('keeps every decision across a server restart', async () => {
    const s = await createSession(t.url);
    for (let i = 0; i < 5; i++) await api(t.url, `/api/sessions/${s.id}/decisions`, { body: { title: `D${i}`, rationale: 'r' } });
    const before = await exportJson(t.url, `/api/sessions/${s.id}/decisions.json`);
    await t.server.close();
    t = await startServer({ dataDir: t.dataDir }, { clock: serverTime });
    const after = await exportJson(t.url, `/api/sessions/${s.id}/decisions.json`);
    expect(after.decisions).toEqual(before.decisions);
    expect(after.decisions.map((d) => d.title)).toEqual(['D0', 'D1', 'D2', 'D3', 'D4']);
  });

  it('a session with 10,000 decisions still opens for a y-websocket client and keeps logging', { timeout: 60_000 }, async () => {
    const N = 10_000;
    const s = await createSession(t.url);
    const ada = await join(t.url, s.id, 'Ada');
    await t.server.rooms.with(s.id as SessionId, (room) =>
      room.transact('decision', (docs) => {
        addTask(docs, { title: 'Big task' }, 1);
        const records = Array.from({ length: N }, (_, i) => stampDecision(docs, { title: `Decision ${i}`, rationale: `Because ${i}`, alternatives: 'none' }, { now: i, author: { kind: 'member', id: ada } }, i + 1));
        decisionsOf(docs).push(records);
      }),
    );
    const started = performance.now();
    const client = connectSession(t.wsUrl, s.id);
    await client.synced();
    const joinMs = performance.now() - started;
    expect(decisionsOf(client.docs).length).toBe(N);
    console.info(`[bench] join of a session with ${N} decisions: ${joinMs.toFixed(0)} ms`);
    const more = await api<DecisionRecord>(t.url, `/api/sessions/${s.id}/decisions`, { body: { title: 'One more', rationale: 'r' } });
    expect(more).toMatchObject({ status: 201, body: { seq: N + 1 } });
    await waitFor(() => decisionsOf(client.docs).length === N + 1, 'the new decision arrives');
    client.destroy();
  });
});
