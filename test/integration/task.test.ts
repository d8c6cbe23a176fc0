import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskId } from '../../lib/ids';
import type { SessionSnapshot } from '../../lib/snapshot';
import { addTask as addTaskToDoc, listTasks, moveTask, taskText } from '../../lib/task';
import { FakeTime } from '../helpers/fakeTime';
import { api, createSession, startServer, type TestServer } from '../helpers/server';
import { connect, connectSession, synced, waitFor } from '../helpers/yclient';

let t: TestServer;
const time = new FakeTime();
beforeAll(async () => {
  t = await startServer({}, { clock: time });
});
afterAll(async () => {
  await t.stop();
});

type Added = SessionSnapshot & { taskId: TaskId };
const addTask = (id: string, body: unknown) => api<Added & { error: string }>(t.url, `/api/sessions/${id}/tasks`, { body });

describe('tasks over HTTP', () => {
  it('adds, completes and switches, and the snapshot carries task, queue and done', async () => {
    const s = await createSession(t.url);
    const first = await addTask(s.id, { title: 'Checkout <b>button</b>', why: '<script>alert(1)</script>', criteria: ['pays', 'shows receipt'] });
    expect(first.status).toBe(201);
    expect(first.body.task).toMatchObject({ id: first.body.taskId, title: 'Checkout <b>button</b>', why: '<script>alert(1)</script>' });
    expect(first.body.task?.criteria.map((c) => c.text)).toEqual(['pays', 'shows receipt']);
    const second = await addTask(s.id, { title: 'Refunds' });
    const third = await addTask(s.id, { title: 'Invoices' });
    expect(third.body.queue.map((q) => q.title)).toEqual(['Refunds', 'Invoices']);

    const switched = await api<SessionSnapshot>(t.url, `/api/sessions/${s.id}/tasks/switch`, { body: { to: third.body.taskId, reason: 'the CFO needs invoices today' } });
    expect(switched.status).toBe(200);
    expect(switched.body.task?.title).toBe('Invoices');
    expect(switched.body.queue[0]).toMatchObject({ id: first.body.taskId, summary: { switchedReason: 'the CFO needs invoices today' } });
    // The reason is also a server-stamped decision, in the same step, filed under the task switched away from.
    expect(switched.body.decisionCount).toBe(1);
    const log = await api<{ decisions: { title: string; rationale: string; taskTitle: string | null; author: string }[] }>(t.url, `/api/sessions/${s.id}/decisions.json`);
    expect(log.body.decisions[0]).toMatchObject({
      title: 'Switched to “Invoices” before finishing “Checkout <b>button</b>”',
      rationale: 'the CFO needs invoices today',
      taskTitle: 'Checkout <b>button</b>',
      author: 'API client (via API)',
    });

    const stale = await api<{ error: string }>(t.url, `/api/sessions/${s.id}/tasks/complete`, { body: { taskId: second.body.taskId } });
    expect(stale).toMatchObject({ status: 409, body: { error: 'the current task has changed meanwhile' } });
    time.advance(95_000); // 95 s on the server's clock
    const done = await api<SessionSnapshot>(t.url, `/api/sessions/${s.id}/tasks/complete`, { body: { taskId: third.body.taskId } });
    expect(done.status).toBe(200);
    expect(done.body.task?.id).toBe(first.body.taskId);
    expect(done.body.done).toHaveLength(1);
    expect(done.body.done[0]).toMatchObject({ title: 'Invoices', summary: { turns: 0, drivers: [], spentMs: 95_000 } });
    // Reopened, it waits again; the current task stays current.
    const reopened = await api<SessionSnapshot>(t.url, `/api/sessions/${s.id}/tasks/reopen`, { body: { taskId: third.body.taskId } });
    expect(reopened.body).toMatchObject({ task: { id: first.body.taskId }, done: [] });
    expect(reopened.body.queue.map((q) => q.title)).toContain('Invoices');
    await api(t.url, `/api/sessions/${s.id}/tasks/complete`, { body: { taskId: first.body.taskId } });
    await api(t.url, `/api/sessions/${s.id}/tasks/complete`, { body: {} });
    const snap = await api<SessionSnapshot>(t.url, `/api/sessions/${s.id}`);
    expect(snap.body.done.map((d) => d.title).sort()).toEqual(['Checkout <b>button</b>', 'Refunds']);
  });

  it('answers bad task input with readable 400s, view tokens with 404', async () => {
    const s = await createSession(t.url);
    const cases: [unknown, RegExp][] = [
      [{ title: '   ' }, /title: must not be empty/],
      [{}, /title/],
      [{ title: 'x'.repeat(201) }, /title: must be at most 200 characters/],
      [{ title: 'ok', why: 'y'.repeat(2001) }, /why must be at most 2000 characters/],
      [{ title: 'ok', criteria: ['c'.repeat(301)] }, /criterion: must be at most 300 characters/],
      [{ title: 'ok', criteria: [''] }, /criterion: must not be empty/],
      [{ title: 'ok', criteria: Array.from({ length: 51 }, (_, i) => `c${i}`) }, /at most 50 criteria/],
      [{ title: 'ok', extra: true }, /extra|Unrecognized/i],
    ];
    for (const [body, message] of cases) {
      const r = await addTask(s.id, body);
      expect(r.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(r.body.error).toMatch(message);
    }
    const sw = (body: unknown) => api<{ error: string }>(t.url, `/api/sessions/${s.id}/tasks/switch`, { body });
    expect(await sw({ to: 'nope', reason: 'x' })).toMatchObject({ status: 400, body: { error: 'to must be a task id' } });
    expect(await sw({ to: 'AAAAAAAAAAAA', reason: '  ' })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/reason must not be empty/) } });
    expect(await sw({ to: 'AAAAAAAAAAAA', reason: 'r'.repeat(501) })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/at most 500/) } });
    expect(await sw({ to: 'AAAAAAAAAAAA', reason: 'ok' })).toMatchObject({ status: 409, body: { error: 'that task is not waiting in the queue' } });
    expect((await api(t.url, `/api/sessions/${s.id}/tasks/complete`, { body: {} })).status).toBe(409);
    expect((await addTask(s.viewToken, { title: 'sneaky' })).status).toBe(404);
    expect((await api(t.url, `/api/sessions/${s.viewToken}/tasks/complete`, { body: {} })).status).toBe(404);
    expect((await api<SessionSnapshot>(t.url, `/api/sessions/${s.id}`)).body.queue).toEqual([]);
  });
});

