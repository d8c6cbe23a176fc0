/**
 * A y-websocket provider that asks for "saved" acks, and knows which of its own writes the server
 * has confirmed as durable.
 */
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { type AckState, ackingWebSocket } from '../../lib/protocol/ackSocket';
import { ACKS_PARAM, SAVED_MESSAGE } from '../../lib/protocol/saved';

export interface AckClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  acks: AckState;
  /** Sets key=value and remembers which connection message carried it. */
  write(key: string, value: unknown): void;
  /** Keys the server has acknowledged as stored. */
  saved(): string[];
  destroy(): void;
}

export function ackClient(wsUrl: string, room: string): AckClient {
  const doc = new Y.Doc();
  const acks: AckState = { sent: 0, saved: 0 };
  let generation = 0;
  const pending: { key: string; gen: number; n: number }[] = [];
  const confirmed: string[] = [];
  const onChange = () => {
    for (let i = pending.length - 1; i >= 0; i--) {
      const p = pending[i] as (typeof pending)[number];
      if (p.gen === generation && acks.saved >= p.n) {
        confirmed.push(p.key);
        pending.splice(i, 1);
      }
    }
  };
  const Base = ackingWebSocket(WebSocket as unknown as typeof globalThis.WebSocket, acks, () => onChange());
  const Counting = class extends Base {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      generation++;
    }
  };
  const provider = new WebsocketProvider(wsUrl, room, doc, {
    WebSocketPolyfill: Counting as unknown as typeof globalThis.WebSocket,
    params: { [ACKS_PARAM]: '1' },
    disableBc: true,
    maxBackoffTime: 300,
  });
  provider.messageHandlers[SAVED_MESSAGE] = () => undefined;
  return {
    doc,
    provider,
    acks,
    write(key, value) {
      doc.getMap('log').set(key, value);
      // The provider sent the update synchronously if it is connected; otherwise it goes out with the next sync.
      if (provider.wsconnected) pending.push({ key, gen: generation, n: acks.sent });
    },
    saved: () => [...confirmed],
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}
