/**
 * The decision log: immutable, server-stamped records in an append-only Y.Array. A correction is
 * a new record that supersedes an earlier one; status and back links are derived, never stored,
 * so no record is ever edited in place.
 */
import { type DecisionRecord, decisionsOf, readRotation, type SessionDocs } from './doc/schema';
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
  /** The task it is filed under: undefined = the current one; null = no task. */
  taskId?: TaskId | null;
  /** Set by the server's own steps only (never from a payload): 'switch' for a task switch's reason. */
  kind?: 'switch';
}

/**
 * Who logged it, from the connection, never from the payload: a member bound to the socket, or a
 * script through the HTTP API, which may only label itself (shown as "<label> (via API)").
 */
export type DecisionAuthor = { kind: 'member'; id: MemberId } | { kind: 'api'; label: string } | { kind: 'server'; label: string };

/** Who and when, supplied by the server (never by the client). */
export interface DecisionStamp {
  now: number;
  author: DecisionAuthor;
  /** What the delivery pipeline showed at `now` (lib/delivery/status.ts), recorded with the decision. */
  delivery?: string | null;
}

export type DecisionStatus = 'accepted' | 'superseded';

export interface DecisionView extends DecisionRecord {
  status: DecisionStatus;
  supersededBy: DecisionId | null;
}

export type AppendError = 'unknown-author' | 'unknown-supersedes' | 'already-superseded' | 'unknown-task';
export type AppendResult = { ok: true; record: DecisionRecord } | { ok: false; reason: AppendError; error: string };

export const API_AUTHOR = 'API client';
export const apiAuthorName = (label: string) => `${label} (via API)`;

/** The task a decision is filed under, and its title now; null when there is none. */
function taskOf(docs: SessionDocs, wanted: TaskId | null | undefined): { id: TaskId; title: string } | null | 'unknown' {
  if (wanted === null) return null;
  const id = wanted ?? currentTaskId(docs);
  if (!id) return null;
  const { current, queue, done } = listTasks(docs);
  const task = [current, ...queue, ...done].find((t) => t?.id === id);
  return task ? { id, title: task.title } : 'unknown';
}

/** Builds a stamped record from the input and the session's task, driver and navigator right now. */
export function stampDecision(docs: SessionDocs, input: DecisionInput, stamp: DecisionStamp, seq: number, id: DecisionId = newDecisionId()): DecisionRecord {
  const rotation = readRotation(docs);
  const nameOf = (m: MemberId | null) => (m ? (getMember(docs, m)?.name ?? null) : null);
  const task = taskOf(docs, input.taskId);
  const filed = task === 'unknown' ? null : task;
  const { author } = stamp;
  return {
    id,
    seq,
    title: input.title,
    rationale: input.rationale,
    alternatives: input.alternatives ?? '',
    consequences: input.consequences ?? '',
    at: stamp.now,
    author: author.kind === 'member' ? (nameOf(author.id) ?? 'Unknown member') : author.kind === 'api' ? apiAuthorName(author.label) : author.label,
    authorId: author.kind === 'member' ? author.id : null,
    taskId: filed?.id ?? null,
    taskTitle: filed?.title ?? null,
    driver: nameOf(rotation.driver),
    navigator: nameOf(rotation.navigator),
    supersedes: input.supersedes ?? null,
    delivery: stamp.delivery ?? null,
    kind: input.kind ?? null,
  };
}

/**
 * Appends a decision (server side, inside room.transact). Refuses an unknown author, and a
 * supersede target that does not exist or is already superseded, so chains stay linear.
 */
export function appendDecision(docs: SessionDocs, input: DecisionInput, stamp: DecisionStamp): AppendResult {
  if (stamp.author.kind === 'member' && !getMember(docs, stamp.author.id)) return { ok: false, reason: 'unknown-author', error: 'you are not a member of this session (any more): join again' };
  if (taskOf(docs, input.taskId) === 'unknown') return { ok: false, reason: 'unknown-task', error: 'taskId: no such task in this session' };
  if (input.supersedes) {
    const records = readDecisions(docs);
    const target = records.find((r) => r.id === input.supersedes);
    if (!target) return { ok: false, reason: 'unknown-supersedes', error: 'supersedes: no such decision' };
    const by = records.find((r) => r.supersedes === target.id);
    if (by) return { ok: false, reason: 'already-superseded', error: `supersedes: decision ${target.seq} is already superseded by decision ${by.seq}` };
  }
  const seq = lastSeq(docs) + 1;
  const record = stampDecision(docs, input, stamp, seq);
  decisionsOf(docs).push([record]);
  return { ok: true, record };
}

/** The newest valid entry's seq (0 for an empty log); reads from the end, not the whole log. */
function lastSeq(docs: SessionDocs): number {
  const arr = decisionsOf(docs);
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
    delivery: strOrNull(r.delivery),
    kind: r.kind === 'switch' ? 'switch' : null,
  };
}

/** The records in log order (the array's converged order, identical on every replica). */
export function readDecisions(docs: SessionDocs): DecisionRecord[] {
  return decisionsOf(docs)
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

export const listDecisions = (docs: SessionDocs): DecisionView[] => withStatus(readDecisions(docs));

/**
 * The newest `n`, newest first (for the live panel), without reading the whole log: whatever
 * supersedes a record comes after it, so the tail alone has the right status for the tail.
 */
export function latestDecisions(docs: SessionDocs, n: number): DecisionView[] {
  const arr = decisionsOf(docs);
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
