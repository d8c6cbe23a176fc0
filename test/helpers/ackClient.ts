/**
 * A y-websocket provider that asks for "saved" acks, and knows which of its own writes the server
 * has confirmed as durable.
 */
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { SHARED_ROOT } from '../../lib/doc/schema';
import { newMemberId } from '../../lib/ids';
import { type AckState, ackingWebSocket } from '../../lib/protocol/ackSocket';
import { ACKS_PARAM, SAVED_MESSAGE } from '../../lib/protocol/saved';

/**
 * Writes are roster entries named after their key: one schema-valid entry per write (a plain map
 * key would be refused by the server's check), found again by name.
 */
export function writeKey(doc: Y.Doc, key: string, rank: number): void {
  const m = new Y.Map<unknown>();
  m.set('name', key);
  m.set('rank', rank);
  doc.getMap(SHARED_ROOT.members).set(newMemberId(), m);
}

/** Every key written into `doc` so far. */
export function writtenKeys(doc: Y.Doc): Set<string> {
  const out = new Set<string>();
  for (const m of doc.getMap<Y.Map<unknown>>(SHARED_ROOT.members).values()) {
    const name = m instanceof Y.Map ? m.get('name') : undefined;
    if (typeof name === 'string') out.add(name);
  }
  return out;
}

export interface AckClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  acks: AckState;
  /** Sets key=value and remembers which connection message carried it. */
  write(key: string, value: unknown): void;
  /** Keys the server has acknowledged as stored. */
  saved(): string[];
  /** Close codes of every connection this client lost (a code it cannot recover from is 4400–4499). */
  closes: number[];
  destroy(): void;
}

/**
 * `wsUrl` may list several servers (a cluster's instances): the client starts on the first and,
 * whenever its connection drops, reconnects to the next one, as a load balancer would send it.
 */
export function ackClient(wsUrl: string | readonly string[], room: string): AckClient {
  const urls = typeof wsUrl === 'string' ? [wsUrl] : wsUrl;
  let at = 0;
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
  const provider = new WebsocketProvider(urls[0] as string, room, doc, {
    WebSocketPolyfill: Counting as unknown as typeof globalThis.WebSocket,
    params: { [ACKS_PARAM]: '1' },
    disableBc: true,
    maxBackoffTime: 300,
  });
  provider.messageHandlers[SAVED_MESSAGE] = () => undefined;
  const closes: number[] = [];
  provider.on('connection-close', (event: CloseEvent | null) => {
    if (event) closes.push(event.code);
  });
  // No presence: a bare {} state names nobody and the server would refuse it (noise in the log).
  provider.awareness.setLocalState(null);
  if (urls.length > 1) {
    provider.on('status', ({ status }: { status: string }) => {
      if (status !== 'disconnected') return;
      at = (at + 1) % urls.length;
      provider.serverUrl = urls[at] as string; // the next attempt goes to the next instance
    });
  }
  return {
    doc,
    provider,
    acks,
    write(key, value) {
      const before = acks.sent;
      writeKey(doc, key, typeof value === 'number' ? value : 0);
      // The provider sent the update synchronously if its socket is open; otherwise it goes out with
      // the next sync. Only a write this connection carried can be confirmed by its acks: y-websocket
      // still says connected while the server's close is under way (the socket is closing and the
      // update is not sent), and counting that write under the last message's ack would call it
      // saved when it never left.
      if (acks.sent > before) pending.push({ key, gen: generation, n: acks.sent });
    },
    saved: () => [...confirmed],
    closes,
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}
