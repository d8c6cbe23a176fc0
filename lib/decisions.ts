/**
 * The decision log: immutable, server-stamped records in an append-only Y.Array. A correction is
 * a new record that supersedes an earlier one; status and back links are derived, never stored,
 * so no record is ever edited in place.
 */
import type * as Y from 'yjs';
import { type DecisionRecord, decisionsOf, readRotation } from './doc/schema';
import { type DecisionId, type MemberId, newDecisionId, parseDecisionId, parseMemberId, parseTaskId, type TaskId } from './ids';
import { getMember } from './members';
import { currentTaskId, listTasks } from './task';

/** What a person submits; already validated and normalised at the edge (lib/protocol/decisions.ts). */
export interface DecisionInput {
  title: string;
  rationale: string;
  alternatives?: string;
  consequences?: string;
  supersedes?: DecisionId | null;
}

/** Who and when, supplied by the server (never by the client). */
export interface DecisionStamp {
  now: number;
  authorId: MemberId | null;
  /** Used when there is no member (an API client). */
  authorFallback?: string;
}

export type DecisionStatus = 'accepted' | 'superseded';

export interface DecisionView extends DecisionRecord {
  status: DecisionStatus;
  supersededBy: DecisionId | null;
}

export type AppendError = 'unknown-author' | 'unknown-supersedes' | 'already-superseded';
export type AppendResult = { ok: true; record: DecisionRecord } | { ok: false; reason: AppendError; error: string };

export const API_AUTHOR = 'API client';

/** Builds a stamped record from the input and the doc's task, driver and navigator right now. */
export function stampDecision(doc: Y.Doc, input: DecisionInput, stamp: DecisionStamp, seq: number, id: DecisionId = newDecisionId()): DecisionRecord {
  const rotation = readRotation(doc);
  const nameOf = (m: MemberId | null) => (m ? (getMember(doc, m)?.name ?? null) : null);
  const taskId = currentTaskId(doc);
  return {
    id,
    seq,
    title: input.title,
    rationale: input.rationale,
    alternatives: input.alternatives ?? '',
    consequences: input.consequences ?? '',
    at: stamp.now,
    author: nameOf(stamp.authorId) ?? stamp.authorFallback ?? API_AUTHOR,
    authorId: stamp.authorId,
    taskId,
    taskTitle: taskId ? (listTasks(doc).current?.title ?? null) : null,
    driver: nameOf(rotation.driver),
    navigator: nameOf(rotation.navigator),
    supersedes: input.supersedes ?? null,
  };
}

/**
 * Appends a decision (server side, inside room.transact). Refuses an unknown author, and a
 * supersede target that does not exist or is already superseded, so chains stay linear.
 */
export function appendDecision(doc: Y.Doc, input: DecisionInput, stamp: DecisionStamp): AppendResult {
  if (stamp.authorId && !getMember(doc, stamp.authorId)) return { ok: false, reason: 'unknown-author', error: 'memberId is not a member of this session' };
  if (input.supersedes) {
    const records = readDecisions(doc);
    const target = records.find((r) => r.id === input.supersedes);
    if (!target) return { ok: false, reason: 'unknown-supersedes', error: 'supersedes: no such decision' };
    const by = records.find((r) => r.supersedes === target.id);
    if (by) return { ok: false, reason: 'already-superseded', error: `supersedes: decision ${target.seq} is already superseded by decision ${by.seq}` };
  }
  const seq = lastSeq(doc) + 1;
  const record = stampDecision(doc, input, stamp, seq);
  decisionsOf(doc).push([record]);
  return { ok: true, record };
}

/** The newest valid entry's seq (0 for an empty log); reads from the end, not the whole log. */
function lastSeq(doc: Y.Doc): number {
  const arr = decisionsOf(doc);
  for (let i = arr.length - 1; i >= 0; i--) {
    const r = readDecision(arr.get(i));
    if (r) return r.seq;
  }
  return 0;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Reads one array entry defensively: anything malformed is skipped rather than trusted. */
export function readDecision(raw: unknown): DecisionRecord | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  const id = parseDecisionId(r.id);
  if (!id || typeof r.seq !== 'number' || typeof r.at !== 'number' || typeof r.title !== 'string') return null;
  return {
    id,
    seq: r.seq,
    title: r.title,
    rationale: str(r.rationale),
    alternatives: str(r.alternatives),
    consequences: str(r.consequences),
    at: r.at,
    author: str(r.author),
    authorId: parseMemberId(r.authorId),
    taskId: parseTaskId(r.taskId),
    taskTitle: strOrNull(r.taskTitle),
    driver: strOrNull(r.driver),
    navigator: strOrNull(r.navigator),
    supersedes: parseDecisionId(r.supersedes),
  };
}

/** The records in log order (the array's converged order, identical on every replica). */
export function readDecisions(doc: Y.Doc): DecisionRecord[] {
  return decisionsOf(doc)
    .toArray()
    .flatMap((raw) => {
      const r = readDecision(raw);
      return r ? [r] : [];
    });
}

/**
 * Derives status and links both ways. If concurrent writers ever superseded the same record
 * twice, the first in log order wins, so the answer is the same on every replica.
 */
export function withStatus(records: readonly DecisionRecord[]): DecisionView[] {
  const ids = new Set(records.map((r) => r.id));
  const by = new Map<DecisionId, DecisionId>();
  for (const r of records) {
    if (r.supersedes && ids.has(r.supersedes) && !by.has(r.supersedes)) by.set(r.supersedes, r.id);
  }
  return records.map((r) => {
    const supersededBy = by.get(r.id) ?? null;
    return { ...r, status: supersededBy ? 'superseded' : 'accepted', supersededBy };
  });
}

export const listDecisions = (doc: Y.Doc): DecisionView[] => withStatus(readDecisions(doc));

/**
 * The newest `n`, newest first (for the live panel), without reading the whole log: whatever
 * supersedes a record comes after it, so the tail alone has the right status for the tail.
 */
export function latestDecisions(doc: Y.Doc, n: number): DecisionView[] {
  const arr = decisionsOf(doc);
  const tail = arr.slice(Math.max(0, arr.length - n)).flatMap((raw) => {
    const r = readDecision(raw);
    return r ? [r] : [];
  });
  return withStatus(tail).reverse();
}

export interface DecisionFilter {
  /** undefined = any task; null = decisions made with no current task. */
  taskId?: TaskId | null;
  /** Case-insensitive words that must all appear in title, rationale, alternatives, consequences or names. */
  query?: string;
  status?: DecisionStatus;
}

export function filterDecisions(views: readonly DecisionView[], f: DecisionFilter): DecisionView[] {
  const words = (f.query ?? '').toLocaleLowerCase().split(/\s+/).filter(Boolean);
  return views.filter((d) => {
    if (f.taskId !== undefined && d.taskId !== f.taskId) return false;
    if (f.status && d.status !== f.status) return false;
    if (words.length === 0) return true;
    const hay = [d.title, d.rationale, d.alternatives, d.consequences, d.author, d.driver ?? '', d.navigator ?? '', d.taskTitle ?? '']
      .join('\n')
      .toLocaleLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** The tasks decisions were made under, in first-seen order (for the filter menu). */
export function decisionTasks(views: readonly DecisionView[]): { taskId: TaskId | null; title: string; count: number }[] {
  const out = new Map<TaskId | null, { taskId: TaskId | null; title: string; count: number }>();
  for (const d of views) {
    const entry = out.get(d.taskId) ?? { taskId: d.taskId, title: d.taskTitle ?? 'No task', count: 0 };
    entry.count++;
    out.set(d.taskId, entry);
  }
  return [...out.values()];
}
