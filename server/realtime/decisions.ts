/**
 * socket.io 'decision:log': parse, refuse read-only sockets, then append inside a server
 * transaction so time, author and the task/driver/navigator snapshot come from the server.
 * The ack arrives only once the entry is durable.
 */
import type { Socket } from 'socket.io';
import { type AppendResult, appendDecision, type DecisionInput } from '../../lib/decisions';
import type { MemberId } from '../../lib/ids';
import { parseSessionId } from '../../lib/ids';
import { DecisionLogPayload, firstIssue } from '../../lib/protocol/decisions';
import type { ClientToServer, ServerToClient } from '../../lib/protocol/events';
import type { Clock, Logger } from '../logger';
import type { Rooms } from '../rooms';
import type { Room } from '../yjs/room';
import { TokenBucket } from '../tokenBucket';
import type { SocketData } from './index';

export interface DecisionHandlerDeps {
  rooms: Rooms;
  clock: Clock;
  logger: Logger;
}

/** Appends one decision in a server transaction; resolves once it is in the store. */
export async function logDecision(room: Room, input: DecisionInput, authorId: MemberId | null, clock: Clock): Promise<AppendResult> {
  // `now` is read inside the transaction so the stamp matches the roles the entry records.
  return room.transact('decision', (doc) => appendDecision(doc, input, { now: clock.now(), authorId }));
}

type DecisionSocket = Socket<ClientToServer, ServerToClient, Record<string, never>, SocketData>;

/** People log a decision every few minutes; a socket logging faster than this is a script gone wrong. */
export const DECISION_RATE = { burst: 20, perSecond: 1 } as const;

export function registerDecisionHandlers(socket: DecisionSocket, deps: DecisionHandlerDeps): void {
  const budget = new TokenBucket(DECISION_RATE.burst, DECISION_RATE.perSecond, () => deps.clock.now());

  socket.on('decision:log', (payload, ack) => {
    if (typeof ack !== 'function') return;
    if (socket.data.readOnly) return ack({ ok: false, error: 'this is a read-only view link' });
    if (!budget.take()) return ack({ ok: false, error: 'too many decisions at once: wait a moment and try again' });
    const parsed = DecisionLogPayload.safeParse(payload);
    if (!parsed.success) return ack({ ok: false, error: firstIssue(parsed.error) });
    const sessionId = parseSessionId(socket.data.sessionId);
    if (!sessionId) return ack({ ok: false, error: 'no such session' });
    const { memberId, ...input } = parsed.data;
    deps.rooms
      .with(sessionId, (room) => logDecision(room, input, memberId, deps.clock))
      .then((r) => ack(r.ok ? { ok: true, value: r.record } : { ok: false, error: r.error }))
      .catch((err: unknown) => {
        deps.logger.error('decision:log failed', { sessionId, err: String(err) });
        ack({ ok: false, error: 'the decision could not be saved; try again' });
      });
  });
}
