import { describe, expect, it } from 'vitest';
import { BOARD_KEY, boardOf, INITIAL_ROTATION, ROTATION_KEY, rotationOf, type SessionDocs, turnsOf } from '../../lib/doc/schema';
import type { MemberId, TaskId } from '../../lib/ids';
import {
  addTask,
  boardNeedsSettling,
  completeTask,
  currentTaskId,
  editTask,
  listTasks,
  moveTask,
  type NewTask,
  removeTask,
  reopenTask,
  SWITCH_REASON_MAX,
  settleBoard,
  taskText,
} from '../../lib/task';
import { addCriterion, criterionText, moveCriterion, removeCriterion, setCriterionDone } from '../../lib/taskCriteria';
import { switchTask } from '../../lib/taskSwitch';
import { diffText, shiftThrough } from '../../lib/textDiff';
import { merge, mergeAll, newSession, replica } from '../helpers/docs';

const session = () => newSession();

/** A client adds a task; the server then settles the board (what it does after every client change). */
function add(docs: SessionDocs, input: NewTask, now: number): TaskId {
  const id = addTask(docs, input, now);
  settleBoard(docs, now);
  return id;
}

const sw = (docs: SessionDocs, to: TaskId, reason: string, now: number) =>
  switchTask(docs, { to, reason }, { now, author: { kind: 'api', label: 'test' } });

const titles = (docs: SessionDocs) => {
  const l = listTasks(docs);
  return { current: l.current?.title ?? null, queue: l.queue.map((t) => t.title), done: l.done.map((t) => t.title) };
};

const setTurn = (docs: SessionDocs, turn: number, driver: string | null) =>
  rotationOf(docs).set(ROTATION_KEY.state, { ...INITIAL_ROTATION, turn, driver: driver as MemberId | null });

