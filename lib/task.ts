/**
 * Tasks: exactly one current task (a single key on the board map, so a second current task is
 * impossible by construction) and a queue ordered by fractional rank.
 *
 * Concurrent transitions from two replicas (complete here, switch there, remove a queued item
 * that another replica just promoted) can leave the key pointing at a finished or deleted task.
 * Readers never treat such a task as current, and `ensureCurrent` promotes the queue head;
 * every replica picks the same head, so repairs from several browsers converge.
 */
import * as Y from 'yjs';
import { BOARD_KEY, boardOf, LIMITS, readRotation, TASK_KEY, type TaskMap, type TaskSummary, tasksOf } from './doc/schema';
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

function readSummary(v: unknown): TaskSummary | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const s = v as Record<string, unknown>;
  const drivers = Array.isArray(s.drivers) ? s.drivers.flatMap((d) => parseMemberId(d) ?? []) : [];
  return {
    turns: num(s.turns) ?? 0,
    spentMs: num(s.spentMs) ?? 0,
    drivers,
    ...(typeof s.switchedReason === 'string' ? { switchedReason: s.switchedReason } : {}),
  };
}

export function readTask(id: TaskId, t: TaskMap): TaskView {
  return {
    id,
    title: text(t.get(TASK_KEY.title)),
    why: text(t.get(TASK_KEY.why)),
    criteria: readCriteria(t),
    createdAt: num(t.get(TASK_KEY.createdAt)) ?? 0,
    startedAt: num(t.get(TASK_KEY.startedAt)),
    doneAt: num(t.get(TASK_KEY.doneAt)),
    startTurn: num(t.get(TASK_KEY.startTurn)),
    summary: readSummary(t.get(TASK_KEY.summary)),
  };
}

function taskMap(doc: Y.Doc, id: TaskId): TaskMap | null {
  const t = tasksOf(doc).get(id);
  return t instanceof Y.Map ? t : null;
}

const isDone = (t: TaskMap) => num(t.get(TASK_KEY.doneAt)) !== null;

export function currentTaskId(doc: Y.Doc): TaskId | null {
  const id = parseTaskId(boardOf(doc).get(BOARD_KEY.current));
  const t = id ? taskMap(doc, id) : null;
  return id && t && !isDone(t) ? id : null;
}

