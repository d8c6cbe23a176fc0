/**
 * The transport adapter: room logic sees a socket of three members. Only wsSocket() knows `ws`.
 */
import type { WebSocket } from 'ws';

export interface SocketLike {
  send(data: Uint8Array): void;
  close(code: number, reason: string): void;
  /** Bytes queued but not yet written to the network. */
  readonly bufferedAmount: number;
  readonly isOpen: boolean;
}

export function wsSocket(ws: WebSocket): SocketLike {
  return {
    send: (data) => ws.send(data, { binary: true }),
    close: (code, reason) => ws.close(code, reason.slice(0, 120)),
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    get isOpen() {
      return ws.readyState === ws.OPEN;
    },
  };
}
