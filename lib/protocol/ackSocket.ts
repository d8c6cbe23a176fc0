/**
 * Client side of the "saved" acknowledgement (see saved.ts): a WebSocket subclass for the
 * y-websocket provider that counts the document messages it sends and the server's saved count.
 * Works with the browser WebSocket and with `ws` in Node (both have addEventListener).
 */
import { decodeSaved, isDocumentMessage } from './saved';

export interface AckState {
  /** Document messages sent on the current connection. */
  sent: number;
  /** How many of them the server has stored durably. */
  saved: number;
}

type WebSocketClass = new (url: string | URL, protocols?: string | string[]) => WebSocket;

function bytesOf(data: unknown): Uint8Array | null {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

/** Returns a WebSocket class that keeps `state` up to date and calls `onChange` after each change. */
export function ackingWebSocket<T extends WebSocketClass>(Base: T, state: AckState, onChange: () => void): T {
  // The subclass keeps Base's statics (OPEN, CLOSED...), so it is a T.
  return class AckingWebSocket extends (Base as WebSocketClass) {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      // A new connection starts both counts again (the server counts per connection).
      state.sent = 0;
      state.saved = 0;
      onChange();
      this.addEventListener('message', (event: MessageEvent) => {
        const bytes = bytesOf(event.data);
        const n = bytes ? decodeSaved(bytes) : null;
        if (n !== null && n > state.saved) {
          state.saved = n;
          onChange();
        }
      });
    }

    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      const bytes = bytesOf(data);
      if (bytes && isDocumentMessage(bytes)) {
        state.sent++;
        onChange();
      }
      super.send(data);
    }
  } as T;
}

/** True when everything sent on this connection is stored. */
export const allSaved = (s: AckState): boolean => s.saved >= s.sent;
