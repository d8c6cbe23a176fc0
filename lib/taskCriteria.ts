/**
 * Acceptance criteria of a task: a Y.Array of Y.Maps, each with a Y.Text so several people can
 * type into one criterion at once. Order is a fractional `rank`, never the array position, so a
 * reorder does not recreate the map (which would drop whatever someone was typing into it).
 */
import * as Y from 'yjs';
import { CRITERION_KEY, LIMITS, type SessionDocs, TASK_KEY, type TaskMap, tasksOf } from './doc/schema';
import { newTaskId, type TaskId } from './ids';
import { rankAfterAll, rankAt } from './rank';
import { applyTextChange } from './textDiff';

/** More criteria than this stops being a checklist a mob can hold in its head. */
export const MAX_CRITERIA = LIMITS.criteria;

export interface CriterionView {
  id: string;
  text: string;
  done: boolean;
}

type CriterionMap = Y.Map<unknown>;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string => (v instanceof Y.Text ? v.toString() : typeof v === 'string' ? v : '');

function criteriaArray(t: TaskMap): Y.Array<unknown> | null {
  const c = t.get(TASK_KEY.criteria);
  return c instanceof Y.Array ? c : null;
}

/** Criterion maps in display order (rank, then array position for maps written without one). */
function ordered(t: TaskMap): { map: CriterionMap; rank: number }[] {
  const arr = criteriaArray(t);
  if (!arr) return [];
  return arr
    .toArray()
    .flatMap((c, i) => (c instanceof Y.Map ? [{ map: c as CriterionMap, rank: num(c.get(CRITERION_KEY.rank)) ?? i, i }] : []))
    .sort((a, b) => a.rank - b.rank || a.i - b.i);
}

/** The criteria in display order; an entry without an id is skipped (never thrown). */
export function readCriteria(t: TaskMap): CriterionView[] {
  return ordered(t).flatMap(({ map }) => {
    const id = map.get(CRITERION_KEY.id);
    if (typeof id !== 'string' || id.length === 0) return [];
    return [{ id, text: str(map.get(CRITERION_KEY.text)), done: map.get(CRITERION_KEY.done) === true }];
  });
}

export function newCriterion(text: string, rank: number): CriterionMap {
  const m = new Y.Map<unknown>();
  m.set(CRITERION_KEY.id, newTaskId());
  m.set(CRITERION_KEY.text, new Y.Text(text.slice(0, LIMITS.criterion)));
  m.set(CRITERION_KEY.done, false);
  m.set(CRITERION_KEY.rank, rank);
  return m;
}

function taskMap(docs: SessionDocs, taskId: TaskId): TaskMap | null {
  const t = tasksOf(docs).get(taskId);
  return t instanceof Y.Map ? (t as TaskMap) : null;
}

function find(docs: SessionDocs, taskId: TaskId, id: string): CriterionMap | null {
  const t = taskMap(docs, taskId);
  return (t && ordered(t).find((c) => c.map.get(CRITERION_KEY.id) === id)?.map) ?? null;
}

export type CriterionResult = { ok: true; id: string } | { ok: false; error: string };

/** Adds a criterion at the end; the text is trimmed, must not be empty and is capped. */
export function addCriterion(docs: SessionDocs, taskId: TaskId, raw: string): CriterionResult {
  const t = taskMap(docs, taskId);
  if (!t) return { ok: false, error: 'no such task' };
  const text = raw.trim();
  if (!text) return { ok: false, error: 'criterion must not be empty' };
  if (text.length > LIMITS.criterion) return { ok: false, error: `criterion must be at most ${LIMITS.criterion} characters` };
  const list = ordered(t);
  if (list.length >= MAX_CRITERIA) return { ok: false, error: `at most ${MAX_CRITERIA} criteria` };
  let arr = criteriaArray(t);
  const m = newCriterion(text, rankAfterAll(list.map((c) => c.rank)));
  docs.shared.transact(() => {
    if (!arr) {
      arr = new Y.Array<unknown>();
      t.set(TASK_KEY.criteria, arr);
    }
    arr.push([m]);
  });
  return { ok: true, id: String(m.get(CRITERION_KEY.id)) };
}

/** The live text of a criterion, for collaborative editing. */
export function criterionText(docs: SessionDocs, taskId: TaskId, id: string): Y.Text | null {
  const t = find(docs, taskId, id)?.get(CRITERION_KEY.text);
  return t instanceof Y.Text ? t : null;
}

export function editCriterion(docs: SessionDocs, taskId: TaskId, id: string, text: string): boolean {
  const y = criterionText(docs, taskId, id);
  if (!y) return false;
  applyTextChange(y, text.slice(0, LIMITS.criterion));
  return true;
}

export function setCriterionDone(docs: SessionDocs, taskId: TaskId, id: string, done: boolean): boolean {
  const m = find(docs, taskId, id);
  if (!m) return false;
  m.set(CRITERION_KEY.done, done);
  return true;
}

/** Moves a criterion to `index` in display order. */
export function moveCriterion(docs: SessionDocs, taskId: TaskId, id: string, index: number): boolean {
  const t = taskMap(docs, taskId);
  if (!t) return false;
  const list = ordered(t);
  const me = list.find((c) => c.map.get(CRITERION_KEY.id) === id);
  if (!me) return false;
  const others = list.filter((c) => c !== me).map((c) => c.rank);
  me.map.set(CRITERION_KEY.rank, rankAt(others, index));
  return true;
}

export function removeCriterion(docs: SessionDocs, taskId: TaskId, id: string): boolean {
  const t = taskMap(docs, taskId);
  const arr = t && criteriaArray(t);
  if (!arr) return false;
  const i = arr.toArray().findIndex((c) => c instanceof Y.Map && c.get(CRITERION_KEY.id) === id);
  if (i < 0) return false;
  arr.delete(i, 1);
  return true;
}
