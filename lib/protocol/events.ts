/**
 * socket.io contract: typed event maps and zod schemas for every payload a client can send.
 * socket.io carries commands with acks, clock sync and pushed notices; never doc state.
 */
import type { SettingsPatch, TimerApplied, TimerCommand } from './timer';
import type { DecisionLogged, DecisionLogPayload } from './decisions';
import type { CompleteTaskBody, ReopenTaskBody, SwitchTaskBody } from './http';
import type { Joined, JoinPayload } from './members';

export const SOCKET_PATH = '/socket.io';


export type Ack<T> = (reply: { ok: true; value: T } | { ok: false; error: string }) => void;

export interface ClockReply {
  /** Server clock when the ping was handled (ms since epoch). */
  serverNow: number;
}

export interface ClientToServer {
  'clock:ping': (ack: Ack<ClockReply>) => void;
  /** Timer commands and settings; the server applies them with a server origin (see ./timer.ts). */
  'timer:action': (payload: TimerCommand, ack: Ack<TimerApplied>) => void;
  'timer:settings': (payload: SettingsPatch, ack: Ack<TimerApplied>) => void;
  /** Log a decision; the server stamps time, author (this socket's member), task, roles and order. */
  'decision:log': (payload: DecisionLogPayload, ack: Ack<DecisionLogged>) => void;
  /** Join as a new member, or as the member this person says they are (`as`): binds this socket. */
  'member:join': (payload: JoinPayload, ack: Ack<Joined>) => void;
  /** Task lifecycle, written by the server: finish the current task, switch to a waiting one, reopen a finished one. */
  'task:complete': (payload: CompleteTaskBody, ack: Ack<null>) => void;
  'task:switch': (payload: SwitchTaskBody, ack: Ack<null>) => void;
  'task:reopen': (payload: ReopenTaskBody, ack: Ack<null>) => void;
}

export interface ServerToClient {
  /** Server-pushed notice (a link replaced...). */
  notice: (n: Notice) => void;
}

export type Notice = { kind: 'refused'; reason: string } | { kind: 'link-replaced'; link: 'edit' | 'view' };
