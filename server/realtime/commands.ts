/**
 * Every socket.io command in one table: the capability it needs (lib/capability.ts), whether the
 * socket must have joined as a member, its payload schema, and what it does. One runner enforces all
 * of it, so no command can forget a check: parse -> call an action (a server transaction) -> ack.
 * A refused or failed command answers `{ok: false, error}` and changes nothing.
 */
import type { z } from 'zod';
import { grants, type Need } from '../../lib/capability';
import { DecisionLogPayload, firstIssue } from '../../lib/protocol/decisions';
import type { ClientToServer } from '../../lib/protocol/events';
import { CompleteTaskBody, ReopenTaskBody, SwitchTaskBody } from '../../lib/protocol/http';
import { JoinPayload } from '../../lib/protocol/members';
import { settingsPatchSchema, TimerCommand } from '../../lib/protocol/timer';
import { readRotation } from '../../lib/doc/schema';
import type { Actions } from '../actions';
import { memberToken } from '../memberTokens';
import type { Logger } from '../logger';
import type { Rooms } from '../rooms';
import type { Sessions } from '../sessions';
import type { TimerControl } from '../timer/scheduler';
import { RoomUnavailable, SessionFull } from '../yjs/room';
import type { RealtimeSocket } from './types';

export type Reply = { ok: true; value: unknown } | { ok: false; error: string };

interface Command<P> {
  need: Need;
  /** The socket must have joined as a member (its identity signs what the command records). */
  member?: boolean;
  schema: z.ZodType<P, unknown>;
  run(input: P, socket: RealtimeSocket): Promise<Reply>;
}

export interface CommandDeps {
  actions: Actions;
  timer: TimerControl;
  rooms: Rooms;
  sessions: Sessions;
  logger: Logger;
  minTurnSeconds: number;
}

type Table = { [K in Exclude<keyof ClientToServer, 'clock:ping'>]: Command<never> };

const taskOutcome = (r: { ok: true } | { ok: false; error: string }): Reply => (r.ok ? { ok: true, value: null } : r);

export function commandTable(deps: CommandDeps): Table {
  const { actions, timer, rooms } = deps;
  const define = <P>(c: Command<P>) => c as unknown as Command<never>;
  return {
    'timer:action': define({
      need: 'edit',
      schema: TimerCommand,
      async run({ action }, s) {
        const r = await timer.command(s.data.sessionId, action);
        return r.ok ? r : { ok: false, error: r.reason };
      },
    }),
    'timer:settings': define({
      need: 'edit',
      schema: settingsPatchSchema(deps.minTurnSeconds),
      async run(patch, s) {
        await timer.updateSettings(s.data.sessionId, patch);
        const state = await rooms.with(s.data.sessionId, (room) => readRotation(room.docs));
        return { ok: true, value: { turn: state.turn, status: state.timer.status } };
      },
    }),
    'decision:log': define({
      need: 'edit',
      member: true,
      schema: DecisionLogPayload,
      async run(input, s) {
        const { memberId: _refused, ...fields } = input;
        const r = await actions.logDecision(s.data.sessionId, fields, { kind: 'member', id: s.data.memberId as NonNullable<typeof s.data.memberId> });
        return r.ok ? { ok: true, value: r.record } : { ok: false, error: r.error };
      },
    }),
    'member:join': define({
      need: 'edit',
      schema: JoinPayload,
      async run({ name, as }, s) {
        const session = await deps.sessions.get(s.data.sessionId);
        if (!session) return { ok: false, error: 'no such session' };
        const r = await actions.joinPerson(session.id, name, as);
        if (!r.ok) return r;
        s.data.memberId = r.member.id; // this socket is that member from now on
        return { ok: true, value: { member: r.member, token: memberToken(session.memberKey, r.member.id) } };
      },
    }),
    'task:complete': define({
      need: 'edit',
      schema: CompleteTaskBody,
      run: async ({ taskId }, s) => taskOutcome(await actions.completeTask(s.data.sessionId, taskId)),
    }),
    'task:switch': define({
      need: 'edit',
      member: true,
      schema: SwitchTaskBody,
      async run({ to, reason, expected }, s) {
        const author = { kind: 'member' as const, id: s.data.memberId as NonNullable<typeof s.data.memberId> };
        return taskOutcome(await actions.switchTask(s.data.sessionId, { to, reason, ...(expected ? { expected } : {}) }, author));
      },
    }),
    'task:reopen': define({
      need: 'edit',
      schema: ReopenTaskBody,
      run: async ({ taskId, current }, s) => taskOutcome(await actions.reopenTask(s.data.sessionId, taskId, current)),
    }),
  };
}

const READ_ONLY = 'this is a read-only view link: it cannot change the session';
const NOT_JOINED = 'join the session first: this is recorded under your name';

/** Runs one command for one socket: every check in the table's order, then the ack. */
export async function runCommand(cmd: Command<never>, socket: RealtimeSocket, payload: unknown, logger: Logger): Promise<Reply> {
  if (!grants(socket.data.kind, cmd.need)) return { ok: false, error: READ_ONLY };
  if (cmd.member && !socket.data.memberId) return { ok: false, error: NOT_JOINED };
  const parsed = cmd.schema.safeParse(payload);
  if (!parsed.success) return { ok: false, error: firstIssue(parsed.error) };
  try {
    return await cmd.run(parsed.data, socket);
  } catch (err) {
    if (err instanceof RoomUnavailable || err instanceof SessionFull) return { ok: false, error: err.message };
    logger.error('command failed', { room: socket.data.sessionId, err: String(err) });
    return { ok: false, error: 'the server could not apply this: try again' };
  }
}
