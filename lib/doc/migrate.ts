/**
 * Reads a session stored before the split into two documents (LEGACY in schema.ts) and copies what
 * is well formed into a fresh SessionDocs: roster and task text into the shared document, meta,
 * rotation, turns, decisions, the board and each task's progress into the server document.
 * Anything malformed (a client once could write junk into any root) is left behind, so a session
 * poisoned before the split loads clean.
 */
import * as Y from 'yjs';
import { readDecision } from '../decisions';
import { readSummary } from '../task';
import { parseMemberId, parseTaskId } from '../ids';
import { normalizeName } from '../memberName';
import {
  BOARD_KEY,
  boardOf,
  CRITERION_KEY,
  LEGACY,
  LIMITS,
  MEMBER_KEY,
  META_KEY,
  membersOf,
  metaOf,
  parseTurn,
  progressOf,
  ROTATION_KEY,
  readRotation,
  readSettings,
  rotationOf,
  type SessionDocs,
  TASK_KEY,
  type TaskProgress,
  tasksOf,
  turnsOf,
  decisionsOf,
} from './schema';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const text = (v: unknown): string => (v instanceof Y.Text ? v.toString() : typeof v === 'string' ? v : '');
const clip = (s: string, max: number) => [...s].slice(0, max).join('');

/** A legacy document seen through the new accessors (its roots have the same names). */
const asDocs = (legacy: Y.Doc): SessionDocs => ({ shared: legacy, server: legacy });

/** The two documents a legacy session becomes; `gc` as the server's own documents use. */
export function splitLegacyDoc(legacy: Y.Doc): SessionDocs {
  const docs: SessionDocs = { shared: new Y.Doc({ gc: true }), server: new Y.Doc({ gc: true }) };
  const old = asDocs(legacy);
  docs.shared.transact(() => copyMembers(legacy, docs));
  docs.shared.transact(() => copyTaskText(legacy, docs));
  docs.server.transact(() => {
    const meta = legacy.getMap<unknown>(LEGACY.root.meta);
    const name = meta.get(META_KEY.name);
    metaOf(docs).set(META_KEY.name, typeof name === 'string' ? clip(name, LIMITS.sessionName) : 'Mob session');
    metaOf(docs).set(META_KEY.createdAt, num(meta.get(META_KEY.createdAt)) ?? 0);
    metaOf(docs).set(META_KEY.settings, readSettings(old));
    rotationOf(docs).set(ROTATION_KEY.state, readRotation(old));
    turnsOf(docs).push(legacy.getArray(LEGACY.root.turns).toArray().flatMap((t) => parseTurn(t) ?? []));
    decisionsOf(docs).push(legacy.getArray(LEGACY.root.decisions).toArray().flatMap((d) => readDecision(d) ?? []));
    copyProgress(legacy, docs);
    const current = parseTaskId(legacy.getMap<unknown>(LEGACY.root.board).get(BOARD_KEY.current));
    boardOf(docs).set(BOARD_KEY.current, current && tasksOf(docs).has(current) ? current : null);
  });
  return docs;
}

function copyMembers(legacy: Y.Doc, docs: SessionDocs): void {
  for (const [rawId, m] of legacy.getMap<unknown>(LEGACY.root.members).entries()) {
    const id = parseMemberId(rawId);
    if (!id || !(m instanceof Y.Map)) continue;
    const name = normalizeName(m.get(MEMBER_KEY.name));
    if (!name.ok) continue;
    const copy = new Y.Map<unknown>();
    copy.set(MEMBER_KEY.name, name.name);
    copy.set(MEMBER_KEY.rank, num(m.get(MEMBER_KEY.rank)) ?? 0);
    copy.set(MEMBER_KEY.away, m.get(MEMBER_KEY.away) === true);
    copy.set(MEMBER_KEY.joinedAt, num(m.get(MEMBER_KEY.joinedAt)) ?? 0);
    membersOf(docs).set(id, copy);
  }
}

function copyTaskText(legacy: Y.Doc, docs: SessionDocs): void {
  for (const [rawId, t] of legacy.getMap<unknown>(LEGACY.root.tasks).entries()) {
    const id = parseTaskId(rawId);
    if (!id || !(t instanceof Y.Map) || !(t.get(TASK_KEY.title) instanceof Y.Text)) continue;
    const copy = new Y.Map<unknown>();
    copy.set(TASK_KEY.title, new Y.Text(clip(text(t.get(TASK_KEY.title)), LIMITS.taskTitle)));
    copy.set(TASK_KEY.why, new Y.Text(clip(text(t.get(TASK_KEY.why)), LIMITS.taskWhy)));
    const criteria = new Y.Array<Y.Map<unknown>>();
    const old = t.get(TASK_KEY.criteria);
    const kept = (old instanceof Y.Array ? old.toArray() : []).flatMap((c, i) => {
      if (!(c instanceof Y.Map) || typeof c.get(CRITERION_KEY.id) !== 'string') return [];
      const m = new Y.Map<unknown>();
      m.set(CRITERION_KEY.id, clip(String(c.get(CRITERION_KEY.id)), 12));
      m.set(CRITERION_KEY.text, new Y.Text(clip(text(c.get(CRITERION_KEY.text)), LIMITS.criterion)));
      m.set(CRITERION_KEY.done, c.get(CRITERION_KEY.done) === true);
      m.set(CRITERION_KEY.rank, num(c.get(CRITERION_KEY.rank)) ?? i);
      return [m];
    });
    criteria.push(kept.slice(0, LIMITS.criteria));
    copy.set(TASK_KEY.criteria, criteria);
    copy.set(TASK_KEY.rank, num(t.get(TASK_KEY.rank)) ?? 0);
    copy.set(TASK_KEY.createdAt, num(t.get(TASK_KEY.createdAt)) ?? 0);
    tasksOf(docs).set(id, copy);
  }
}

function copyProgress(legacy: Y.Doc, docs: SessionDocs): void {
  for (const [rawId, t] of legacy.getMap<unknown>(LEGACY.root.tasks).entries()) {
    const id = parseTaskId(rawId);
    if (!id || !(t instanceof Y.Map) || !tasksOf(docs).has(id)) continue;
    const k = LEGACY.taskKey;
    const doneAt = num(t.get(k.doneAt));
    const progress: TaskProgress = {
      startedAt: num(t.get(k.startedAt)),
      startTurn: num(t.get(k.startTurn)),
      doneAt,
      summary: readSummary(t.get(k.summary)),
      doneTitle: doneAt !== null ? clip(text(t.get(TASK_KEY.title)), LIMITS.taskTitle) : null,
    };
    if (progress.startedAt !== null || progress.doneAt !== null || progress.summary !== null) progressOf(docs).set(id, progress);
  }
}
