/**
 * Tasks. The text of a task (title, why, criteria) and the queue order live in the shared
 * document, where the whole mob types together; what happened to it (which one is current, when it
 * started, when it was finished and what it took) is written by the server alone in the server
 * document, so history cannot be rewritten from a browser.
 *
 * Exactly one task is current: a single key on the server's board. Clients add, edit, reorder and
 * remove waiting tasks; the server makes the queue head current when nothing is (settleBoard),
 * and finishes, switches and reopens tasks on request (server/realtime/tasks.ts, the HTTP API).
 */
import * as Y from 'yjs';
import {
  BOARD_KEY,
  boardOf,
  LIMITS,
  progressOf,
  readRotation,
  type SessionDocs,
  TASK_KEY,
  type TaskMap,
  type TaskProgress,
  type TaskSummary,
  tasksOf,
} from './doc/schema';
import { type MemberId, newTaskId, parseMemberId, parseTaskId, type TaskId } from './ids';
import { rankAfterAll, rankAt } from './rank';
import { type CriterionView, newCriterion, readCriteria } from './taskCriteria';
import { driversBetween } from './taskSummary';
import { applyTextChange } from './textDiff';

export type { CriterionView } from './taskCriteria';

/** Why the current task was switched: a sentence or two, not an essay. */
export const SWITCH_REASON_MAX = 500;

export interface TaskView {
  id: TaskId;
  title: string;
  why: string;
  criteria: CriterionView[];
  createdAt: number;
  startedAt: number | null;
  doneAt: number | null;
  /** The rotation turn when it became current (turns so far = rotation turn - this). */
  startTurn: number | null;
  /** Written when the task stops being current (done or switched away); totals over all its stints. */
  summary: TaskSummary | null;
}

export type TaskResult = { ok: true } | { ok: false; error: string };

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const text = (v: unknown): string => (v instanceof Y.Text ? v.toString() : typeof v === 'string' ? v : '');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A task summary as stored, each field checked; null when it is not one. */
export function readSummary(v: unknown): TaskSummary | null {
  if (!isObject(v)) return null;
  const drivers = Array.isArray(v.drivers) ? v.drivers.flatMap((d) => parseMemberId(d) ?? []) : [];
  return {
    turns: num(v.turns) ?? 0,
    spentMs: num(v.spentMs) ?? 0,
    drivers,
    ...(typeof v.switchedReason === 'string' ? { switchedReason: v.switchedReason } : {}),
  };
}

const NO_PROGRESS: TaskProgress = { startedAt: null, startTurn: null, doneAt: null, summary: null, doneTitle: null };

/** The server's record of a task (all nulls when it has none or it is malformed). */
export function readProgress(docs: SessionDocs, id: TaskId): TaskProgress {
  const raw = progressOf(docs).get(id);
  if (!isObject(raw)) return NO_PROGRESS;
  return {
    startedAt: num(raw.startedAt),
    startTurn: num(raw.startTurn),
    doneAt: num(raw.doneAt),
    summary: readSummary(raw.summary),
    doneTitle: typeof raw.doneTitle === 'string' ? raw.doneTitle : null,
  };
}

function writeProgress(docs: SessionDocs, id: TaskId, patch: Partial<TaskProgress>): void {
  progressOf(docs).set(id, { ...readProgress(docs, id), ...patch });
}

/** The task's map in the shared document, when it is one a reader can use. */
function taskMap(docs: SessionDocs, id: TaskId): TaskMap | null {
  const t = tasksOf(docs).get(id);
  return t instanceof Y.Map && t.get(TASK_KEY.title) instanceof Y.Text ? (t as TaskMap) : null;
}

function readTask(docs: SessionDocs, id: TaskId, t: TaskMap | null): TaskView {
  const p = readProgress(docs, id);
  return {
    id,
    title: t ? text(t.get(TASK_KEY.title)) : (p.doneTitle ?? ''),
    why: t ? text(t.get(TASK_KEY.why)) : '',
    criteria: t ? readCriteria(t) : [],
    createdAt: t ? (num(t.get(TASK_KEY.createdAt)) ?? 0) : 0,
    startedAt: p.startedAt,
    doneAt: p.doneAt,
    startTurn: p.startTurn,
    summary: p.summary,
  };
}

const isDone = (docs: SessionDocs, id: TaskId) => readProgress(docs, id).doneAt !== null;

export function currentTaskId(docs: SessionDocs): TaskId | null {
  const id = parseTaskId(boardOf(docs).get(BOARD_KEY.current));
  return id && taskMap(docs, id) && !isDone(docs, id) ? id : null;
}

