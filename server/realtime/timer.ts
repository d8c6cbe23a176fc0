/**
 * socket.io timer commands: parse the payload, refuse read-only sockets, apply through the
 * TimerService (a server transaction), answer through the ack. A bad payload is refused for that
 * call only; nothing changes.
 */
import type { Socket } from 'socket.io';
import type { SessionId } from '../../lib/ids';
import type { Ack, ClientToServer, ServerToClient } from '../../lib/protocol/events';
import { settingsPatchSchema, type TimerApplied, TimerCommand } from '../../lib/protocol/timer';
import { readRotation } from '../../lib/doc/schema';
import type { Logger } from '../logger';
import type { Rooms } from '../rooms';
import type { TimerService } from '../timer/scheduler';
import type { SocketData } from './index';

export interface TimerHandlerDeps {
  timer: TimerService;
  rooms: Rooms;
  logger: Logger;
  minTurnSeconds: number;
}

type TimerSocket = Socket<ClientToServer, ServerToClient, Record<string, never>, SocketData>;

const READ_ONLY = 'this is a read-only view link: the timer cannot be changed from here';

export function registerTimerHandlers(socket: TimerSocket, deps: TimerHandlerDeps): void {
  const settingsSchema = settingsPatchSchema(deps.minTurnSeconds);
  const sessionId = () => socket.data.sessionId as SessionId;

  /** Shared guard: an ack must exist; read-only sockets and unparsable payloads are refused. */
  const handle = <T>(payload: unknown, ack: unknown, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }, run: (value: T) => Promise<Parameters<Ack<TimerApplied>>[0]>) => {
    // A client that sent only a callback put it where the payload goes.
    const reply = (typeof ack === 'function' ? ack : typeof payload === 'function' ? payload : null) as Ack<TimerApplied> | null;
    if (!reply) return;
    if (socket.data.readOnly) return reply({ ok: false, error: READ_ONLY });
    const parsed = schema.safeParse(typeof payload === 'function' ? undefined : payload);
    if (!parsed.success) return reply({ ok: false, error: parsed.error.issues.map((i) => i.message).join('; ') || 'bad payload' });
    run(parsed.data).then(reply, (err: unknown) => {
      deps.logger.error('timer command failed', { room: socket.data.sessionId, err: String(err) });
      reply({ ok: false, error: 'the server could not apply this: try again' });
    });
  };

  socket.on('timer:action', (payload, ack) =>
    handle(payload, ack, TimerCommand, async ({ action }) => {
      const r = await deps.timer.command(sessionId(), action);
      return r.ok ? r : { ok: false, error: r.reason };
    }),
  );

  socket.on('timer:settings', (payload, ack) =>
    handle(payload, ack, settingsSchema, async (patch) => {
      await deps.timer.updateSettings(sessionId(), patch);
      const state = await deps.rooms.with(sessionId(), (room) => readRotation(room.doc));
      return { ok: true, value: { turn: state.turn, status: state.timer.status } };
    }),
  );
}
