/**
 * socket.io: handshake parsing, clock sync. Each handler parses its payload and answers through
 * the ack; a bad payload is refused for that socket only.
 */
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { type ClientToServer, SOCKET_PATH, type ServerToClient } from '../../lib/protocol/events';
import { Handshake } from '../../lib/protocol/handshake';
import { isOriginAllowed } from '../http/security';
import type { Clock, Logger } from '../logger';
import type { Sessions } from '../sessions';
import { type DecisionHandlerDeps, registerDecisionHandlers } from './decisions';
import { registerTimerHandlers, type TimerHandlerDeps } from './timer';

export interface RealtimeDeps {
  sessions: Sessions;
  clock: Clock;
  logger: Logger;
  maxPayloadBytes: number;
  decisions?: DecisionHandlerDeps;
  /** Origins allowed besides same-origin (browsers only; see http/security.ts). */
  allowedOrigins?: readonly string[];
  timer?: TimerHandlerDeps;
}

export interface SocketData {
  sessionId: string;
  readOnly: boolean;
}

export function createRealtime(httpServer: HttpServer, deps: RealtimeDeps) {
  const io = new Server<ClientToServer, ServerToClient, Record<string, never>, SocketData>(httpServer, {
    path: SOCKET_PATH,
    serveClient: false,
    destroyUpgrade: false,
    maxHttpBufferSize: deps.maxPayloadBytes,
    allowRequest: (req, callback) => callback(null, isOriginAllowed(req, deps.allowedOrigins ?? [])),
  });

  io.use(async (socket, next) => {
    const parsed = Handshake.safeParse(socket.handshake.auth);
    if (!parsed.success) return next(new Error(parsed.error.issues[0]?.message ?? 'bad handshake'));
    const found = await deps.sessions.resolve(parsed.data.room).catch(() => null);
    if (!found) return next(new Error('no such session'));
    socket.data = { sessionId: found.session.id, readOnly: found.readOnly };
    void socket.join(found.session.id);
    next();
  });

  io.on('connection', (socket) => {
    if (deps.decisions) registerDecisionHandlers(socket, deps.decisions);
    if (deps.timer) registerTimerHandlers(socket, deps.timer);
    socket.on('clock:ping', (ack) => {
      if (typeof ack !== 'function') return;
      ack({ ok: true, value: { serverNow: deps.clock.now() } });
    });
  });

  return { io, close: () => new Promise<void>((resolve) => void io.close(() => resolve())) };
}
