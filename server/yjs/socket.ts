/**
 * The transport adapter: room logic sees a socket of a few members. Only wsSocket() knows `ws`.
 */
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { binaryFrame } from './wsFrame';

/** A message that may go to many sockets: each transport encodes it for the wire once, not per socket. */
export interface Shared {
  readonly data: Uint8Array;
  /** The WebSocket frame, made by the first socket that sends it. */
  frame?: Buffer;
}

export const shared = (data: Uint8Array): Shared => ({ data });

export interface SocketLike {
  /** Queues a message (never blocks); the caller checks `buffered` first (connection.ts). */
  send(msg: Shared): void;
  /** Bytes queued for the network and not yet written. */
  readonly buffered: number;
  close(code: number, reason: string): void;
  /** Drops the connection without a closing handshake (a peer that stopped answering). */
  terminate(): void;
  readonly isOpen: boolean;
}

/**
 * `raw` is the stream `ws` was upgraded on. Messages go to it as one ready-made frame (made once per
 * message, however many sockets it goes to), which keeps their order with ws's own control frames
 * only because nothing makes ws queue a send: the server never enables permessage-deflate and
 * never sends Blobs (endpoint.ts).
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

  send(msg: Shared): void {
    msg.frame ??= binaryFrame(msg.data);
    this.raw.write(msg.frame);
  }

  get buffered(): number {
    return this.ws.bufferedAmount;
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason.slice(0, 120));
  }

  terminate(): void {
    this.ws.terminate();
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }
}