describe('task transitions', () => {
  it('adds: the first task becomes current once the server settles the board, the rest wait in order', () => {
    const doc = session();
    const a = addTask(doc, { title: 'Login form', why: 'users cannot sign in', criteria: ['shows errors'] }, 10);
    expect(currentTaskId(doc)).toBeNull();
    expect(boardNeedsSettling(doc)).toBe(true);
    expect(settleBoard(doc, 10)).toBe(true);
    expect(boardNeedsSettling(doc)).toBe(false);
    add(doc, { title: 'Logout' }, 11);
    add(doc, { title: 'Password reset' }, 12);
    expect(currentTaskId(doc)).toBe(a);
    expect(titles(doc)).toEqual({ current: 'Login form', queue: ['Logout', 'Password reset'], done: [] });
    expect(listTasks(doc).current).toMatchObject({ why: 'users cannot sign in', startedAt: 10, criteria: [{ text: 'shows errors', done: false }] });
    expect(listTasks(doc).queue[0]?.startedAt).toBeNull();
  });

  it('completes: records time, turns and drivers, and starts the next queued task', () => {
    const doc = session();
    setTurn(doc, 3, null);
    const a = add(doc, { title: 'A' }, 1_000);
    const b = add(doc, { title: 'B' }, 1_001);
    turnsOf(doc).push([
      { turn: 3, phase: 'turn', driver: 'ada000000000' as MemberId, navigator: null, startedAt: 900, endedAt: 2_000, pausedMs: 0, end: 'expired' },
      { turn: 4, phase: 'turn', driver: 'bob000000000' as MemberId, navigator: null, startedAt: 2_000, endedAt: 3_000, pausedMs: 0, end: 'expired' },
      { turn: 0, phase: 'turn', driver: 'old000000000' as MemberId, navigator: null, startedAt: 0, endedAt: 500, pausedMs: 0, end: 'expired' },
    ]);
    setTurn(doc, 5, 'cy0000000000');
    expect(completeTask(doc, 61_000, b)).toEqual({ ok: false, error: 'the current task has changed meanwhile' });
    expect(completeTask(doc, 61_000, a)).toEqual({ ok: true, done: a, next: b });
    const { current, done } = listTasks(doc);
    expect(current).toMatchObject({ id: b, startedAt: 61_000 });
    expect(done[0]).toMatchObject({ id: a, startedAt: 1_000, doneAt: 61_000, summary: { turns: 2, spentMs: 60_000, drivers: ['ada000000000', 'bob000000000', 'cy0000000000'] } });
    expect(completeTask(doc, 62_000)).toMatchObject({ ok: true, next: null });
    expect(currentTaskId(doc)).toBeNull();
    expect(completeTask(doc, 63_000)).toEqual({ ok: false, error: 'there is no current task' });
    // A new task after everything is done becomes current at once.
    add(doc, { title: 'C' }, 64_000);
    expect(titles(doc)).toEqual({ current: 'C', queue: [], done: ['A', 'B'] });
  });

  it('keeps a finished task in the history (title and summary) even when its text is removed', () => {
    const doc = session();
    const a = add(doc, { title: 'A' }, 0);
    completeTask(doc, 10);
    doc.shared.getMap('tasks').delete(a);
    expect(listTasks(doc).done).toMatchObject([{ id: a, title: 'A', doneAt: 10, summary: { spentMs: 10 } }]);
  });

  it('reopens a finished task: it waits again (or becomes current) and its totals carry on', () => {
    const doc = session();
    const a = add(doc, { title: 'A' }, 0);
    const b = add(doc, { title: 'B' }, 0);
    completeTask(doc, 1_000);
    expect(reopenTask(doc, b, 1_100)).toEqual({ ok: false, error: 'that task is not finished' });
    expect(reopenTask(doc, a, 1_100)).toEqual({ ok: true });
    expect(titles(doc)).toEqual({ current: 'B', queue: ['A'], done: [] });
    completeTask(doc, 2_000);
    expect(titles(doc).current).toBe('A');
    completeTask(doc, 2_500);
    expect(listTasks(doc).done.find((t) => t.id === a)?.summary?.spentMs).toBe(1_000 + 500);
    // Nothing current: a reopened task becomes current at once.
    expect(reopenTask(doc, b, 3_000)).toEqual({ ok: true });
    expect(titles(doc).current).toBe('B');
  });

  it('undoes "Mark done": the task is current again and the one that took over waits, as if it had not started', () => {
    const doc = session();
    const a = add(doc, { title: 'A' }, 0);
    const b = add(doc, { title: 'B' }, 0);
    add(doc, { title: 'C' }, 0);
    completeTask(doc, 1_000);
    expect(listTasks(doc).current).toMatchObject({ id: b, startedAt: 1_000 });
    expect(reopenTask(doc, a, 1_500, true)).toEqual({ ok: true });
    expect(titles(doc)).toEqual({ current: 'A', queue: ['B', 'C'], done: [] });
    expect(listTasks(doc).queue[0]).toMatchObject({ id: b, startedAt: null });
    completeTask(doc, 2_000);
    expect(listTasks(doc).done[0]?.summary?.spentMs).toBe(1_000 + 500);
  });

  it('switches only with a reason, keeps the reason and sends the old task to the front of the queue', () => {
    const doc = session();
    const a = add(doc, { title: 'A' }, 0);
    add(doc, { title: 'B' }, 0);
    const c = add(doc, { title: 'C' }, 0);
    expect(sw(doc, c, '   ', 10)).toMatchObject({ ok: false, error: expect.stringMatching(/must not be empty/) });
    expect(sw(doc, c, 'x'.repeat(SWITCH_REASON_MAX + 1), 10)).toMatchObject({ ok: false, error: expect.stringMatching(/at most 500/) });
    expect(sw(doc, a, 'itself', 10)).toMatchObject({ ok: false });
    expect(titles(doc).current).toBe('A');
    const switched = sw(doc, c, ' prod is down,\n fix first ', 5_000);
    // The reason is logged as a decision filed under the task switched away from, in the same step.
    expect(switched).toMatchObject({ ok: true, decision: { taskId: a, taskTitle: 'A', rationale: 'prod is down, fix first', author: 'test (via API)', kind: 'switch' } });
    expect(titles(doc)).toEqual({ current: 'C', queue: ['A', 'B'], done: [] });
    const waiting = listTasks(doc).queue[0];
    expect(waiting).toMatchObject({ startedAt: null, summary: { spentMs: 5_000, switchedReason: 'prod is down, fix first' } });
    // Coming back later adds the second stint and keeps the reason.
    completeTask(doc, 6_000);
    completeTask(doc, 7_000);
    expect(listTasks(doc).done.find((t) => t.id === a)?.summary).toMatchObject({ spentMs: 6_000, switchedReason: 'prod is down, fix first' });
  });

  it('edits, reorders and removes queued tasks', () => {
    const doc = session();
    const a = add(doc, { title: 'A' }, 0);
    const b = add(doc, { title: 'B' }, 0);
    const c = add(doc, { title: 'C' }, 0);
    const d = add(doc, { title: 'D' }, 0);
    expect(moveTask(doc, d, 0)).toBe(true);
    expect(titles(doc).queue).toEqual(['D', 'B', 'C']);
    expect(moveTask(doc, b, 5)).toBe(true);
    expect(titles(doc).queue).toEqual(['D', 'C', 'B']);
    expect(moveTask(doc, a, 0)).toBe(false);
    expect(removeTask(doc, a)).toBe(false);
    expect(removeTask(doc, c)).toBe(true);
    expect(titles(doc).queue).toEqual(['D', 'B']);
    expect(editTask(doc, b, { title: 'B2', why: '<script>alert(1)</script>' })).toBe(true);
    expect(listTasks(doc).queue[1]).toMatchObject({ title: 'B2', why: '<script>alert(1)</script>' });
  });

  it('adds, edits, reorders, ticks and removes criteria', () => {
    const doc = session();
    const a = add(doc, { title: 'A', criteria: ['one'] }, 0);
    const two = addCriterion(doc, a, ' two ');
    const three = addCriterion(doc, a, 'three');
    expect(addCriterion(doc, a, '  ')).toEqual({ ok: false, error: 'criterion must not be empty' });
    expect(addCriterion(doc, a, 'x'.repeat(301))).toMatchObject({ ok: false, error: expect.stringMatching(/at most 300/) });
    if (!two.ok || !three.ok) throw new Error('criteria not added');
    const texts = () => listTasks(doc).current?.criteria.map((c) => `${c.text}${c.done ? '✓' : ''}`);
    expect(texts()).toEqual(['one', 'two', 'three']);
    moveCriterion(doc, a, three.id, 0);
    setCriterionDone(doc, a, two.id, true);
    criterionText(doc, a, three.id)?.insert(5, '!');
    expect(texts()).toEqual(['three!', 'one', 'two✓']);
    removeCriterion(doc, a, two.id);
    expect(texts()).toEqual(['three!', 'one']);
  });
});

