/**
 * The session's delivery log: CI/CD events in the server document's `delivery` array, append-only,
 * each stamped by the server with when it arrived and the task that was current at that moment.
 *
 * Only transitions are kept: a delivery already in the log (same dedupe key: a redelivery or a
 * retry) and a status a run already has (GitLab fires one hook per change, GitHub sends
 * `check_suite` and `workflow_run` for the same run) add nothing. The check is made inside the
 * server's transaction, against the document itself, so it holds across restarts and against two
 * copies of one delivery arriving at once.
 *
 * Readers are total: a malformed entry is skipped, never thrown on (the document arrives from the
 * network on every client).
 */
import { deliveryOf, type SessionDocs } from '../doc/schema';
import { parseTaskId, type TaskId } from '../ids';
import { currentTaskId, taskText } from '../task';
import { checkDeliveryEvent, type DeliveryEvent } from './event';

/** One stored event: the normalised record plus what the server knew when it arrived. */
export interface DeliveryEntry extends DeliveryEvent {
  /** Server clock when it was appended (ms). */
  receivedAt: number;
  /** The task that was current when it arrived (a snapshot: a later rename does not rewrite it). */
  taskId: TaskId | null;
  taskTitle: string | null;
}

export type AppendDeliveryResult =
  | { kind: 'appended'; entry: DeliveryEntry; previous: DeliveryEntry | null }
  /** This delivery is already in the log. */
  | { kind: 'duplicate' }
  /** Its run already has this status: not a transition. */
  | { kind: 'unchanged' };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Entries already read, by the stored object: the array is append-only and its JSON entries are
 * never changed in place, so a page re-reading the log on every keystroke parses each entry once.
 */
const readCache = new WeakMap<object, DeliveryEntry | null>();

/** One entry as stored, or null when it is not one. */
export function readDeliveryEntry(raw: unknown): DeliveryEntry | null {
  if (!isObject(raw)) return null;
  const cached = readCache.get(raw);
  if (cached !== undefined) return cached;
  const entry = parseEntry(raw);
  readCache.set(raw, entry);
  return entry;
}

function parseEntry(raw: Record<string, unknown>): DeliveryEntry | null {
  const { receivedAt, taskId, taskTitle, ...event } = raw;
  if (!finite(receivedAt)) return null;
  const checked = checkDeliveryEvent(event);
  if (!checked.ok) return null;
  return { ...checked.event, receivedAt, taskId: parseTaskId(taskId), taskTitle: typeof taskTitle === 'string' ? taskTitle : null };
}

/** Every well-formed entry, in log order. */
export function readDeliveries(docs: SessionDocs): DeliveryEntry[] {
  return deliveryOf(docs)
    .toArray()
    .flatMap((raw) => readDeliveryEntry(raw) ?? []);
}

/** The newest `n` well-formed entries, newest first, without reading the whole log. */
export function latestDeliveries(docs: SessionDocs, n: number): DeliveryEntry[] {
  const arr = deliveryOf(docs);
  return arr
    .slice(Math.max(0, arr.length - n))
    .flatMap((raw) => readDeliveryEntry(raw) ?? [])
    .reverse();
}

/**
 * The run's entry that says where it stands now: the latest by the provider's time, ties going to
 * the later arrival (webhooks can arrive out of order; a late "running" must not undo "success").
 */
export function latestOfRun(entries: readonly DeliveryEntry[], runKey: string): DeliveryEntry | null {
  let best: DeliveryEntry | null = null;
  for (const e of entries) if (e.runKey === runKey && (!best || e.occurredAt >= best.occurredAt)) best = e;
  return best;
}

/**
 * Appends an event with the server's stamp (inside room.transact, so the current task is the one
 * at this moment), unless it is a duplicate or no transition (see the file comment).
 */
export function appendDelivery(docs: SessionDocs, event: DeliveryEvent, now: number): AppendDeliveryResult {
  const entries = readDeliveries(docs);
  if (entries.some((e) => e.dedupeKey === event.dedupeKey)) return { kind: 'duplicate' };
  const previous = latestOfRun(entries, event.runKey);
  if (previous && previous.status === event.status) return { kind: 'unchanged' };
  const taskId = currentTaskId(docs);
  const entry: DeliveryEntry = {
    ...event,
    receivedAt: now,
    taskId,
    taskTitle: taskId ? (taskText(docs, taskId, 'title')?.toString() ?? null) : null,
  };
  deliveryOf(docs).push([entry]);
  return { kind: 'appended', entry, previous };
}
