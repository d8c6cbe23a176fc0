import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { BOARD_KEY, boardOf, DEFAULT_SETTINGS, INITIAL_ROTATION, initSession, ROTATION_KEY, rotationOf, turnsOf } from '../../lib/doc/schema';
import type { MemberId, TaskId } from '../../lib/ids';
import {
  addTask,
  completeTask,
  currentTaskId,
  editTask,
  ensureCurrent,
  listTasks,
  moveTask,
  removeTask,
  SWITCH_REASON_MAX,
  switchTask,
  taskText,
} from '../../lib/task';
import { addCriterion, criterionText, moveCriterion, removeCriterion, setCriterionDone } from '../../lib/taskCriteria';
import { diffText, shiftThrough } from '../../lib/textDiff';

function session(): Y.Doc {
  const doc = new Y.Doc();
  initSession(doc, { name: 'Mob', createdAt: 0, settings: DEFAULT_SETTINGS });
  return doc;
}

const titles = (doc: Y.Doc) => {
  const l = listTasks(doc);
  return { current: l.current?.title ?? null, queue: l.queue.map((t) => t.title), done: l.done.map((t) => t.title) };
};

const setTurn = (doc: Y.Doc, turn: number, driver: string | null) =>
  rotationOf(doc).set(ROTATION_KEY.state, { ...INITIAL_ROTATION, turn, driver: driver as MemberId | null });

