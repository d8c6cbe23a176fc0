/**
 * One lean load-generator connection over `ws`: sends sync step 1, reports when sync step 2 arrives
 * (the join time), and hands update / awareness markers to the scenario. A Writer adds a Y.Doc whose
 * updates carry their sequence number as the struct clock (see protocol.ts).
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { decodeFrame, encodeEmptySyncStep1, encodeUpdateMessage, type Marker } from './protocol';

export interface ClientHandlers {
  onUpdate?(marker: Marker, at: number): void;
  /** The whole update, for the few scenarios that must look past the first struct. */
  onUpdatePayload?(update: Uint8Array): void;
  onAwareness?(markers: Marker[], at: number): void;
}

export interface Synced {
  /** Milliseconds from opening the socket to receiving sync step 2. */
  ms: number;
  update: Uint8Array;
}

/** How long a connection may take to join before the scenario gives up on it. */
const JOIN_TIMEOUT_MS = 30_000;

export class LeanClient {
  private readonly ws: WebSocket;
  readonly synced: Promise<Synced>;
  closeCode: number | null = null;

  constructor(url: string, handlers: ClientHandlers = {}) {
    const started = performance.now();
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws.binaryType = 'nodebuffer';
    this.synced = new Promise<Synced>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`join timed out: ${url}`)), JOIN_TIMEOUT_MS);
      this.ws.on('open', () => this.ws.send(encodeEmptySyncStep1()));
      this.ws.on('message', (data: Buffer) => {
        const at = performance.now();
        const frame = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        switch (frame.kind) {
          case 'syncStep2':
            clearTimeout(timer);
            resolve({ ms: at - started, update: frame.update });
            return;
          case 'update':
            if (frame.marker) handlers.onUpdate?.(frame.marker, at);
            handlers.onUpdatePayload?.(frame.update);
            return;
          case 'awareness':
            handlers.onAwareness?.(frame.markers, at);
            return;
          case 'syncStep1':
          case 'other':
            return;
          default:
            assertNever(frame);
        }
      });
      this.ws.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      this.ws.on('close', (code) => {
        this.closeCode = code;
        clearTimeout(timer);
        reject(new Error(`closed with ${code} before joining`));
      });
    });
    // A scenario that never awaits `synced` must not crash the run on a rejected join.
    this.synced.catch(() => undefined);
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(frame: Uint8Array): void {
    if (this.isOpen) this.ws.send(frame);
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** A client that writes marker updates; `sentAt[clock]` is the send time of each. */
export class Writer {
  readonly doc = new Y.Doc();
  readonly sentAt: number[] = [];
  private readonly map = this.doc.getMap<number>('bench');

  constructor(readonly client: LeanClient) {
    this.doc.on('update', (update: Uint8Array) => client.send(encodeUpdateMessage(update)));
  }

  get clientId(): number {
    return this.doc.clientID;
  }

  /** Writes the next marker; each set makes one item, so its clock is its index in sentAt. */
  write(): void {
    this.sentAt.push(performance.now());
    this.map.set('m', this.sentAt.length - 1);
  }
}

/** Opens `count` clients, at most `concurrency` joining at a time; resolves when all joined. */
export async function connectMany(
  count: number,
  make: (i: number) => LeanClient,
  concurrency = 100,
): Promise<{ clients: LeanClient[]; joinMs: number[] }> {
  const clients: LeanClient[] = new Array(count);
  const joinMs: number[] = new Array(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const c = make(i);
      clients[i] = c;
      joinMs[i] = (await c.synced).ms;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { clients, joinMs };
}

export async function closeAll(clients: readonly LeanClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.close()));
}

function assertNever(x: never): never {
  throw new Error(`unexpected frame ${JSON.stringify(x)}`);
}
