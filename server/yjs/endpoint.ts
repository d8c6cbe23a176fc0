/**
 * The /yjs/<id-or-viewToken> WebSocket endpoint: accepts the upgrade, resolves the room and wires
 * one connection to it. Failures close this socket with a named code and touch nothing else.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocketServer } from 'ws';
import { CloseCode } from '../../lib/protocol/closeCodes';
import type { Limits } from '../config';
import type { Logger } from '../logger';
import { METRIC, type Metrics } from '../metrics';
import type { Rooms } from '../rooms';
import type { Sessions } from '../sessions';
import type { Connection } from './room';
import { wsSocket } from './socket';

export const YJS_PREFIX = '/yjs/';

export interface EndpointDeps {
  rooms: Rooms;
  sessions: Sessions;
  logger: Logger;
  metrics: Metrics;
  limits: Limits;
}

export function createYjsEndpoint(deps: EndpointDeps) {
  // ws enforces a hard ceiling well above the limit, so frames just past the limit reach the room
  // and get our named close code instead of ws's generic 1009.
  const wss = new WebSocketServer({ noServer: true, maxPayload: deps.limits.maxFrameBytes * 2 });
  let nextId = 0;
  let open = 0;

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, pathname: string): void {
    wss.handleUpgrade(req, socket, head, (ws) => {
      const raw = decodeRoom(pathname.slice(YJS_PREFIX.length));
      const id = `c${++nextId}`;
      open++;
      deps.metrics.set(METRIC.connections, 'Open Yjs WebSocket connections', open);
      const closeWith = (code: number, reason: string) => {
        deps.metrics.inc(METRIC.closed, 'Connections closed by the server, by code', { code });
        ws.close(code, reason);
      };
      // Frames that arrive while the room loads are queued, then replayed in order.
      const queued: Uint8Array[] = [];
      let deliver: ((frame: Uint8Array) => void) | null = null;
      let leave: (() => void) | null = null;
      ws.on('message', (data: RawData) => {
        const frame = toBytes(data);
        if (deliver) deliver(frame);
        else if (queued.length < 64) queued.push(frame);
        else closeWith(CloseCode.RateLimited, 'too many messages before the room was ready');
      });
      ws.on('close', () => {
        open--;
        deps.metrics.set(METRIC.connections, 'Open Yjs WebSocket connections', open);
        leave?.();
        leave = null;
      });
      ws.on('error', (err) => deps.logger.debug('ws error', { conn: id, err: String(err) }));

      void (async () => {
        if (raw === null) return closeWith(CloseCode.BadRoom, 'not a session id or view token');
        const found = await deps.sessions.resolve(raw);
        if (!found) return closeWith(CloseCode.UnknownSession, 'no such session');
        const room = await deps.rooms.get(found.session.id);
        if (ws.readyState !== ws.OPEN) {
          // Closed while loading: let the registry unload the room if nobody else uses it.
          deps.rooms.releaseIfUnused(found.session.id);
          return;
        }
        const conn: Connection = {
          id,
          socket: wsSocket(ws),
          readOnly: found.readOnly,
          origin: { source: 'client', connectionId: id },
          awarenessIds: new Set(),
        };
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

  return {
    handleUpgrade,
    close: () => new Promise<void>((resolve) => wss.close(() => resolve())),
  };
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
