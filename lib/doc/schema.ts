/**
 * The shape of a session's two Y.Docs. This is the ONLY file that names root types and keys;
 * everything else reads and writes through the accessors below.
 *
 * A session is two documents (SessionDocs):
 *
 *   shared  written by everyone with the edit link (checked against SHARED_SCHEMA by the server)
 *     members   Y.Map   MemberId -> Y.Map { name, rank, away, joinedAt }
 *     tasks     Y.Map   TaskId -> Y.Map { title: Y.Text, why: Y.Text, criteria: Y.Array<Y.Map>, rank, createdAt }
 *
 *   server  written only by the server; every client receives it read-only (/yjs/<token>/server)
 *     meta      Y.Map   name, createdAt, settings (plain objects, replaced whole)
 *     rotation  Y.Map   'state' -> RotationState
 *     turns     Y.Array TurnRecord (append-only)
 *     decisions Y.Array DecisionRecord (append-only)
 *     board     Y.Map   'current' -> TaskId | null (one key: a second current task cannot exist)
 *     progress  Y.Map   TaskId -> TaskProgress (when it started, finished, what it took)
 *     delivery  Y.Array DeliveryEvent (CI/CD events, append-only)
 *
 * The server never accepts a client update to the server document, so what it holds (time, roles,
 * the log, task history) cannot be forged by construction, whatever an update encodes. Members are
 * a map keyed by id with a fractional `rank` rather than an array, so concurrent adds, renames,
 * moves and removals from several browsers merge without wiping anyone.
 */
import type * as Y from 'yjs';
import type { DecisionId, MemberId, TaskId } from '../ids';

export const SHARED_ROOT = { members: 'members', tasks: 'tasks' } as const;
export const SERVER_ROOT = {
  meta: 'meta',
  rotation: 'rotation',
  turns: 'turns',
  decisions: 'decisions',
  board: 'board',
  progress: 'progress',
  delivery: 'delivery',
} as const;

/**
 * Before the split (2026-12), a session was one document holding every root above, with each
 * task's progress inside its task map. lib/doc/migrate.ts reads such a document once, when a stored
 * session of that shape is loaded, and copies what is well formed into the two documents.
 */
export const LEGACY = {
  root: { ...SHARED_ROOT, ...SERVER_ROOT },
  taskKey: { startedAt: 'startedAt', doneAt: 'doneAt', summary: 'summary', startTurn: 'startTurn' },
} as const;

/** The two documents of a session. */
export interface SessionDocs {
  readonly shared: Y.Doc;
  readonly server: Y.Doc;
}
export type DocKind = keyof SessionDocs;
export const DOC_KINDS: readonly DocKind[] = ['shared', 'server'];

export const META_KEY = { name: 'name', createdAt: 'createdAt', settings: 'settings' } as const;
export const MEMBER_KEY = { name: 'name', rank: 'rank', away: 'away', joinedAt: 'joinedAt' } as const;
export const ROTATION_KEY = { state: 'state' } as const;
export const TASK_KEY = { title: 'title', why: 'why', criteria: 'criteria', rank: 'rank', createdAt: 'createdAt' } as const;
/** `rank` orders criteria (fractional), so a reorder never moves a Y.Map and loses concurrent typing. */
export const CRITERION_KEY = { id: 'id', text: 'text', done: 'done', rank: 'rank' } as const;
export const BOARD_KEY = { current: 'current' } as const;

export const LIMITS = {
  sessionName: 80,
  memberName: 40,
  taskTitle: 200,
  taskWhy: 2000,
  criterion: 300,
  criteria: 50,
  decisionTitle: 200,
  decisionText: 4000,
  turnSecondsMin: 30,
  turnSecondsMax: 4 * 60 * 60,
} as const;

/**
 * What a client may write into the shared document, for the server's update check
 * (server/yjs/sharedCheck.ts). Every map key, value kind and text limit a client edit can produce
 * is listed here; anything else is refused before it touches the document.
 */
export type FieldSpec =
  | { kind: 'string'; max: number; id?: boolean }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'text'; max: number }
  | { kind: 'map'; node: NodeName }
  | { kind: 'array'; of: NodeName; max: number };
