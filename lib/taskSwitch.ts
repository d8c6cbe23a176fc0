/**
 * Switching the current task before it is finished: one step, one server write. The board moves to
 * the chosen task, the task switched away from keeps the reason in its summary and goes back to the
 * front of the queue, and the reason is logged as a decision filed under that task, so it is
 * reviewed with the session's other decisions. Either all of it happens or none of it does.
 */
import type { SessionDocs } from './doc/schema';
import { appendDecision, type DecisionStamp } from './decisions';
import type { DecisionRecord } from './doc/schema';
import type { TaskId } from './ids';
import { listTasks, normalizeReason, switchBoard } from './task';

const clip = (s: string, max: number) => ([...s].length > max ? `${[...s].slice(0, max - 1).join('')}…` : s);
/** Task titles quoted in a decision title are clipped so the decision title stays within its cap. */
const QUOTED_TITLE_MAX = 80;

/** The decision-log entry for a switch (title, rationale, alternatives). Plain text. */
export function switchDecision(from: string, to: string, reason: string): { title: string; rationale: string; alternatives: string } {
  return {
    title: `Switched to “${clip(to, QUOTED_TITLE_MAX)}” before finishing “${clip(from, QUOTED_TITLE_MAX)}”`,
    rationale: reason,
    alternatives: `Finish “${from}” first.`,
  };
}

export interface SwitchRequest {
  to: TaskId;
  reason: string;
  /** The task the caller saw as current: a stale click changes nothing. */
  expected?: TaskId;
}

export type SwitchResult = { ok: true; decision: DecisionRecord | null } | { ok: false; error: string };

/** Runs inside the room's server transaction (both documents), so nothing of it can be half done. */
export function switchTask(docs: SessionDocs, req: SwitchRequest, stamp: DecisionStamp): SwitchResult {
  const r = normalizeReason(req.reason);
  if (!r.ok) return r;
  const before = listTasks(docs);
  const to = before.queue.find((t) => t.id === req.to);
  const board = switchBoard(docs, req.to, r.reason, stamp.now, req.expected);
  if (!board.ok) return board;
  if (!before.current || !to) return { ok: true, decision: null };
  const logged = appendDecision(docs, { ...switchDecision(before.current.title, to.title, r.reason), taskId: before.current.id, kind: 'switch' }, stamp);
  return { ok: true, decision: logged.ok ? logged.record : null };
}
