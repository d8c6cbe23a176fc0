/**
 * The /yjs/<id-or-viewToken> WebSocket endpoint: accepts the upgrade, resolves the room and wires
 * one connection to it. Failures close this socket with a named code and touch nothing else.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { CloseCode } from '../../lib/protocol/closeCodes';
import { ACKS_PARAM } from '../../lib/protocol/saved';
import type { Limits } from '../config';
import { isOriginAllowed } from '../http/security';
import type { Clock, Logger } from '../logger';
import { METRIC, type Metrics } from '../metrics';
import type { Rooms } from '../rooms';
import type { Sessions } from '../sessions';
import { type Connection, newConnection, type Room } from './room';
import { wsSocket } from './socket';
import { TokenBucket } from '../tokenBucket';

export const YJS_PREFIX = '/yjs/';
/** Frames a client may send before its room has loaded; more is refused as flooding. */
const MAX_QUEUED_FRAMES = 64;

export interface EndpointDeps {
  rooms: Rooms;
  sessions: Sessions;
  logger: Logger;
  metrics: Metrics;
  limits: Limits;
  allowedOrigins: readonly string[];
  clock: Clock;
}

/**
 * What the endpoint needs from an upgrade request, read before the upgrade: nothing a connection
 * keeps refers to the request, so its headers and stream state are freed once the handshake is done
 * (about 1.5 KB per open connection otherwise).
 */
interface Upgrade {
  /** The room segment, or null when it cannot be an id or a view token. */
  room: string | null;
  wantsAcks: boolean;
  ip: string;
  originAllowed: boolean;
}

export function createYjsEndpoint(deps: EndpointDeps) {
  // ws enforces a hard ceiling well above the limit, so frames just past the limit reach the room
  // and get our named close code instead of ws's generic 1009. No permessage-deflate: broadcasts
  // are written as ready-made frames beside ws's own sends (socket.ts), which needs ws never to queue.
  const wss = new WebSocketServer({ noServer: true, maxPayload: deps.limits.maxFrameBytes * 2, perMessageDeflate: false });
  const peers: Peers = { deps, now: () => deps.clock.now(), nextId: 0, open: 0, perIp: new Map() };

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, pathname: string): void {
    const upgrade: Upgrade = {
      room: decodeRoom(pathname.slice(YJS_PREFIX.length)),
      wantsAcks: new URL(req.url ?? '/', 'http://x').searchParams.get(ACKS_PARAM) === '1',
      ip: req.socket.remoteAddress ?? 'unknown',
      originAllowed: isOriginAllowed(req, deps.allowedOrigins),
    };
    wss.handleUpgrade(req, socket, head, (ws) => accept(peers, ws, socket, upgrade));
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

/** The endpoint's shared state: its dependencies and the open connections, counted per address. */
interface Peers {
  readonly deps: EndpointDeps;
  readonly now: () => number;
  nextId: number;
  open: number;
  readonly perIp: Map<string, number>;
}

/** Wires one upgraded socket: its listeners now, its room once resolved and loaded. */
function accept(peers: Peers, ws: WebSocket, raw: Duplex, upgrade: Upgrade): void {
  const { deps } = peers;
  const peer = new Peer(peers, ws, upgrade.ip);
  ws.on('message', (data: RawData) => peer.receive(data));
  ws.on('close', () => peer.closed());
  ws.on('error', (err) => deps.logger.debug('ws error', { conn: peer.id, err: String(err) }));
  peer.open(raw, upgrade).catch((err: unknown) => {
    deps.logger.error('could not open room', { conn: peer.id, err: String(err) });
    peer.refuse(CloseCode.ServerError, 'could not open the session');
  });
}

/** Counts a connection opening (+1) or closing (-1), in total and for its address. */
function count(peers: Peers, ip: string, delta: 1 | -1): void {
  peers.open += delta;
  const n = (peers.perIp.get(ip) ?? 0) + delta;
  if (n > 0) peers.perIp.set(ip, n);
  else peers.perIp.delete(ip);
  peers.deps.metrics.set(METRIC.connections, 'Open Yjs WebSocket connections', peers.open);
}

/**
 * One client socket at the endpoint: its rate budgets, the frames that arrive while its room loads,
 * and its connection in the room once joined. A class, so each open socket holds one object of a
 * fixed shape instead of a closure context per callback.
 */
class Peer {
  readonly id: string;
  private readonly messages: TokenBucket;
  private readonly bytes: TokenBucket;
  private refused = false;
  /** Frames that arrive while the room loads, replayed in order once it joined. */
  private readonly queued: Uint8Array[] = [];
  private room: Room | null = null;
  private conn: Connection | null = null;

  constructor(
    private readonly peers: Peers,
    private readonly ws: WebSocket,
    private readonly ip: string,
  ) {
    const { limits } = peers.deps;
    this.id = `c${++peers.nextId}`;
    this.messages = new TokenBucket(limits.messageBurst, limits.messagesPerSecond, peers.now);
    this.bytes = new TokenBucket(limits.byteBurst, limits.bytesPerSecond, peers.now);
    count(peers, ip, 1);
  }

  /** Checks the request, resolves the session and joins its room; refuses with a named code otherwise. */
  async open(raw: Duplex, upgrade: Upgrade): Promise<void> {
    const { deps } = this.peers;
    if (!upgrade.originAllowed) return this.refuse(CloseCode.Forbidden, 'origin not allowed');
    if ((this.peers.perIp.get(this.ip) ?? 0) > deps.limits.maxConnectionsPerIp) {
      return this.refuse(CloseCode.TooManyConnections, 'too many connections from your address');
    }
    if (upgrade.room === null) return this.refuse(CloseCode.BadRoom, 'not a session id or view token');
    const found = await deps.sessions.resolve(upgrade.room);
    if (!found) return this.refuse(CloseCode.UnknownSession, 'no such session');
    const room = await deps.rooms.get(found.session.id);
    if (this.ws.readyState !== this.ws.OPEN) {
      // Closed while loading: let the registry unload the room if nobody else uses it.
      deps.rooms.releaseIfUnused(found.session.id);
      return;
    }
    const conn = newConnection(this.id, wsSocket(this.ws, raw), {
      readOnly: found.readOnly,
      acks: upgrade.wantsAcks && !found.readOnly,
      awarenessBudget: new TokenBucket(deps.limits.awarenessBurst, deps.limits.awarenessPerSecond, this.peers.now),
    });
    room.join(conn);
    this.room = room;
    this.conn = conn;
    for (const frame of this.queued.splice(0)) room.receive(conn, frame);
  }

  receive(data: RawData): void {
    if (this.refused) return;
    this.peers.deps.metrics.inc(METRIC.wsMessages, 'Yjs WebSocket messages received and handled');
    const frame = toBytes(data);
    if (!this.messages.take() || !this.bytes.take(frame.byteLength)) {
      this.refuse(CloseCode.RateLimited, 'too many messages: slow down and reconnect');
      return;
    }
    if (this.room && this.conn) this.room.receive(this.conn, frame);
    else if (this.queued.length < MAX_QUEUED_FRAMES) this.queued.push(frame);
    else this.refuse(CloseCode.RateLimited, 'too many messages before the room was ready');
  }

  closed(): void {
    count(this.peers, this.ip, -1);
    if (this.room && this.conn) this.room.leave(this.conn);
    this.room = null;
    this.conn = null;
  }

  refuse(code: number, reason: string): void {
    this.refused = true;
    this.peers.deps.metrics.inc(METRIC.closed, 'Connections closed by the server, by code', { code });
    this.ws.close(code, reason);
  }
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