export type NodeName = 'member' | 'task' | 'criterion';
export interface MapNodeSpec {
  /** Keys every entry must keep (deleting one without its entry is refused). */
  required: readonly string[];
  fields: Readonly<Record<string, FieldSpec>>;
}
export const SHARED_SCHEMA = {
  /** Root maps: every key is an id of the given kind, every value a nested map node. */
  roots: {
    [SHARED_ROOT.members]: { key: 'member', value: { kind: 'map', node: 'member' } },
    [SHARED_ROOT.tasks]: { key: 'task', value: { kind: 'map', node: 'task' } },
  } as Readonly<Record<string, { key: 'member' | 'task'; value: FieldSpec }>>,
  nodes: {
    member: {
      required: [MEMBER_KEY.name],
      fields: {
        [MEMBER_KEY.name]: { kind: 'string', max: LIMITS.memberName },
        [MEMBER_KEY.rank]: { kind: 'number' },
        [MEMBER_KEY.away]: { kind: 'boolean' },
        [MEMBER_KEY.joinedAt]: { kind: 'number' },
      },
    },
    task: {
      required: [TASK_KEY.title, TASK_KEY.why, TASK_KEY.criteria],
      fields: {
        [TASK_KEY.title]: { kind: 'text', max: LIMITS.taskTitle },
        [TASK_KEY.why]: { kind: 'text', max: LIMITS.taskWhy },
        [TASK_KEY.criteria]: { kind: 'array', of: 'criterion', max: LIMITS.criteria },
        [TASK_KEY.rank]: { kind: 'number' },
        [TASK_KEY.createdAt]: { kind: 'number' },
      },
    },
    criterion: {
      required: [CRITERION_KEY.id, CRITERION_KEY.text],
      fields: {
        [CRITERION_KEY.id]: { kind: 'string', max: 12, id: true },
        [CRITERION_KEY.text]: { kind: 'text', max: LIMITS.criterion },
        [CRITERION_KEY.done]: { kind: 'boolean' },
        [CRITERION_KEY.rank]: { kind: 'number' },
      },
    },
  } as Readonly<Record<NodeName, MapNodeSpec>>,
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

/** The server's record of a task's life; the task's text lives in the shared document. */
export interface TaskProgress {
  /** When its current stint started (null while it waits in the queue). */
  startedAt: number | null;
  /** readRotation(docs).turn when the stint started (turns taken = turn at end - this). */
  startTurn: number | null;
  doneAt: number | null;
  /** Totals over all its stints, written when it is finished or switched away. */
  summary: TaskSummary | null;
  /** The title when it was finished: history keeps it even if the task's text is later removed. */
  doneTitle: string | null;
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
  /** What the pipeline showed when it was logged (e.g. "canary: success"); null when nothing reported. */
  delivery?: string | null;
  /** 'switch': the reason the mob switched away from the task it is filed under (lib/taskSwitch.ts). */
  kind?: 'switch' | null;
}

export type MemberMap = Y.Map<unknown>;
export type TaskMap = Y.Map<unknown>;

export const membersOf = (docs: SessionDocs) => docs.shared.getMap<unknown>(SHARED_ROOT.members);
export const tasksOf = (docs: SessionDocs) => docs.shared.getMap<unknown>(SHARED_ROOT.tasks);
export const metaOf = (docs: SessionDocs) => docs.server.getMap<unknown>(SERVER_ROOT.meta);
export const rotationOf = (docs: SessionDocs) => docs.server.getMap<unknown>(SERVER_ROOT.rotation);
export const turnsOf = (docs: SessionDocs) => docs.server.getArray<unknown>(SERVER_ROOT.turns);
export const decisionsOf = (docs: SessionDocs) => docs.server.getArray<unknown>(SERVER_ROOT.decisions);
export const boardOf = (docs: SessionDocs) => docs.server.getMap<unknown>(SERVER_ROOT.board);
export const progressOf = (docs: SessionDocs) => docs.server.getMap<unknown>(SERVER_ROOT.progress);
export const deliveryOf = (docs: SessionDocs) => docs.server.getArray<unknown>(SERVER_ROOT.delivery);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The settings, each field checked: a malformed one falls back to its default. */
export function readSettings(docs: SessionDocs): SessionSettings {
  const raw = metaOf(docs).get(META_KEY.settings);
  const s = isObject(raw) ? raw : {};
  const int = (v: unknown, min: number, fallback: number) => (finite(v) && Number.isInteger(v) && v >= min ? v : fallback);
  return {
    turnSeconds: int(s.turnSeconds, 1, DEFAULT_SETTINGS.turnSeconds),
    breakEvery: int(s.breakEvery, 0, DEFAULT_SETTINGS.breakEvery),
    breakSeconds: int(s.breakSeconds, 1, DEFAULT_SETTINGS.breakSeconds),
    autoStart: typeof s.autoStart === 'boolean' ? s.autoStart : DEFAULT_SETTINGS.autoStart,
    skipOffline: typeof s.skipOffline === 'boolean' ? s.skipOffline : DEFAULT_SETTINGS.skipOffline,
  };
}

/** The timer state, or null when `raw` is not one (a reader never trusts a stored shape). */
export function parseTimer(raw: unknown): TimerState | null {
  if (!isObject(raw)) return null;
  if (raw.status === 'idle') return { status: 'idle' };
  const phase = raw.phase === 'break' ? 'break' : raw.phase === 'turn' ? 'turn' : null;
  if (!phase || !finite(raw.startedAt) || !finite(raw.pausedMs)) return null;
  if (raw.status === 'running' && finite(raw.durationMs)) {
    return { status: 'running', phase, startedAt: raw.startedAt, durationMs: raw.durationMs, pausedMs: raw.pausedMs };
  }
  if (raw.status === 'paused' && finite(raw.remainingMs) && finite(raw.pausedAt)) {
    return { status: 'paused', phase, startedAt: raw.startedAt, remainingMs: raw.remainingMs, pausedAt: raw.pausedAt, pausedMs: raw.pausedMs };
  }
  return null;
}

const memberIdOrNull = (v: unknown): MemberId | null => (typeof v === 'string' && /^[A-Za-z0-9_-]{12}$/.test(v) ? (v as MemberId) : null);

export function readRotation(docs: SessionDocs): RotationState {
  const raw = rotationOf(docs).get(ROTATION_KEY.state);
  if (!isObject(raw)) return INITIAL_ROTATION;
  return {
    turn: finite(raw.turn) && raw.turn >= 0 ? Math.trunc(raw.turn) : 0,
    driver: memberIdOrNull(raw.driver),
    navigator: memberIdOrNull(raw.navigator),
    timer: parseTimer(raw.timer) ?? { status: 'idle' },
  };
}

/** One turn record, or null when malformed. */
export function parseTurn(raw: unknown): TurnRecord | null {
  if (!isObject(raw)) return null;
  if (!finite(raw.turn) || !finite(raw.startedAt) || !finite(raw.endedAt)) return null;
  const end = raw.end === 'expired' || raw.end === 'skipped' || raw.end === 'reset' ? raw.end : null;
  if (!end) return null;
  return {
    turn: raw.turn,
    phase: raw.phase === 'break' ? 'break' : 'turn',
    driver: memberIdOrNull(raw.driver),
    navigator: memberIdOrNull(raw.navigator),
    startedAt: raw.startedAt,
    endedAt: raw.endedAt,
    pausedMs: finite(raw.pausedMs) ? raw.pausedMs : 0,
    end,
  };
}

export function readTurns(docs: SessionDocs): TurnRecord[] {
  return turnsOf(docs)
    .toArray()
    .flatMap((raw) => parseTurn(raw) ?? []);
}

export function readSessionName(docs: SessionDocs): string {
  const raw = metaOf(docs).get(META_KEY.name);
  return typeof raw === 'string' ? raw : '';
}

/** Writes the initial meta of a new session; a no-op on a session that already has it. */
export function initSession(docs: SessionDocs, init: { name: string; createdAt: number; settings: SessionSettings }): void {
  docs.server.transact(() => {
    const meta = metaOf(docs);
    if (meta.has(META_KEY.createdAt)) return;
    meta.set(META_KEY.name, init.name);
    meta.set(META_KEY.createdAt, init.createdAt);
    meta.set(META_KEY.settings, { ...init.settings });
    rotationOf(docs).set(ROTATION_KEY.state, INITIAL_ROTATION);
    boardOf(docs).set(BOARD_KEY.current, null);
  });
}
