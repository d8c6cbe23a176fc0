/**
 * socket.io: the handshake (which session, which link, which member), per-address accounting, clock
 * sync, and the command table (commands.ts). Each command answers through its ack; a bad payload is
 * refused for that call only.
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import { type ClientToServer, SOCKET_PATH, type ServerToClient } from '../../lib/protocol/events';
import { Handshake } from '../../lib/protocol/handshake';
import type { AddressBook } from '../addressBook';
import { isHandshakeAllowed, type SiteRules } from '../http/security';
import type { Clock, Logger } from '../logger';
import { verifyMemberToken } from '../memberTokens';
import { TokenBucket } from '../tokenBucket';
import { type CommandDeps, commandTable, runCommand } from './commands';
import type { RealtimeSocket, SocketData } from './types';

export interface RealtimeDeps extends CommandDeps {
  clock: Clock;
  logger: Logger;
  maxPayloadBytes: number;
  site: SiteRules;
  addresses: AddressBook;
  /** A socket.io adapter for a cluster (the Redis streams adapter); absent: in memory. */
  adapter?: ServerOptions['adapter'];
}

/** Commands per socket: people click a few times a minute; a socket far faster is a script gone wrong. */
export const COMMAND_RATE = { burst: 30, perSecond: 2 } as const;

/** Every socket joins the room of the link it opened, so a replaced link reaches all of them. */
const linkRoom = (token: string) => `link:${token}`;

export function createRealtime(httpServer: HttpServer, deps: RealtimeDeps) {
  const io = new Server<ClientToServer, ServerToClient, Record<string, never>, SocketData>(httpServer, {
    path: SOCKET_PATH,
    serveClient: false,
    destroyUpgrade: false,
    maxHttpBufferSize: deps.maxPayloadBytes,
    allowRequest: (req, callback) => callback(null, isHandshakeAllowed(req, deps.site)),
    ...(deps.adapter ? { adapter: deps.adapter } : {}),
  });
  const table = commandTable(deps);

  io.use(async (socket, next) => {
    const parsed = Handshake.safeParse(socket.handshake.auth);
    if (!parsed.success) return next(new Error(parsed.error.issues[0]?.message ?? 'bad handshake'));
    const found = await deps.sessions.resolve(parsed.data.room).catch(() => null);
    if (!found || deps.sessions.isRevoked(parsed.data.room)) return next(new Error('no such session'));
    const memberId = parsed.data.member && found.kind === 'edit' ? verifyMemberToken(found.session.memberKey, parsed.data.member) : null;
    if (parsed.data.member && found.kind === 'edit' && !memberId) return next(new Error('member token does not belong to this session: join again'));
    const ip = socket.conn.remoteAddress ?? 'unknown';
    if (!deps.addresses.tryOpen(ip)) return next(new Error('too many connections from your address'));
    socket.data = { sessionId: found.session.id, kind: found.kind, token: parsed.data.room, memberId, ip };
    void socket.join([found.session.id, linkRoom(parsed.data.room)]);
    next();
  });

  io.on('connection', (socket: RealtimeSocket) => {
    socket.on('disconnect', () => deps.addresses.close(socket.data.ip));
    const budget = new TokenBucket(COMMAND_RATE.burst, COMMAND_RATE.perSecond, () => deps.clock.now());
    for (const [name, cmd] of Object.entries(table)) {
      socket.on(name as keyof typeof table, (payload: unknown, ack: unknown) => {
        // A client that sent only a callback put it where the payload goes.
        const reply = (typeof ack === 'function' ? ack : typeof payload === 'function' ? payload : null) as ((r: unknown) => void) | null;
        if (!reply) return;
        if (!budget.take()) return reply({ ok: false, error: 'too many commands at once: wait a moment and try again' });
        void runCommand(cmd, socket, typeof payload === 'function' ? undefined : payload, deps.logger).then(reply);
      });
    }
    socket.on('clock:ping', (ack) => {
      if (typeof ack !== 'function') return;
      ack({ ok: true, value: { serverNow: deps.clock.now() } });
    });
  });

  /** Tells and disconnects every socket opened with a replaced link (on every instance, through the adapter). */
  function disconnectLink(token: string, link: 'edit' | 'view'): void {
    io.to(linkRoom(token)).emit('notice', { kind: 'link-replaced', link });
    io.in(linkRoom(token)).disconnectSockets(true);
  }

  return { io, disconnectLink, close: () => new Promise<void>((resolve) => void io.close(() => resolve())) };
}