/** Waiting tasks in queue order (rank, ties by id so every replica agrees). */
function queued(docs: SessionDocs): { id: TaskId; t: TaskMap; rank: number }[] {
  const current = currentTaskId(docs);
  const out: { id: TaskId; t: TaskMap; rank: number }[] = [];
  for (const rawId of tasksOf(docs).keys()) {
    const id = parseTaskId(rawId);
    const t = id ? taskMap(docs, id) : null;
    if (!id || !t || id === current || isDone(docs, id)) continue;
    out.push({ id, t, rank: num(t.get(TASK_KEY.rank)) ?? 0 });
  }
  return out.sort((a, b) => a.rank - b.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The current task, the waiting queue in order, and finished tasks (oldest first). */
export function listTasks(docs: SessionDocs): { current: TaskView | null; queue: TaskView[]; done: TaskView[] } {
  const currentId = currentTaskId(docs);
  const done: TaskView[] = [];
  for (const rawId of progressOf(docs).keys()) {
    const id = parseTaskId(rawId);
    if (id && isDone(docs, id)) done.push(readTask(docs, id, taskMap(docs, id)));
  }
  done.sort((a, b) => (a.doneAt ?? 0) - (b.doneAt ?? 0));
  return {
    current: currentId ? readTask(docs, currentId, taskMap(docs, currentId)) : null,
    queue: queued(docs).map((q) => readTask(docs, q.id, q.t)),
    done,
  };
}

/** What a client may do to a task: only waiting tasks can be removed (the rest is history). */
export function isWaiting(docs: SessionDocs, id: TaskId): boolean {
  return queued(docs).some((q) => q.id === id);
}

export interface NewTask {
  title: string;
  why?: string;
  criteria?: string[];
}

/** Adds a task to the end of the queue (shared document); the server makes it current when none is. */
export function addTask(docs: SessionDocs, input: NewTask, now: number): TaskId {
  const id = newTaskId();
  docs.shared.transact(() => {
    const t = new Y.Map<unknown>();
    t.set(TASK_KEY.title, new Y.Text(input.title.slice(0, LIMITS.taskTitle)));
    t.set(TASK_KEY.why, new Y.Text((input.why ?? '').slice(0, LIMITS.taskWhy)));
    const criteria = new Y.Array<Y.Map<unknown>>();
    criteria.push((input.criteria ?? []).slice(0, LIMITS.criteria).map((c, i) => newCriterion(c, i + 1)));
    t.set(TASK_KEY.criteria, criteria);
    // Past every rank (done ones too): one pass, no sort, so seeding thousands stays linear per add.
    t.set(TASK_KEY.rank, rankAfterAll(Array.from(tasksOf(docs).values(), (x) => (x instanceof Y.Map ? (num(x.get(TASK_KEY.rank)) ?? 0) : 0))));
    t.set(TASK_KEY.createdAt, now);
    tasksOf(docs).set(id, t);
  });
  return id;
}

/** The live title or "why" text of a task, for collaborative editing. */
export function taskText(docs: SessionDocs, id: TaskId, field: 'title' | 'why'): Y.Text | null {
  const v = taskMap(docs, id)?.get(TASK_KEY[field]);
  return v instanceof Y.Text ? v : null;
}

/** Replaces title and/or why by minimal edits (concurrent typing elsewhere survives). */
export function editTask(docs: SessionDocs, id: TaskId, edit: { title?: string; why?: string }): boolean {
  const title = taskText(docs, id, 'title');
  const why = taskText(docs, id, 'why');
  if (!title || !why) return false;
  docs.shared.transact(() => {
    if (edit.title !== undefined) applyTextChange(title, edit.title.slice(0, LIMITS.taskTitle));
    if (edit.why !== undefined) applyTextChange(why, edit.why.slice(0, LIMITS.taskWhy));
  });
  return true;
}

/** Moves a waiting task to `index` in the queue. */
export function moveTask(docs: SessionDocs, id: TaskId, index: number): boolean {
  const q = queued(docs);
  const me = q.find((x) => x.id === id);
  if (!me) return false;
  me.t.set(
    TASK_KEY.rank,
    rankAt(
      q.filter((x) => x !== me).map((x) => x.rank),
      index,
    ),
  );
  return true;
}

/** Removes a waiting task (the current and finished ones are history, not queue). */
export function removeTask(docs: SessionDocs, id: TaskId): boolean {
  if (!isWaiting(docs, id)) return false;
  tasksOf(docs).delete(id);
  return true;
}

// ---- Server writes: the board and each task's progress (inside the room's server transaction) ----

function start(docs: SessionDocs, id: TaskId, now: number): void {
  boardOf(docs).set(BOARD_KEY.current, id);
  writeProgress(docs, id, { startedAt: now, startTurn: readRotation(docs).turn });
}

/** Totals for the stint that ends now, added to earlier stints of the same task. */
function closeStint(docs: SessionDocs, id: TaskId, now: number, switchedReason?: string): TaskSummary {
  const p = readProgress(docs, id);
  const rotation = readRotation(docs);
  const startedAt = p.startedAt ?? now;
  const drivers: MemberId[] = [...(p.summary?.drivers ?? [])];
  for (const d of [...driversBetween(docs, startedAt, now), rotation.driver]) if (d && !drivers.includes(d)) drivers.push(d);
  const reason = switchedReason ?? p.summary?.switchedReason;
  return {
    turns: (p.summary?.turns ?? 0) + Math.max(0, rotation.turn - (p.startTurn ?? rotation.turn)),
    spentMs: (p.summary?.spentMs ?? 0) + Math.max(0, now - startedAt),
    drivers,
    ...(reason !== undefined ? { switchedReason: reason } : {}),
  };
}

/** Read-only: whether settleBoard would write (nothing valid is current but something is waiting, or a dangling pointer). */
export function boardNeedsSettling(docs: SessionDocs): boolean {
  if (currentTaskId(docs) !== null) return false;
  return queued(docs).length > 0 || boardOf(docs).get(BOARD_KEY.current) != null;
}

/**
 * Repairs the board: when nothing valid is current but tasks are waiting, the queue head becomes
 * current; a pointer to a finished or removed task is cleared. Returns true when it wrote something.
 */
export function settleBoard(docs: SessionDocs, now: number): boolean {
  if (currentTaskId(docs) !== null) return false;
  const head = queued(docs)[0];
  if (head) {
    start(docs, head.id, now);
    return true;
  }
  if (boardOf(docs).get(BOARD_KEY.current) != null) {
    boardOf(docs).set(BOARD_KEY.current, null);
    return true;
  }
  return false;
}

export type CompleteResult = { ok: true; done: TaskId; next: TaskId | null } | { ok: false; error: string };

/**
 * Finishes the current task (records its summary) and makes the queue head current.
 * `expected` guards a stale click: when the board already moved on, nothing happens.
 */
export function completeTask(docs: SessionDocs, now: number, expected?: TaskId): CompleteResult {
  const id = currentTaskId(docs);
  if (!id) return { ok: false, error: 'there is no current task' };
  if (expected && expected !== id) return { ok: false, error: 'the current task has changed meanwhile' };
  const title = taskText(docs, id, 'title')?.toString() ?? '';
  writeProgress(docs, id, { summary: closeStint(docs, id, now), doneAt: now, doneTitle: title });
  const head = queued(docs)[0];
  if (head) start(docs, head.id, now);
  else boardOf(docs).set(BOARD_KEY.current, null);
  return { ok: true, done: id, next: head?.id ?? null };
}

/**
 * Takes a finished task back: it waits in the queue again at its old place (or becomes current when
 * nothing is), and its totals carry on from where they stopped. With `current` (the undo of "Mark
 * done"), it becomes current again and the task that took over waits at the front of the queue,
 * as if it had not started.
 */
export function reopenTask(docs: SessionDocs, id: TaskId, now: number, current = false): TaskResult {
  if (!taskMap(docs, id)) return { ok: false, error: 'no such task' };
  if (!isDone(docs, id)) return { ok: false, error: 'that task is not finished' };
  writeProgress(docs, id, { doneAt: null, doneTitle: null, startedAt: null, startTurn: null });
  if (current) {
    const other = currentTaskId(docs);
    if (other) writeProgress(docs, other, { startedAt: null, startTurn: null });
    start(docs, id, now);
  } else settleBoard(docs, now);
  return { ok: true };
}

export function normalizeReason(raw: unknown): { ok: true; reason: string } | { ok: false; error: string } {
  if (typeof raw !== 'string') return { ok: false, error: 'reason must be a string' };
  const reason = raw.replace(/\p{Cc}/gu, ' ').replace(/\s+/g, ' ').trim();
  if (!reason) return { ok: false, error: 'say why you switch: the reason must not be empty' };
  if (reason.length > SWITCH_REASON_MAX) return { ok: false, error: `reason must be at most ${SWITCH_REASON_MAX} characters` };
  return { ok: true, reason };
}

/**
 * The board part of a switch (see lib/taskSwitch.ts for the whole step): makes the waiting task
 * `to` current; the current one keeps the reason in its summary and goes back to the front of the
 * queue. Returns the task switched away from.
 */
export function switchBoard(docs: SessionDocs, to: TaskId, reason: string, now: number, expected?: TaskId): { ok: true; from: TaskId | null } | { ok: false; error: string } {
  const q = queued(docs);
  const target = q.find((x) => x.id === to);
  if (!target) return { ok: false, error: 'that task is not waiting in the queue' };
  const from = currentTaskId(docs);
  if (expected && expected !== from) return { ok: false, error: 'the current task has changed meanwhile' };
  const old = from ? taskMap(docs, from) : null;
  if (from && old) {
    writeProgress(docs, from, { summary: closeStint(docs, from, now, reason), startedAt: null, startTurn: null });
    old.set(TASK_KEY.rank, rankAt(q.filter((x) => x !== target).map((x) => x.rank), 0));
  }
  start(docs, target.id, now);
  return { ok: true, from };
}
