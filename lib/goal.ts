/**
 * mob.sh's "goal" is Mobflow's current task: `mob goal` shows its title, `mob goal <text>` sets it,
 * `mob goal --delete` clears it. What setting means, decided by what a mob expects:
 *
 * - No current task: the goal becomes the current task (a waiting task of that very title is taken
 *   from the queue rather than duplicated).
 * - A current task: its title is changed. timer.mob.sh keeps one goal and overwrites it, so teams
 *   use `mob goal` to reword what they are doing, not to start something else; the task keeps its
 *   criteria, time spent, turns and decisions. The old title is not lost: the server logs the
 *   change as a decision (the caller does, with its author).
 * - Clearing finishes the current task (its time and turns are recorded, the queue's head becomes
 *   current): in Mobflow a goal goes away by being done, and Done tasks can be reopened.
 */
import { clip } from './delivery/clean';
import { LIMITS, type SessionDocs } from './doc/schema';
import type { TaskId } from './ids';
import { addTask, completeTask, currentTaskId, editTask, listTasks, switchBoard, taskText } from './task';

export type GoalSet =
  | { kind: 'created'; taskId: TaskId; title: string }
  | { kind: 'picked'; taskId: TaskId; title: string }
  | { kind: 'renamed'; taskId: TaskId; title: string; was: string }
  | { kind: 'unchanged'; taskId: TaskId; title: string };

export type GoalCleared = { kind: 'done'; taskId: TaskId; title: string } | { kind: 'none' };

const same = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

/** The current task's title, or null when there is none (or it is blank). */
export function readGoal(docs: SessionDocs): string | null {
  const id = currentTaskId(docs);
  const title = id ? (taskText(docs, id, 'title')?.toString().trim() ?? '') : '';
  return title.length > 0 ? title : null;
}

/** Sets the goal (inside room.transact); `goal` is already cleaned (lib/mobsh.ts parseGoalPut). */
export function setGoal(docs: SessionDocs, goal: string, now: number): GoalSet {
  // A task title holds fewer characters than a timer.mob.sh goal (200 against 256).
  const title = clip(goal, LIMITS.taskTitle);
  const current = currentTaskId(docs);
  if (current) {
    const was = taskText(docs, current, 'title')?.toString() ?? '';
    if (was === title) return { kind: 'unchanged', taskId: current, title };
    editTask(docs, current, { title });
    return { kind: 'renamed', taskId: current, title, was };
  }
  const waiting = listTasks(docs).queue.find((t) => same(t.title.trim(), title));
  // Nothing is current, so no stint closes and the reason is not recorded anywhere.
  if (waiting) {
    switchBoard(docs, waiting.id, '', now);
    return { kind: 'picked', taskId: waiting.id, title: waiting.title };
  }
  const taskId = addTask(docs, { title }, now);
  switchBoard(docs, taskId, '', now);
  return { kind: 'created', taskId, title };
}

/** Clears the goal (inside room.transact): the current task is finished. */
export function clearGoal(docs: SessionDocs, now: number): GoalCleared {
  const id = currentTaskId(docs);
  if (!id) return { kind: 'none' };
  const title = taskText(docs, id, 'title')?.toString() ?? '';
  const r = completeTask(docs, now, id);
  return r.ok ? { kind: 'done', taskId: id, title } : { kind: 'none' };
}
