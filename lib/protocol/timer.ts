/**
 * Wire contract of the timer: zod schemas for the HTTP body and the socket.io payloads.
 * The minimum turn length is a parameter because the server's config sets it (tests use 1 s).
 */
import { z } from 'zod';
import { LIMITS } from '../doc/schema';
import { TIMER_ACTIONS } from '../timer';

export const TimerActionName = z.enum(TIMER_ACTIONS, { error: `action must be one of ${TIMER_ACTIONS.join(', ')}` });

/** POST /api/sessions/<id>/timer and the 'timer:action' socket command. */
export const TimerCommand = z.object({ action: TimerActionName }).strict();
export type TimerCommand = z.infer<typeof TimerCommand>;

const MAX_BREAK_EVERY = 100;

/** Whole seconds between `min` and `max`, with readable messages for each way it can be wrong. */
export const secondsSchema = (what: string, min: number, max: number) =>
  z
    .number({ error: `${what} must be a number of seconds` })
    .int(`${what} must be a whole number of seconds`)
    .min(min, `${what} must be at least ${min}`)
    .max(max, `${what} must be at most ${max}`);

/** The 'timer:settings' socket command: any subset of the session's timer settings. */
export const settingsPatchSchema = (minTurnSeconds: number = LIMITS.turnSecondsMin) =>
  z
    .object({
      turnSeconds: secondsSchema('turnSeconds', minTurnSeconds, LIMITS.turnSecondsMax).optional(),
      breakEvery: z
        .number({ error: 'breakEvery must be a number of turns' })
        .int('breakEvery must be a whole number of turns')
        .min(0, 'breakEvery must be 0 (no breaks) or more')
        .max(MAX_BREAK_EVERY, `breakEvery must be at most ${MAX_BREAK_EVERY}`)
        .optional(),
      breakSeconds: secondsSchema('breakSeconds', minTurnSeconds, LIMITS.turnSecondsMax).optional(),
      autoStart: z.boolean({ error: 'autoStart must be true or false' }).optional(),
      skipOffline: z.boolean({ error: 'skipOffline must be true or false' }).optional(),
    })
    .strict();
export type SettingsPatch = z.infer<ReturnType<typeof settingsPatchSchema>>;

/** What a timer command's ack carries: the turn count and status after it (the doc has the rest). */
export interface TimerApplied {
  turn: number;
  status: 'idle' | 'running' | 'paused';
}
