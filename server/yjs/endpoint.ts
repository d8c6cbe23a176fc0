/**
 * The /yjs/<token>[/server] WebSocket endpoint: accepts the upgrade, establishes who the connection
 * is (the link's kind, and the member its token proves), loads the room and joins the connection to
 * one of its two documents. Failures close this socket with a named code and touch nothing else.
 *
 *   /yjs/<token>          the shared document (roster, task text): writable with the edit link
 *   /yjs/<token>/server   the server's document (settings, rotation, turns, decisions): read-only
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { DocKind } from '../../lib/doc/schema';
import { CloseCode } from '../../lib/protocol/closeCodes';
import { HEARTBEAT, HEARTBEAT_PARAM } from '../../lib/protocol/heartbeat';
import { MEMBER_PARAM } from '../../lib/protocol/members';
import { ACKS_PARAM } from '../../lib/protocol/saved';
import type { AddressBook } from '../addressBook';
import type { Limits } from '../config';
import { isHandshakeAllowed, type SiteRules } from '../http/security';
import type { Clock, Logger } from '../logger';
import { verifyMemberToken } from '../memberTokens';
import { METRIC, type Metrics } from '../metrics';
import type { Rooms } from '../rooms';
import type { Sessions } from '../sessions';
import type { TimerSource } from '../timer/timerSource';
import { Connection } from './connection';
import { type ReceiverDeps, receive } from './receiver';
import type { Room } from './room';
import { wsSocket } from './socket';

export const YJS_PREFIX = '/yjs/';
/** Frames a client may send before its room has loaded; more is refused as flooding. */
const MAX_QUEUED_FRAMES = 64;

export interface EndpointDeps {
  rooms: Rooms;
  sessions: Sessions;
  logger: Logger;
  metrics: Metrics;
  limits: Limits;
  site: SiteRules;
  addresses: AddressBook;
  clock: Clock;
  timers: TimerSource;
}

/** What the endpoint needs from an upgrade request, read before the upgrade (nothing keeps the request). */
interface Upgrade {
  token: string | null;
  channel: DocKind;
  memberToken: string | null;
  wantsAcks: boolean;
  wantsHeartbeat: boolean;
  ip: string;
  allowed: boolean;
}

export function createYjsEndpoint(deps: EndpointDeps) {
  // ws enforces a hard ceiling well above the limit, so frames just past the limit reach the room
  // and get our named close code instead of ws's generic 1009. No permessage-deflate: messages are
  // written as ready-made frames beside ws's own sends (socket.ts), which needs ws never to queue.
  const wss = new WebSocketServer({ noServer: true, maxPayload: deps.limits.maxFrameBytes * 2, perMessageDeflate: false });
  const live = new Set<Peer>();
  let nextId = 0;

  // Heartbeat connections the server has not heard from for a while are dropped, so their member
  // shows as offline to the others within seconds (lib/protocol/heartbeat.ts).
  let sweeping: unknown = null;
  const sweep = () => {
    const deadline = deps.clock.now() - HEARTBEAT.serverTimeoutMs;
    for (const p of live) p.dropIfSilent(deadline);
    sweeping = deps.timers.setTimeout(sweep, HEARTBEAT.intervalMs);
  };
  sweeping = deps.timers.setTimeout(sweep, HEARTBEAT.intervalMs);

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, pathname: string): void {
    const params = new URL(req.url ?? '/', 'http://x').searchParams;
    const [token, channel] = parseRoomPath(pathname.slice(YJS_PREFIX.length));
    const upgrade: Upgrade = {
      token,
      channel,
      memberToken: params.get(MEMBER_PARAM),
      wantsAcks: params.get(ACKS_PARAM) === '1',
      wantsHeartbeat: params.get(HEARTBEAT_PARAM) === '1',
      ip: req.socket.remoteAddress ?? 'unknown',
      allowed: isHandshakeAllowed(req, deps.site),
    };
    wss.handleUpgrade(req, socket, head, (ws) => {
      const peer = new Peer(deps, ws, socket, upgrade, `c${++nextId}`);
      live.add(peer);
      ws.on('close', () => live.delete(peer));
    });
  }

  /** Closes every socket with GoingAway (clients reconnect); sockets that do not finish the close handshake within a second are cut. */
  async function close(): Promise<void> {
    if (sweeping !== null) deps.timers.clearTimeout(sweeping);
    sweeping = null;
    for (const ws of wss.clients) ws.close(CloseCode.GoingAway, 'server restarting');
    const deadline = Date.now() + 1000;
    while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  return { handleUpgrade, close };
}

