/**
 * The transport adapter: room logic sees a socket of a few members. Only wsSocket() knows `ws`.
 */
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { binaryFrame } from './wsFrame';

/** A message sent to many sockets: each transport encodes it for the wire once, not per socket. */
export interface Shared {
  readonly data: Uint8Array;
  /** The WebSocket frame, made by the first socket that sends it. */
  frame?: Buffer;
}

export type Offered = 'sent' | 'closed' | 'behind';

export interface SocketLike {
  send(data: Uint8Array): void;
  /**
   * Sends a shared message unless the socket is no longer open ('closed') or already has more than
   * `maxBuffered` bytes queued for the network ('behind').
   */
  offer(msg: Shared, maxBuffered: number): Offered;
  close(code: number, reason: string): void;
  readonly isOpen: boolean;
}

/**
 * `raw` is the stream `ws` was upgraded on. Shared messages go to it as one ready-made frame, which
 * keeps their order with ws's own sends only because nothing makes ws queue a send: the server
 * never enables permessage-deflate and never sends Blobs (endpoint.ts).
 */
export function wsSocket(ws: WebSocket, raw: Duplex): SocketLike {
  return new WsSocket(ws, raw);
}

/**
 * A class, not an object literal of closures: every connection's socket then shares one shape and
 * one set of methods, so a broadcast's loop over a room's sockets stays monomorphic.
 */
class WsSocket implements SocketLike {
  constructor(
    private readonly ws: WebSocket,
    private readonly raw: Duplex,
  ) {}

  send(data: Uint8Array): void {
    this.ws.send(data, { binary: true });
  }

  offer(msg: Shared, maxBuffered: number): Offered {
    if (!this.isOpen) return 'closed';
    if (this.ws.bufferedAmount > maxBuffered) return 'behind';
    msg.frame ??= binaryFrame(msg.data);
    this.raw.write(msg.frame);
    return 'sent';
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason.slice(0, 120));
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }
}
