/**
 * socket.io contract: typed event maps and zod schemas for every payload a client can send.
 * socket.io carries commands with acks, clock sync and pushed notices; never doc state.
 */
import type { SettingsPatch, TimerApplied, TimerCommand } from './timer';
import type { DecisionLogged, DecisionLogPayload } from './decisions';

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
  /** Log a decision; the server stamps time, task, roles and order (see ./decisions.ts). */
  'decision:log': (payload: DecisionLogPayload, ack: Ack<DecisionLogged>) => void;
}

export interface ServerToClient {
  /** Server-pushed notice (turn ended, saved, refused...). */
  notice: (n: Notice) => void;
}

export type Notice = { kind: 'refused'; reason: string };