/** Waiting tasks in queue order (rank, ties by id so every replica agrees). */
function queued(doc: Y.Doc): { id: TaskId; t: TaskMap; rank: number }[] {
  const current = currentTaskId(doc);
  const out: { id: TaskId; t: TaskMap; rank: number }[] = [];
  for (const [rawId, t] of tasksOf(doc).entries()) {
    const id = parseTaskId(rawId);
    if (!id || id === current || !(t instanceof Y.Map) || isDone(t)) continue;
    out.push({ id, t, rank: num(t.get(TASK_KEY.rank)) ?? 0 });
  }
  return out.sort((a, b) => a.rank - b.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The current task, the waiting queue in order, and finished tasks (oldest first). */
export function listTasks(doc: Y.Doc): { current: TaskView | null; queue: TaskView[]; done: TaskView[] } {
  const currentId = currentTaskId(doc);
  const currentMap = currentId ? taskMap(doc, currentId) : null;
  const done: TaskView[] = [];
  for (const [rawId, t] of tasksOf(doc).entries()) {
    const id = parseTaskId(rawId);
    if (id && t instanceof Y.Map && isDone(t)) done.push(readTask(id, t));
  }
  done.sort((a, b) => (a.doneAt ?? 0) - (b.doneAt ?? 0));
  return {
    current: currentId && currentMap ? readTask(currentId, currentMap) : null,
    queue: queued(doc).map((q) => readTask(q.id, q.t)),
    done,
  };
}

export interface NewTask {
  title: string;
  why?: string;
  criteria?: string[];
}

function start(doc: Y.Doc, id: TaskId, t: TaskMap, now: number): void {
  boardOf(doc).set(BOARD_KEY.current, id);
  t.set(TASK_KEY.startedAt, now);
  t.set(TASK_KEY.startTurn, readRotation(doc).turn);
}

/** Adds a task to the end of the queue; it becomes current when there is none. */
export function addTask(doc: Y.Doc, input: NewTask, now: number): TaskId {
  const id = newTaskId();
  doc.transact(() => {
    const t = new Y.Map<unknown>();
    t.set(TASK_KEY.title, new Y.Text(input.title.slice(0, LIMITS.taskTitle)));
    t.set(TASK_KEY.why, new Y.Text((input.why ?? '').slice(0, LIMITS.taskWhy)));
    const criteria = new Y.Array<Y.Map<unknown>>();
    criteria.push((input.criteria ?? []).map((c, i) => newCriterion(c, i + 1)));
    t.set(TASK_KEY.criteria, criteria);
    // Past every rank (done ones too): one pass, no sort, so seeding thousands stays linear per add.
    t.set(TASK_KEY.rank, rankAfterAll(Array.from(tasksOf(doc).values(), (x) => (x instanceof Y.Map ? (num(x.get(TASK_KEY.rank)) ?? 0) : 0))));
    t.set(TASK_KEY.createdAt, now);
    tasksOf(doc).set(id, t);
    if (currentTaskId(doc) === null) start(doc, id, t, now);
  });
  return id;
}

/** The live title or "why" text of a task, for collaborative editing. */
export function taskText(doc: Y.Doc, id: TaskId, field: 'title' | 'why'): Y.Text | null {
  const v = taskMap(doc, id)?.get(TASK_KEY[field]);
  return v instanceof Y.Text ? v : null;
}

/** Replaces title and/or why by minimal edits (concurrent typing elsewhere survives). */
export function editTask(doc: Y.Doc, id: TaskId, edit: { title?: string; why?: string }): boolean {
  const title = taskText(doc, id, 'title');
  const why = taskText(doc, id, 'why');
  if (!title || !why) return false;
  doc.transact(() => {
    if (edit.title !== undefined) applyTextChange(title, edit.title.slice(0, LIMITS.taskTitle));
    if (edit.why !== undefined) applyTextChange(why, edit.why.slice(0, LIMITS.taskWhy));
  });
  return true;
}

/** Moves a waiting task to `index` in the queue. */
export function moveTask(doc: Y.Doc, id: TaskId, index: number): boolean {
  const q = queued(doc);
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
export function removeTask(doc: Y.Doc, id: TaskId): boolean {
  if (!queued(doc).some((x) => x.id === id)) return false;
  tasksOf(doc).delete(id);
  return true;
}

/** Totals for the stint that ends now, added to earlier stints of the same task. */
function closeStint(doc: Y.Doc, t: TaskMap, now: number, switchedReason?: string): void {
  const prev = readSummary(t.get(TASK_KEY.summary));
  const rotation = readRotation(doc);
  const startedAt = num(t.get(TASK_KEY.startedAt)) ?? now;
  const startTurn = num(t.get(TASK_KEY.startTurn)) ?? rotation.turn;
  const drivers: MemberId[] = [...(prev?.drivers ?? [])];
  for (const d of [...driversBetween(doc, startedAt, now), rotation.driver]) if (d && !drivers.includes(d)) drivers.push(d);
  const reason = switchedReason ?? prev?.switchedReason;
  const summary: TaskSummary = {
    turns: (prev?.turns ?? 0) + Math.max(0, rotation.turn - startTurn),
    spentMs: (prev?.spentMs ?? 0) + Math.max(0, now - startedAt),
    drivers,
    ...(reason !== undefined ? { switchedReason: reason } : {}),
  };
  t.set(TASK_KEY.summary, summary);
}

export type CompleteResult = { ok: true; done: TaskId; next: TaskId | null } | { ok: false; error: string };

/**
 * Finishes the current task (records its summary) and makes the queue head current.
 * `expected` guards a stale click: when another replica already moved on, nothing happens.
 */
export function completeTask(doc: Y.Doc, now: number, expected?: TaskId): CompleteResult {
  let result: CompleteResult = { ok: false, error: 'there is no current task' };
  doc.transact(() => {
    const id = currentTaskId(doc);
    const t = id ? taskMap(doc, id) : null;
    if (!id || !t) return;
    if (expected && expected !== id) {
      result = { ok: false, error: 'the current task has changed meanwhile' };
      return;
    }
    closeStint(doc, t, now);
    t.set(TASK_KEY.doneAt, now);
    const head = queued(doc)[0];
    if (head) start(doc, head.id, head.t, now);
    else boardOf(doc).set(BOARD_KEY.current, null);
    result = { ok: true, done: id, next: head?.id ?? null };
  });
  return result;
}

export function normalizeReason(raw: unknown): { ok: true; reason: string } | { ok: false; error: string } {
  if (typeof raw !== 'string') return { ok: false, error: 'reason must be a string' };
  const reason = raw.replace(/\p{Cc}/gu, ' ').replace(/\s+/g, ' ').trim();
  if (!reason) return { ok: false, error: 'say why you switch: the reason must not be empty' };
  if (reason.length > SWITCH_REASON_MAX) return { ok: false, error: `reason must be at most ${SWITCH_REASON_MAX} characters` };
  return { ok: true, reason };
}

/**
 * Makes the waiting task `to` current before the current one is done. The reason is required and
 * kept in the switched task's summary; that task goes back to the front of the queue.
 */
export function switchTask(doc: Y.Doc, to: TaskId, rawReason: string, now: number, expected?: TaskId): TaskResult {
  const r = normalizeReason(rawReason);
  if (!r.ok) return r;
  let result: TaskResult = { ok: false, error: 'that task is not waiting in the queue' };
  doc.transact(() => {
    const q = queued(doc);
    const target = q.find((x) => x.id === to);
    if (!target) return;
    const id = currentTaskId(doc);
    if (expected && expected !== id) {
      result = { ok: false, error: 'the current task has changed meanwhile' };
      return;
    }
    const old = id ? taskMap(doc, id) : null;
    if (old) {
      closeStint(doc, old, now, r.reason);
      old.delete(TASK_KEY.startedAt);
      old.delete(TASK_KEY.startTurn);
      old.set(TASK_KEY.rank, rankAt(q.filter((x) => x !== target).map((x) => x.rank), 0));
    }
    start(doc, target.id, target.t, now);
    result = { ok: true };
  });
  return result;
}

const clip = (s: string, max: number) => ([...s].length > max ? `${[...s].slice(0, max - 1).join('')}…` : s);
/** Task titles quoted in a decision title are clipped so the decision title stays within its cap. */
const QUOTED_TITLE_MAX = 80;

/**
 * The decision-log entry for a switch (title, rationale, alternatives), so the reason is also
 * reviewed with the session's other decisions. Plain text; the log's own parser caps it again.
 */
export function switchDecision(from: string, to: string, reason: string): { title: string; rationale: string; alternatives: string } {
  return {
    title: `Switched to “${clip(to, QUOTED_TITLE_MAX)}” before finishing “${clip(from, QUOTED_TITLE_MAX)}”`,
    rationale: reason,
    alternatives: `Finish “${from}” first.`,
  };
}

/**
 * Repairs the board after concurrent transitions: when nothing valid is current but tasks are
 * waiting, the queue head becomes current. Returns true when it wrote something.
 */
export function ensureCurrent(doc: Y.Doc, now: number): boolean {
  if (currentTaskId(doc) !== null) return false;
  const head = queued(doc)[0];
  if (head) {
    doc.transact(() => start(doc, head.id, head.t, now));
    return true;
  }
  // Clear a dangling pointer to a finished or removed task.
  if (boardOf(doc).get(BOARD_KEY.current) != null) {
    boardOf(doc).set(BOARD_KEY.current, null);
    return true;
  }
  return false;
}