/**
 * The server alone moves the board (complete, switch, reopen, settle), one step at a time; browsers
 * add, edit, reorder and remove waiting tasks concurrently. Whatever arrives in whichever order, the
 * server's next settle leaves exactly one current task whenever one is waiting.
 */
function expectOneCurrent(server: SessionDocs, ...clients: SessionDocs[]) {
  mergeAll([server, ...clients]);
  settleBoard(server, 99);
  mergeAll([server, ...clients]);
  const views = [server, ...clients].map((d) => listTasks(d));
  const first = views[0];
  if (!first) throw new Error('no docs');
  for (const v of views) {
    expect(v).toEqual(first);
    const ids = [v.current?.id, ...v.queue.map((t) => t.id), ...v.done.map((t) => t.id)].filter(Boolean);
    expect(new Set(ids).size).toBe(ids.length);
    if (v.queue.length > 0) expect(v.current).not.toBeNull();
    expect(v.current?.doneAt ?? null).toBeNull();
  }
  return first;
}

describe('one current task under concurrent edits', () => {
  type Scenario = (server: SessionDocs, x: SessionDocs, y: SessionDocs, ids: TaskId[]) => void;
  const scenarios: Record<string, Scenario> = {
    'the server completes while a browser removes the next task': (server, x, _y, [, b]) => {
      completeTask(server, 10);
      removeTask(x, b as TaskId);
    },
    'the server switches while a browser removes the target': (server, x, _y, [, , c]) => {
      sw(server, c as TaskId, 'urgent', 10);
      removeTask(x, c as TaskId);
    },
    'two browsers remove the whole queue while the server completes': (server, x, y, [, b, c]) => {
      removeTask(x, b as TaskId);
      removeTask(y, c as TaskId);
      completeTask(server, 10);
    },
    'two browsers add to an empty board': (server, x, y) => {
      for (let i = 0; i < 3; i++) completeTask(server, 10 + i);
      mergeAll([server, x, y]);
      addTask(x, { title: 'from x' }, 20);
      addTask(y, { title: 'from y' }, 21);
    },
    'a browser reorders while the server completes': (server, x, _y, [, , c]) => {
      moveTask(x, c as TaskId, 0);
      completeTask(server, 10);
    },
  };

  for (const [name, run] of Object.entries(scenarios)) {
    for (const order of ['x then y', 'y then x'] as const) {
      it(`${name}, merged ${order}`, () => {
        const server = session();
        const ids = ['A', 'B', 'C'].map((title) => add(server, { title }, 1));
        const x = replica(server);
        const y = replica(server);
        run(server, x, y, ids);
        const result = order === 'x then y' ? expectOneCurrent(server, x, y) : expectOneCurrent(server, y, x);
        if (result.queue.length > 0 || listTasks(server).queue.length > 0) expect(result.current).not.toBeNull();
      });
    }
  }

  it('a board key can hold only one task id, whatever two writers write', () => {
    const a = session();
    const [x, y] = ['X', 'Y'].map((title) => add(a, { title }, 1));
    const b = replica(a);
    boardOf(a).set(BOARD_KEY.current, x);
    boardOf(b).set(BOARD_KEY.current, y);
    merge(b, a);
    expect(currentTaskId(a)).toBe(currentTaskId(b));
    expect(listTasks(a).queue).toHaveLength(1);
  });

  it('concurrent typing into the same text keeps both people’s characters', () => {
    const a = session();
    const id = add(a, { title: 'T', why: 'because' }, 1);
    const b = replica(a);
    editTask(a, id, { why: 'because users asked' });
    editTask(b, id, { why: 'just because' });
    merge(a, b);
    expect(taskText(a, id, 'why')?.toString()).toBe(taskText(b, id, 'why')?.toString());
    expect(taskText(a, id, 'why')?.toString()).toBe('just because users asked');
  });
});

