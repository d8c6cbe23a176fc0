/**
 * The shape of a session's Y.Doc. This is the ONLY file that names root types and keys;
 * everything else reads and writes through the accessors below.
 *
 * Shape (root types):
 *   meta       Y.Map   name, createdAt, settings (plain objects, replaced whole)
 *   members    Y.Map   MemberId -> Y.Map { name, rank, away, joinedAt }
 *   rotation   Y.Map   'state' -> RotationState (plain, written by the server only)
 *   turns      Y.Array TurnRecord (append-only, server)
 *   tasks      Y.Map   TaskId -> Y.Map { title: Y.Text, why: Y.Text, criteria: Y.Array<Y.Map>, ... }
 *   board      Y.Map   'current' -> TaskId | null (one key: a second current task cannot exist)
 *   decisions  Y.Array DecisionRecord (append-only, server)
 *
 * Members are a map keyed by id with a fractional `rank` rather than an array, so concurrent
 * adds, renames, moves and removals from several browsers merge without wiping anyone.
 */
import type * as Y from 'yjs';
import type { DecisionId, MemberId, TaskId } from '../ids';

export const ROOT = {
  meta: 'meta',
  members: 'members',
  rotation: 'rotation',
  turns: 'turns',
  tasks: 'tasks',
  board: 'board',
  decisions: 'decisions',
} as const;

/**
 * Root types only the server writes (server time, roles snapshot, settings through commands).
 * The server refuses client updates that add to or delete from them.
 */
export const SERVER_OWNED_ROOTS: ReadonlySet<string> = new Set([ROOT.meta, ROOT.rotation, ROOT.turns, ROOT.decisions]);

export const META_KEY = { name: 'name', createdAt: 'createdAt', settings: 'settings' } as const;
export const MEMBER_KEY = { name: 'name', rank: 'rank', away: 'away', joinedAt: 'joinedAt' } as const;
export const ROTATION_KEY = { state: 'state' } as const;
export const TASK_KEY = {
  title: 'title',
  why: 'why',
  criteria: 'criteria',
  rank: 'rank',
  createdAt: 'createdAt',
  startedAt: 'startedAt',
  doneAt: 'doneAt',
  summary: 'summary',
  /** readRotation(doc).turn when the task last became current (turns taken = turn at end - this). */
  startTurn: 'startTurn',
} as const;
/** `rank` orders criteria (fractional), so a reorder never moves a Y.Map and loses concurrent typing. */
export const CRITERION_KEY = { id: 'id', text: 'text', done: 'done', rank: 'rank' } as const;
export const BOARD_KEY = { current: 'current' } as const;

export const LIMITS = {
  sessionName: 80,
  memberName: 40,
  taskTitle: 200,
  taskWhy: 2000,
  criterion: 300,
  decisionTitle: 200,
  decisionText: 4000,
  turnSecondsMin: 30,
  turnSecondsMax: 4 * 60 * 60,
} as const;

export interface SessionSettings {
  turnSeconds: number;
  /** 0 = no breaks; otherwise a break after every N turns. */
  breakEvery: number;
  breakSeconds: number;
  autoStart: boolean;
  skipOffline: boolean;
}

export const DEFAULT_SETTINGS: SessionSettings = {
  turnSeconds: 7 * 60,
  breakEvery: 0,
  breakSeconds: 5 * 60,
  autoStart: false,
  skipOffline: true,
};

export type TimerPhase = 'turn' | 'break';

/** Timestamps are server-clock milliseconds; remaining time is always computed, never stored ticking. */
export type TimerState =
  | { status: 'idle' }
  | { status: 'running'; phase: TimerPhase; startedAt: number; durationMs: number; pausedMs: number }
  | { status: 'paused'; phase: TimerPhase; startedAt: number; remainingMs: number; pausedAt: number; pausedMs: number };

export interface RotationState {
  /** Rotations so far. */
  turn: number;
  driver: MemberId | null;
  navigator: MemberId | null;
  timer: TimerState;
}

export const INITIAL_ROTATION: RotationState = { turn: 0, driver: null, navigator: null, timer: { status: 'idle' } };

export type TurnEnd = 'expired' | 'skipped' | 'reset';
export interface TurnRecord {
  turn: number;
  phase: TimerPhase;
  driver: MemberId | null;
  navigator: MemberId | null;
  startedAt: number;
  endedAt: number;
  pausedMs: number;
  end: TurnEnd;
}

export interface TaskSummary {
  turns: number;
  spentMs: number;
  drivers: MemberId[];
  switchedReason?: string;
}

export interface DecisionRecord {
  id: DecisionId;
  /** Server order, 1-based. */
  seq: number;
  title: string;
  rationale: string;
  alternatives: string;
  /** ADR "consequences"; '' when not given. */
  consequences: string;
  at: number;
  /** Names are snapshots taken at `at` (a later rename does not rewrite history). */
  author: string;
  authorId: MemberId | null;
  taskId: TaskId | null;
  taskTitle: string | null;
  driver: string | null;
  navigator: string | null;
  supersedes: DecisionId | null;
}

export type MemberMap = Y.Map<unknown>;
export type TaskMap = Y.Map<unknown>;

export const metaOf = (doc: Y.Doc) => doc.getMap<unknown>(ROOT.meta);
export const membersOf = (doc: Y.Doc) => doc.getMap<MemberMap>(ROOT.members);
export const rotationOf = (doc: Y.Doc) => doc.getMap<unknown>(ROOT.rotation);
export const turnsOf = (doc: Y.Doc) => doc.getArray<TurnRecord>(ROOT.turns);
export const tasksOf = (doc: Y.Doc) => doc.getMap<TaskMap>(ROOT.tasks);
export const boardOf = (doc: Y.Doc) => doc.getMap<unknown>(ROOT.board);
export const decisionsOf = (doc: Y.Doc) => doc.getArray<DecisionRecord>(ROOT.decisions);

export function readSettings(doc: Y.Doc): SessionSettings {
  const raw = metaOf(doc).get(META_KEY.settings);
  return { ...DEFAULT_SETTINGS, ...(isObject(raw) ? (raw as Partial<SessionSettings>) : {}) };
}

export function readRotation(doc: Y.Doc): RotationState {
  const raw = rotationOf(doc).get(ROTATION_KEY.state);
  return isObject(raw) ? (raw as unknown as RotationState) : INITIAL_ROTATION;
}

export function readSessionName(doc: Y.Doc): string {
  const raw = metaOf(doc).get(META_KEY.name);
  return typeof raw === 'string' ? raw : '';
}

/** Writes the initial meta of a new session; a no-op on a doc that already has it. */
export function initSession(doc: Y.Doc, init: { name: string; createdAt: number; settings: SessionSettings }): void {
  doc.transact(() => {
    const meta = metaOf(doc);
    if (meta.has(META_KEY.createdAt)) return;
    meta.set(META_KEY.name, init.name);
    meta.set(META_KEY.createdAt, init.createdAt);
    meta.set(META_KEY.settings, { ...init.settings });
    rotationOf(doc).set(ROTATION_KEY.state, INITIAL_ROTATION);
    boardOf(doc).set(BOARD_KEY.current, null);
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
