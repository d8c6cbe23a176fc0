/**
 * The /yjs/<id-or-viewToken> WebSocket endpoint: accepts the upgrade, resolves the room and wires
 * one connection to it. Failures close this socket with a named code and touch nothing else.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocketServer } from 'ws';
import { CloseCode } from '../../lib/protocol/closeCodes';
import { ACKS_PARAM } from '../../lib/protocol/saved';
import type { Limits } from '../config';
import { isOriginAllowed } from '../http/security';
import type { Clock, Logger } from '../logger';
import { METRIC, type Metrics } from '../metrics';
import type { Rooms } from '../rooms';
import type { Sessions } from '../sessions';
import { newConnection } from './room';
import { wsSocket } from './socket';
import { TokenBucket } from '../tokenBucket';

export const YJS_PREFIX = '/yjs/';

export interface EndpointDeps {
  rooms: Rooms;
  sessions: Sessions;
  logger: Logger;
  metrics: Metrics;
  limits: Limits;
  allowedOrigins: readonly string[];
  clock: Clock;
}

export function createYjsEndpoint(deps: EndpointDeps) {
  // ws enforces a hard ceiling well above the limit, so frames just past the limit reach the room
  // and get our named close code instead of ws's generic 1009. No permessage-deflate: broadcasts
  // are written as ready-made frames beside ws's own sends (socket.ts), which needs ws never to queue.
  const wss = new WebSocketServer({ noServer: true, maxPayload: deps.limits.maxFrameBytes * 2, perMessageDeflate: false });
  let nextId = 0;
  let open = 0;
  const perIp = new Map<string, number>();
  const now = () => deps.clock.now();
  const { limits } = deps;

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, pathname: string): void {
    wss.handleUpgrade(req, socket, head, (ws) => {
      const raw = decodeRoom(pathname.slice(YJS_PREFIX.length));
      const wantsAcks = new URL(req.url ?? '/', 'http://x').searchParams.get(ACKS_PARAM) === '1';
      const ip = req.socket.remoteAddress ?? 'unknown';
      const id = `c${++nextId}`;
      open++;
      perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
      deps.metrics.set(METRIC.connections, 'Open Yjs WebSocket connections', open);
      let refused = false;
      const closeWith = (code: number, reason: string) => {
        refused = true;
        deps.metrics.inc(METRIC.closed, 'Connections closed by the server, by code', { code });
        ws.close(code, reason);
      };
      const messages = new TokenBucket(limits.messageBurst, limits.messagesPerSecond, now);
      const bytes = new TokenBucket(limits.byteBurst, limits.bytesPerSecond, now);
      // Frames that arrive while the room loads are queued, then replayed in order.
      const queued: Uint8Array[] = [];
      let deliver: ((frame: Uint8Array) => void) | null = null;
      let leave: (() => void) | null = null;
      ws.on('message', (data: RawData) => {
        if (refused) return;
        deps.metrics.inc(METRIC.wsMessages, 'Yjs WebSocket messages received and handled');
        const frame = toBytes(data);
        if (!messages.take() || !bytes.take(frame.byteLength)) {
          closeWith(CloseCode.RateLimited, 'too many messages: slow down and reconnect');
          return;
        }
        if (deliver) deliver(frame);
        else if (queued.length < 64) queued.push(frame);
        else closeWith(CloseCode.RateLimited, 'too many messages before the room was ready');
      });
      ws.on('close', () => {
        open--;
        const left = (perIp.get(ip) ?? 1) - 1;
        if (left > 0) perIp.set(ip, left);
        else perIp.delete(ip);
        deps.metrics.set(METRIC.connections, 'Open Yjs WebSocket connections', open);
        leave?.();
        leave = null;
      });
      ws.on('error', (err) => deps.logger.debug('ws error', { conn: id, err: String(err) }));

      void (async () => {
        if (!isOriginAllowed(req, deps.allowedOrigins)) return closeWith(CloseCode.Forbidden, 'origin not allowed');
        if ((perIp.get(ip) ?? 0) > limits.maxConnectionsPerIp) return closeWith(CloseCode.TooManyConnections, 'too many connections from your address');
        if (raw === null) return closeWith(CloseCode.BadRoom, 'not a session id or view token');
        const found = await deps.sessions.resolve(raw);
        if (!found) return closeWith(CloseCode.UnknownSession, 'no such session');
        const room = await deps.rooms.get(found.session.id);
        if (ws.readyState !== ws.OPEN) {
          // Closed while loading: let the registry unload the room if nobody else uses it.
          deps.rooms.releaseIfUnused(found.session.id);
          return;
        }
        const conn = newConnection(id, wsSocket(ws, socket), {
          readOnly: found.readOnly,
          acks: wantsAcks && !found.readOnly,
          awarenessBudget: new TokenBucket(limits.awarenessBurst, limits.awarenessPerSecond, now),
        });
        room.join(conn);
        leave = () => room.leave(conn);
        deliver = (frame) => room.receive(conn, frame);
        for (const frame of queued.splice(0)) deliver(frame);
      })().catch((err: unknown) => {
        deps.logger.error('could not open room', { conn: id, err: String(err) });
        closeWith(CloseCode.ServerError, 'could not open the session');
      });
    });
  }

  /** Closes every socket with GoingAway (clients reconnect); sockets that do not finish the close handshake within a second are cut. */
  async function close(): Promise<void> {
    for (const ws of wss.clients) ws.close(CloseCode.GoingAway, 'server restarting');
    const deadline = Date.now() + 1000;
    while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  return { handleUpgrade, close };
}

/** The room segment, or null when it has characters no id or token can have. */
function decodeRoom(segment: string): string | null {
  const clean = segment.split('?')[0] ?? '';
  return /^[A-Za-z0-9_-]{1,64}$/.test(clean) ? clean : null;
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