describe('tasks over Yjs', () => {
  it('two clients typing into the same task text at once converge with nothing lost', async () => {
    const s = await createSession(t.url);
    const added = await addTask(s.id, { title: 'Shared', why: 'start' });
    const taskId = added.body.taskId;
    const a = connect(t.wsUrl, s.id);
    const b = connect(t.wsUrl, s.id);
    await Promise.all([synced(a), synced(b)]);
    const textOf = (c: typeof a) => taskText(c.docs, taskId, 'why');
    await waitFor(() => textOf(a) !== null && textOf(b) !== null, 'both clients see the task');
    const KEYS = 150;
    // Interleave keystrokes at different and at the same places, without waiting for the network.
    for (let i = 0; i < KEYS; i++) {
      const ta = textOf(a);
      const tb = textOf(b);
      if (!ta || !tb) throw new Error('task text vanished');
      ta.insert(i % 3 === 0 ? 0 : ta.length, 'a');
      tb.insert(i % 2 === 0 ? tb.length : Math.floor(tb.length / 2), 'b');
      if (i % 25 === 0) await new Promise((r) => setImmediate(r));
    }
    const expected = 'start'.length + 2 * KEYS;
    await waitFor(() => textOf(a)?.length === expected && textOf(b)?.length === expected, 'both have every character');
    const finalA = textOf(a)?.toString() ?? '';
    expect(textOf(b)?.toString()).toBe(finalA);
    expect([...finalA].filter((c) => c === 'a').length).toBe(KEYS + 1); // + the "a" in "start"
    expect([...finalA].filter((c) => c === 'b').length).toBe(KEYS);
    // The server's copy (the one a late joiner gets) agrees too.
    const snap = await api<SessionSnapshot>(t.url, `/api/sessions/${s.id}`);
    expect(snap.body.task?.why).toBe(finalA);
    a.destroy();
    b.destroy();
  });

  it('a queue of thousands of items stays usable', async () => {
    await queueOfThousands(t);
  });
});

const snapshotOf = async (t: TestServer, id: string) => (await api<SessionSnapshot>(t.url, `/api/sessions/${id}`)).body;

/** 2000 queued items: the snapshot, a client's sync, a reorder and a completion all still work. */
async function queueOfThousands(t: TestServer) {
  const s = await createSession(t.url);
  const addTask = (id: string, body: unknown) => api<Added>(t.url, `/api/sessions/${id}/tasks`, { body });
  const COUNT = 2000;
  // Seed through a Yjs client in one transaction (as a browser would write), then use the API on top.
  const seeder = connect(t.wsUrl, s.id);
  await synced(seeder);
  seeder.doc.transact(() => {
    for (let i = 0; i < COUNT - 1; i++) addTaskToDoc(seeder.docs, { title: `Item ${i}` }, Date.now());
  });
  await expect.poll(async () => (await api<SessionSnapshot>(t.url, `/api/sessions/${s.id}`)).body.queue.length, { timeout: 20_000 }).toBe(COUNT - 2);
  seeder.destroy();
  const viaApi = await addTask(s.id, { title: `Item ${COUNT - 1}` });
  expect(viaApi.status).toBe(201);
  const snap = await api<SessionSnapshot>(t.url, `/api/sessions/${s.id}`);
  expect(snap.status).toBe(200);
  expect(snap.body.task).not.toBeNull();
  expect(snap.body.queue).toHaveLength(COUNT - 1);
  const c = connectSession(t.wsUrl, s.id);
  await c.synced();
  await waitFor(() => listTasks(c.docs).queue.length === COUNT - 1, 'client has the whole queue');
  const last = listTasks(c.docs).queue.at(-1);
  if (!last) throw new Error('empty queue');
  moveTask(c.docs, last.id, 0);
  const current = listTasks(c.docs).current;
  await waitFor(() => t.server.rooms.has(s.id as never), 'room loaded');
  await expect.poll(async () => (await snapshotOf(t, s.id)).queue[0]?.id, { timeout: 10_000 }).toBe(last.id);
  expect((await api(t.url, `/api/sessions/${s.id}/tasks/complete`, { body: { taskId: current?.id } })).status).toBe(200);
  const snapshot = async () => (await api<SessionSnapshot>(t.url, `/api/sessions/${s.id}`)).body;
  await expect.poll(async () => (await snapshot()).task?.id, { timeout: 10_000 }).toBe(last.id);
  const after = await snapshot();
  expect(after.done).toHaveLength(1);
  expect(after.queue).toHaveLength(COUNT - 2);
  c.destroy();
}
