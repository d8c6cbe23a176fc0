/**
 * One client's WebSocket on one of a session's documents: who it is (which link opened it, which
 * member it proved it is), its budgets, the presence ids it owns, what it sent (for "saved" acks),
 * and the one bounded path every message to it goes through.
 *
 * Identity comes from the connection, established by the endpoint before anything is read: the
 * link's kind (edit or view) and, with a member token, the member. A view connection, and any
 * connection to the server document, is read-only.
 */
import type { LinkKind } from '../../lib/capability';
import type { DocKind } from '../../lib/doc/schema';
import type { Origin } from '../../lib/doc/origins';
import type { MemberId } from '../../lib/ids';
import { CloseCode } from '../../lib/protocol/closeCodes';
import { HEARTBEAT_FRAME } from '../../lib/protocol/heartbeat';
import type { Limits } from '../config';
import { TokenBucket } from '../tokenBucket';
import { type Shared, type SocketLike, shared } from './socket';

/** Sync step 1 requests: one per (re)connect is normal; a client repeating them is refused (4008). */
export const SYNC_REQUESTS = { burst: 4, perSecond: 0.2 } as const;
/**
 * A sync request is answered only when the connection has less than this queued: a client that
 * asks again without reading the last answer is not reading at all (closed as a slow consumer).
 */
export const SYNC_REPLY_BACKLOG_BYTES = 64 * 1024;

const HEARTBEAT_REPLY: Shared = shared(HEARTBEAT_FRAME);

export interface ConnectionInit {
  id: string;
  socket: SocketLike;
  kind: LinkKind;
  /** The link token it was opened with, so replacing that link closes it. */
  token: string;
  channel: DocKind;
  memberId: MemberId | null;
  acks: boolean;
  heartbeat: boolean;
  limits: Limits;
  now: () => number;
  /** Called once when the server closes it (for the metric of closes by code). */
  onClose(code: number, reason: string): void;
}

export class Connection {
  readonly id: string;
  readonly kind: LinkKind;
  readonly token: string;
  readonly channel: DocKind;
  readonly memberId: MemberId | null;
  readonly acks: boolean;
  readonly heartbeat: boolean;
  /** The transaction origin of this connection's writes (compared by identity). */
  readonly origin: Origin;
  /** Awareness client ids this connection has set; no other connection may set them. */
  readonly awarenessIds = new Set<number>();
  /** Document messages received so far (what a saved ack counts). */
  received = 0;
  /** Updates in a row that depended on changes the server lacks (each answered with a resync request). */
  unresolvedStreak = 0;
  /** When the first of those arrived (deps.now()), or null. */
  unresolvedSince: number | null = null;
  /** When the client was last heard from (heartbeat connections are dropped when silent too long). */
  lastHeard: number;
  readonly awarenessBudget: TokenBucket;
  private readonly messages: TokenBucket;
  private readonly bytes: TokenBucket;
  private readonly syncRequests: TokenBucket;
  private closedByServer = false;

  constructor(
    private readonly init: ConnectionInit,
    readonly socket: SocketLike = init.socket,
  ) {
    this.id = init.id;
    this.kind = init.kind;
    this.token = init.token;
    this.channel = init.channel;
    this.memberId = init.memberId;
    this.acks = init.acks;
    this.heartbeat = init.heartbeat;
    this.origin = { source: 'client', connectionId: init.id };
    const { limits, now } = init;
    this.lastHeard = now();
    this.messages = new TokenBucket(limits.messageBurst, limits.messagesPerSecond, now);
    this.bytes = new TokenBucket(limits.byteBurst, limits.bytesPerSecond, now);
    this.awarenessBudget = new TokenBucket(limits.awarenessBurst, limits.awarenessPerSecond, now);
    this.syncRequests = new TokenBucket(SYNC_REQUESTS.burst, SYNC_REQUESTS.perSecond, now);
  }

  /** Read-only: a watch link, or the server's document (which no client writes). */
  get readOnly(): boolean {
    return this.kind === 'view' || this.channel === 'server';
  }

  get isOpen(): boolean {
    return this.socket.isOpen && !this.closedByServer;
  }

  /** Counts an incoming frame against the budgets; false (and closed) when over them. */
  admit(frame: Uint8Array): boolean {
    if (this.closedByServer) return false;
    this.lastHeard = this.init.now();
    if (!this.messages.take() || !this.bytes.take(frame.byteLength)) {
      this.close(CloseCode.RateLimited, 'too many messages: slow down and reconnect');
      return false;
    }
    return true;
  }

  /** Whether a sync request may be answered now; closes the connection when it may not. */
  admitSyncRequest(): boolean {
    if (!this.syncRequests.take()) {
      this.close(CloseCode.RateLimited, 'too many sync requests: reconnect to resync');
      return false;
    }
    if (this.socket.buffered > SYNC_REPLY_BACKLOG_BYTES) {
      this.close(CloseCode.SlowConsumer, 'asked to sync again without reading: reconnect to resync');
      return false;
    }
    return true;
  }

  /**
   * Sends unless the socket is closed or already has more than the limit queued, in which case the
   * client is too far behind to catch up and is closed (4009): memory per connection stays bounded.
   */
  send(msg: Shared): boolean {
    if (!this.isOpen) return false;
    if (this.socket.buffered > this.init.limits.maxBufferedBytes) {
      this.close(CloseCode.SlowConsumer, 'too far behind: reconnect to resync');
      return false;
    }
    this.socket.send(msg);
    return true;
  }

  answerHeartbeat(): void {
    this.send(HEARTBEAT_REPLY);
  }

  close(code: number, reason: string): void {
    if (this.closedByServer) return;
    this.closedByServer = true;
    this.init.onClose(code, reason);
    this.socket.close(code, reason);
  }

  /** A heartbeat connection that went silent: no closing handshake can reach it. */
  drop(): void {
    if (this.closedByServer) return;
    this.closedByServer = true;
    this.init.onClose(CloseCode.GoingAway, 'no heartbeat');
    this.socket.terminate();
  }
}