describe('task transitions', () => {
  it('adds: the first task becomes current, the rest wait in order', () => {
    const doc = session();
    const a = addTask(doc, { title: 'Login form', why: 'users cannot sign in', criteria: ['shows errors'] }, 10);
    addTask(doc, { title: 'Logout' }, 11);
    addTask(doc, { title: 'Password reset' }, 12);
    expect(currentTaskId(doc)).toBe(a);
    expect(titles(doc)).toEqual({ current: 'Login form', queue: ['Logout', 'Password reset'], done: [] });
    expect(listTasks(doc).current).toMatchObject({ why: 'users cannot sign in', startedAt: 10, criteria: [{ text: 'shows errors', done: false }] });
    expect(listTasks(doc).queue[0]?.startedAt).toBeNull();
  });

  it('completes: records time, turns and drivers, and starts the next queued task', () => {
    const doc = session();
    setTurn(doc, 3, null);
    const a = addTask(doc, { title: 'A' }, 1_000);
    const b = addTask(doc, { title: 'B' }, 1_001);
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
    addTask(doc, { title: 'C' }, 64_000);
    expect(titles(doc)).toEqual({ current: 'C', queue: [], done: ['A', 'B'] });
  });

  it('switches only with a reason, keeps the reason and sends the old task to the front of the queue', () => {
    const doc = session();
    const a = addTask(doc, { title: 'A' }, 0);
    addTask(doc, { title: 'B' }, 0);
    const c = addTask(doc, { title: 'C' }, 0);
    expect(switchTask(doc, c, '   ', 10)).toMatchObject({ ok: false, error: expect.stringMatching(/must not be empty/) });
    expect(switchTask(doc, c, 'x'.repeat(SWITCH_REASON_MAX + 1), 10)).toMatchObject({ ok: false, error: expect.stringMatching(/at most 500/) });
    expect(switchTask(doc, a, 'itself', 10)).toMatchObject({ ok: false });
    expect(titles(doc).current).toBe('A');
    expect(switchTask(doc, c, ' prod is down,\n fix first ', 5_000)).toEqual({ ok: true });
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
    const a = addTask(doc, { title: 'A' }, 0);
    const b = addTask(doc, { title: 'B' }, 0);
    const c = addTask(doc, { title: 'C' }, 0);
    const d = addTask(doc, { title: 'D' }, 0);
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
    const a = addTask(doc, { title: 'A', criteria: ['one'] }, 0);
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

/** Two replicas that exchange updates only when told to, in either order. */
function pair() {
  const a = session();
  const b = new Y.Doc();
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
  return { a, b };
}
function merge(first: Y.Doc, second: Y.Doc) {
  const u1 = Y.encodeStateAsUpdate(first);
  const u2 = Y.encodeStateAsUpdate(second);
  Y.applyUpdate(second, u1);
  Y.applyUpdate(first, u2);
}
function mergeAll(docs: Y.Doc[]) {
  for (const [i, x] of docs.entries()) {
    for (const y of docs.slice(i + 1)) merge(x, y);
  }
}
function expectOneCurrent(...docs: Y.Doc[]) {
  mergeAll(docs);
  // Every replica repairs what it sees, concurrently, and the repairs merge too.
  for (const doc of docs) ensureCurrent(doc, 99);
  mergeAll(docs);
  const views = docs.map((d) => listTasks(d));
  const first = views[0];
  if (!first) throw new Error('no docs');
  for (const v of views) {
    expect(v).toEqual(first);
    // Every task is in exactly one place, and a current task exists whenever one is waiting.
    const ids = [v.current?.id, ...v.queue.map((t) => t.id), ...v.done.map((t) => t.id)].filter(Boolean);
    expect(new Set(ids).size).toBe(ids.length);
    if (v.queue.length > 0) expect(v.current).not.toBeNull();
    expect(v.current?.doneAt ?? null).toBeNull();
  }
  return first;
}

describe('one current task under concurrent edits', () => {
  type Scenario = (x: Y.Doc, y: Y.Doc, ids: TaskId[]) => void;
  const scenarios: Record<string, Scenario> = {
    'both complete': (x, y) => {
      completeTask(x, 10);
      completeTask(y, 11);
    },
    'complete vs switch': (x, y, [, , c]) => {
      completeTask(x, 10);
      switchTask(y, c as TaskId, 'urgent', 11);
    },
    'both switch to different tasks': (x, y, [, b, c]) => {
      switchTask(x, b as TaskId, 'b first', 10);
      switchTask(y, c as TaskId, 'c first', 11);
    },
    'complete twice vs switch to the second': (x, y, [, b]) => {
      completeTask(x, 10);
      completeTask(x, 11);
      switchTask(y, b as TaskId, 'b now', 12);
    },
    'complete vs removing the next task': (x, y, [, b]) => {
      completeTask(x, 10);
      removeTask(y, b as TaskId);
    },
    'both add to an empty board': (x, y) => {
      for (let i = 0; i < 3; i++) completeTask(x, 10 + i);
      merge(x, y);
      addTask(x, { title: 'from x' }, 20);
      addTask(y, { title: 'from y' }, 21);
    },
    'reorder vs complete': (x, y, [, , c]) => {
      moveTask(x, c as TaskId, 0);
      completeTask(y, 10);
    },
  };

  for (const [name, run] of Object.entries(scenarios)) {
    for (const order of ['x then y', 'y then x'] as const) {
      it(`${name}, merged ${order}`, () => {
        const { a, b } = pair();
        const ids = ['A', 'B', 'C'].map((title) => addTask(a, { title }, 1));
        merge(a, b);
        run(a, b, ids);
        const result = order === 'x then y' ? expectOneCurrent(a, b) : expectOneCurrent(b, a);
        expect(result.current).not.toBeNull();
      });
    }
  }

  it('a board key can hold only one task id, whatever two replicas write', () => {
    const { a, b } = pair();
    const [x, y] = ['X', 'Y'].map((title) => addTask(a, { title }, 1));
    merge(a, b);
    boardOf(a).set(BOARD_KEY.current, x);
    boardOf(b).set(BOARD_KEY.current, y);
    merge(b, a);
    expect(currentTaskId(a)).toBe(currentTaskId(b));
    expect(listTasks(a).queue).toHaveLength(1);
  });

  it('concurrent typing into the same text keeps both people’s characters', () => {
    const { a, b } = pair();
    const id = addTask(a, { title: 'T', why: 'because' }, 1);
    merge(a, b);
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
