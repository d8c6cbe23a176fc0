/**
 * Tasks: exactly one current task (a single key on the board map, so a second current task is
 * impossible by construction) and a queue ordered by fractional rank.
 */
import * as Y from 'yjs';
import { BOARD_KEY, boardOf, CRITERION_KEY, TASK_KEY, type TaskMap, tasksOf } from './doc/schema';
import { newTaskId, parseTaskId, type TaskId } from './ids';

export interface CriterionView {
  id: string;
  text: string;
  done: boolean;
}

export interface TaskView {
  id: TaskId;
  title: string;
  why: string;
  criteria: CriterionView[];
  createdAt: number;
  startedAt: number | null;
  doneAt: number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const text = (v: unknown): string => (v instanceof Y.Text ? v.toString() : typeof v === 'string' ? v : '');

export function readTask(id: TaskId, t: TaskMap): TaskView {
  const criteria = t.get(TASK_KEY.criteria);
  return {
    id,
    title: text(t.get(TASK_KEY.title)),
    why: text(t.get(TASK_KEY.why)),
    criteria:
      criteria instanceof Y.Array
        ? (criteria.toArray() as unknown[]).flatMap((c) =>
            c instanceof Y.Map
              ? [{ id: String(c.get(CRITERION_KEY.id) ?? ''), text: text(c.get(CRITERION_KEY.text)), done: c.get(CRITERION_KEY.done) === true }]
              : [],
          )
        : [],
    createdAt: num(t.get(TASK_KEY.createdAt)) ?? 0,
    startedAt: num(t.get(TASK_KEY.startedAt)),
    doneAt: num(t.get(TASK_KEY.doneAt)),
  };
}

export function currentTaskId(doc: Y.Doc): TaskId | null {
  const id = parseTaskId(boardOf(doc).get(BOARD_KEY.current));
  return id && tasksOf(doc).has(id) ? id : null;
}

/** The current task, the waiting queue in order, and finished tasks (oldest first). */
export function listTasks(doc: Y.Doc): { current: TaskView | null; queue: TaskView[]; done: TaskView[] } {
  const currentId = currentTaskId(doc);
  let current: TaskView | null = null;
  const queued: { view: TaskView; rank: number }[] = [];
  const done: TaskView[] = [];
  for (const [rawId, t] of tasksOf(doc).entries()) {
    const id = parseTaskId(rawId);
    if (!id || !(t instanceof Y.Map)) continue;
    const view = readTask(id, t);
    if (id === currentId) current = view;
    else if (view.doneAt !== null) done.push(view);
    else queued.push({ view, rank: num(t.get(TASK_KEY.rank)) ?? 0 });
  }
  queued.sort((a, b) => a.rank - b.rank || (a.view.id < b.view.id ? -1 : 1));
  done.sort((a, b) => (a.doneAt ?? 0) - (b.doneAt ?? 0));
  return { current, queue: queued.map((q) => q.view), done };
}

export interface NewTask {
  title: string;
  why?: string;
  criteria?: string[];
}

/** Adds a task to the end of the queue; it becomes current when there is none. */
export function addTask(doc: Y.Doc, input: NewTask, now: number): TaskId {
  const id = newTaskId();
  doc.transact(() => {
    const t = new Y.Map<unknown>();
    t.set(TASK_KEY.title, new Y.Text(input.title));
    t.set(TASK_KEY.why, new Y.Text(input.why ?? ''));
    const criteria = new Y.Array<Y.Map<unknown>>();
    criteria.push(
      (input.criteria ?? []).map((c) => {
        const m = new Y.Map<unknown>();
        m.set(CRITERION_KEY.id, newTaskId());
        m.set(CRITERION_KEY.text, new Y.Text(c));
        m.set(CRITERION_KEY.done, false);
        return m;
      }),
    );
    t.set(TASK_KEY.criteria, criteria);
    const ranks = [...tasksOf(doc).values()].map((x) => num(x.get(TASK_KEY.rank)) ?? 0);
    t.set(TASK_KEY.rank, (ranks.length ? Math.max(...ranks) : 0) + 1);
    t.set(TASK_KEY.createdAt, now);
    tasksOf(doc).set(id, t);
    if (currentTaskId(doc) === null) {
      boardOf(doc).set(BOARD_KEY.current, id);
      t.set(TASK_KEY.startedAt, now);
    }
  });
  return id;
}
