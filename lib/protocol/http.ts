/**
 * zod schemas for HTTP bodies: the wire contract of the JSON API, shared by server and UI.
 */
import { z } from 'zod';
import { LIMITS } from '../doc/schema';
import { normalizeName } from '../memberName';
import { parseTaskId } from '../ids';
import { normalizeReason } from '../task';
import { secondsSchema } from './timer';

const cappedName = (max: number, what: string) =>
  z.string({ error: `${what} must be a string` }).transform((raw, ctx) => {
    const r = normalizeName(raw, max);
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', message: `${what}: ${r.reason.replace(/^name /, '')}` });
      return z.NEVER;
    }
    return r.name;
  });

export const TurnSeconds = z
  .number({ error: 'turnSeconds must be a number of seconds' })
  .int('turnSeconds must be a whole number of seconds')
  .min(LIMITS.turnSecondsMin, `turnSeconds must be at least ${LIMITS.turnSecondsMin}`)
  .max(LIMITS.turnSecondsMax, `turnSeconds must be at most ${LIMITS.turnSecondsMax}`);

/** The server passes its configured minimum turn length (tests run 1 s turns). */
export const createSessionBody = (minTurnSeconds: number = LIMITS.turnSecondsMin) =>
  z
    .object({
      name: cappedName(LIMITS.sessionName, 'name').optional(),
      turnSeconds: secondsSchema('turnSeconds', minTurnSeconds, LIMITS.turnSecondsMax).optional(),
    })
    .strict();
export const CreateSessionBody = createSessionBody();
export type CreateSessionBody = z.infer<typeof CreateSessionBody>;

export const JoinBody = z.object({ name: cappedName(LIMITS.memberName, 'name') }).strict();
export type JoinBody = z.infer<typeof JoinBody>;

export const TaskBody = z
  .object({
    title: cappedName(LIMITS.taskTitle, 'title'),
    why: z.string().max(LIMITS.taskWhy, `why must be at most ${LIMITS.taskWhy} characters`).optional(),
    criteria: z
      .array(cappedName(LIMITS.criterion, 'criterion'))
      .max(50, 'at most 50 criteria')
      .optional(),
  })
  .strict();
export type TaskBody = z.infer<typeof TaskBody>;

const taskIdField = (what: string) =>
  z.unknown().transform((raw, ctx) => {
    const id = parseTaskId(raw);
    if (!id) {
      ctx.addIssue({ code: 'custom', message: `${what} must be a task id` });
      return z.NEVER;
    }
    return id;
  });

/** `taskId` (optional) guards against completing a task other than the one the caller saw. */
export const CompleteTaskBody = z.object({ taskId: taskIdField('taskId').optional() }).strict();
export type CompleteTaskBody = z.infer<typeof CompleteTaskBody>;

/**
 * Reopen a finished task: it waits in the queue again (or becomes current when nothing is); with
 * `current`, it becomes current again at once (the undo of "Mark done").
 */
export const ReopenTaskBody = z.object({ taskId: taskIdField('taskId'), current: z.boolean({ error: 'current must be true or false' }).optional() }).strict();
export type ReopenTaskBody = z.infer<typeof ReopenTaskBody>;

export const SwitchTaskBody = z
  .object({
    to: taskIdField('to'),
    /** The task the caller saw as current: when the board moved on meanwhile, nothing happens (409). */
    expected: taskIdField('expected').optional(),
    reason: z.unknown().transform((raw, ctx) => {
      const r = normalizeReason(raw);
      if (!r.ok) {
        ctx.addIssue({ code: 'custom', message: r.error });
        return z.NEVER;
      }
      return r.reason;
    }),
  })
  .strict();
export type SwitchTaskBody = z.infer<typeof SwitchTaskBody>;

/** Replace (revoke) a link: the old one stops at once, its open connections are closed. */
export const RotateLinkBody = z.object({ link: z.enum(['edit', 'view'], { error: 'link must be "edit" or "view"' }) }).strict();
export type RotateLinkBody = z.infer<typeof RotateLinkBody>;

/** The session's links, only ever answered to the edit link (GET /api/sessions/<id>/links). */
export interface SessionLinks {
  /** The edit link's token (the `<id>` of /s/<id> and /api/sessions/<id>). */
  id: string;
  editUrl: string;
  viewUrl: string;
}

/** POST /api/sessions answers the new session's links. */
export type CreatedSession = SessionLinks;

export interface ApiError {
  error: string;
  issues?: { path: string; message: string }[];
}

/**
 * The server hands its page renders the shortest turn it accepts in this request header (set on
 * every page request, whatever the client sent): pages render their forms with it and never read
 * the environment themselves.
 */
export const MIN_TURN_HEADER = 'x-mobflow-min-turn-seconds';