describe('minimal text diff', () => {
  it('uses the caret to place ambiguous edits', () => {
    expect(diffText('aa', 'aaa', 2)).toEqual({ index: 1, remove: 0, insert: 'a' });
    expect(diffText('aa', 'aaa')).toEqual({ index: 2, remove: 0, insert: 'a' });
    expect(diffText('abc', 'abXc')).toEqual({ index: 2, remove: 0, insert: 'X' });
    expect(diffText('abc', 'ac', 1)).toEqual({ index: 1, remove: 1, insert: '' });
    expect(diffText('hello world', 'hello brave world', 12)).toEqual({ index: 6, remove: 0, insert: 'brave ' });
    expect(diffText('same', 'same')).toBeNull();
    expect(diffText('a😀b', 'a😃b')).toEqual({ index: 1, remove: 2, insert: '😃' });
  });

  it('keeps the caret in place through remote edits', () => {
    // caret at 5 in "hello world"
    expect(shiftThrough(5, [{ insert: 'oh, ' }])).toBe(9);
    expect(shiftThrough(5, [{ retain: 5 }, { insert: '!!' }])).toBe(5);
    expect(shiftThrough(5, [{ retain: 6 }, { insert: 'big ' }])).toBe(5);
    expect(shiftThrough(5, [{ delete: 2 }])).toBe(3);
    expect(shiftThrough(5, [{ retain: 3 }, { delete: 5 }])).toBe(3);
    expect(shiftThrough(5, [{ retain: 1 }, { delete: 1 }, { insert: 'XYZ' }])).toBe(7);
  });
});