/** `<token>` or `<token>/server`; a null token when the segment cannot be one. */
function parseRoomPath(path: string): [string | null, DocKind] {
  const clean = path.split('?')[0] ?? '';
  const m = /^([A-Za-z0-9_-]{1,64})(\/server)?$/.exec(clean);
  return m ? [m[1] ?? null, m[2] ? 'server' : 'shared'] : [null, 'shared'];
}

/**
 * One upgraded socket: refused with a named code, or a Connection that joins its room once loaded.
 * Frames that arrive meanwhile are counted against its budgets and replayed in order.
 */
class Peer {
  private conn: Connection | null = null;
  private room: Room | null = null;
  private readonly queued: Uint8Array[] = [];
  private counted = false;
  private refused = false;
  private readonly receiverDeps: ReceiverDeps;

  constructor(
    private readonly deps: EndpointDeps,
    private readonly ws: WebSocket,
    raw: Duplex,
    upgrade: Upgrade,
    readonly id: string,
  ) {
    this.receiverDeps = { limits: deps.limits, metrics: deps.metrics, logger: deps.logger, now: () => deps.clock.now() };
    ws.on('message', (data: RawData) => this.receive(toBytes(data)));
    ws.on('close', () => this.closed(upgrade.ip));
    ws.on('error', (err) => deps.logger.debug('ws error', { conn: id, err: String(err) }));
    this.open(raw, upgrade).catch((err: unknown) => {
      deps.logger.error('could not open room', { conn: id, err: String(err) });
      this.refuse(CloseCode.ServerError, 'could not open the session');
    });
  }

  private async open(raw: Duplex, upgrade: Upgrade): Promise<void> {
    const { deps } = this;
    if (!upgrade.allowed) return this.refuse(CloseCode.Forbidden, 'origin or host not allowed');
    if (!deps.addresses.tryOpen(upgrade.ip)) return this.refuse(CloseCode.TooManyConnections, 'too many connections from your address');
    this.counted = true;
    if (upgrade.token === null) return this.refuse(CloseCode.BadRoom, 'not a session link');
    const found = await deps.sessions.resolve(upgrade.token);
    if (!found) return this.refuse(CloseCode.UnknownSession, 'no such session');
    let memberId = null;
    if (upgrade.memberToken !== null && found.kind === 'edit') {
      memberId = verifyMemberToken(found.session.memberKey, upgrade.memberToken);
      if (!memberId) return this.refuse(CloseCode.Forbidden, 'member token does not belong to this session: join again');
    }
    const conn = new Connection({
      id: this.id,
      socket: wsSocket(this.ws, raw),
      kind: found.kind,
      token: upgrade.token,
      channel: upgrade.channel,
      memberId,
      acks: upgrade.wantsAcks && found.kind === 'edit' && upgrade.channel === 'shared',
      heartbeat: upgrade.wantsHeartbeat,
      limits: deps.limits,
      now: () => deps.clock.now(),
      onClose: (code) => deps.metrics.inc(METRIC.closed, 'Connections closed by the server, by code', { code }),
    });
    this.conn = conn;
    const room = await deps.rooms.get(found.session.id);
    if (this.ws.readyState !== this.ws.OPEN) {
      // Closed while loading: let the registry unload the room if nobody else uses it.
      deps.rooms.releaseIfUnused(found.session.id);
      return;
    }
    // The link may have been replaced while the room loaded.
    if (deps.sessions.isRevoked(upgrade.token)) return this.refuse(CloseCode.LinkReplaced, 'this link was replaced: ask your team for the new one');
    room.join(conn);
    this.room = room;
    for (const frame of this.queued.splice(0)) receive(this.receiverDeps, room, conn, frame);
  }

  private receive(frame: Uint8Array): void {
    if (this.refused) return;
    this.deps.metrics.inc(METRIC.wsMessages, 'Yjs WebSocket messages received and handled');
    const conn = this.conn;
    if (conn && !conn.admit(frame)) return;
    if (conn && this.room) receive(this.receiverDeps, this.room, conn, frame);
    else if (this.queued.length < MAX_QUEUED_FRAMES) this.queued.push(frame);
    else this.refuse(CloseCode.RateLimited, 'too many messages before the room was ready');
  }

  dropIfSilent(deadline: number): void {
    if (this.conn?.heartbeat && this.conn.lastHeard < deadline) this.conn.drop();
  }

  private closed(ip: string): void {
    if (this.counted) this.deps.addresses.close(ip);
    this.counted = false;
    if (this.room && this.conn) this.room.leave(this.conn);
    this.room = null;
  }

  private refuse(code: number, reason: string): void {
    if (this.refused) return;
    this.refused = true;
    if (this.conn) this.conn.close(code, reason);
    else {
      this.deps.metrics.inc(METRIC.closed, 'Connections closed by the server, by code', { code });
      this.ws.close(code, reason);
    }
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
