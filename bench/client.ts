/**
 * Lean load-generator connections over `ws`. A LeanClient is one socket: it sends sync step 1,
 * reports when sync step 2 arrives (the join time), and hands update / awareness markers to the
 * scenario. A SessionClient is what a joining client opens: one LeanClient per room path the server
 * says a client must sync (BenchServer.joinUrls). A Writer adds a Y.Doc that applies the sync step 2
 * it receives and writes markers into the task it finds there (see protocol.ts).
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { TASK_KEY, tasksOf } from '../lib/doc/schema';
import { decodeFrame, encodeEmptySyncStep1, encodeUpdateMessage, type Marker, oneDoc } from './protocol';

export interface ClientHandlers {
  onUpdate?(marker: Marker, at: number): void;
  /** The whole update, for the few scenarios that must look past the first struct. */
  onUpdatePayload?(update: Uint8Array): void;
  onAwareness?(markers: Marker[], at: number): void;
  /** The socket closed after it had joined (by the server, or by close()). */
  onClose?(code: number): void;
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

  /** `before`: frames sent as the socket opens, ahead of sync step 1 (a setup client's seed). */
  constructor(url: string, handlers: ClientHandlers = {}, before: readonly Uint8Array[] = []) {
    const started = performance.now();
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws.binaryType = 'nodebuffer';
    this.synced = new Promise<Synced>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`join timed out: ${url}`)), JOIN_TIMEOUT_MS);
      this.ws.on('open', () => {
        for (const frame of before) this.ws.send(frame);
        this.ws.send(encodeEmptySyncStep1());
      });
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
        handlers.onClose?.(code);
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

/** A joined session: sync step 2 of every path, in path order, and how long the slowest took. */
export interface SessionSynced {
  ms: number;
  updates: Uint8Array[];
}

/**
 * One client of one session, as a browser joins it: a socket per room path the server requires
 * (`urls`, the editable document first); joined once every socket has its sync step 2. Writes and
 * presence go to the first socket.
 */
export class SessionClient {
  readonly sockets: LeanClient[];
  readonly synced: Promise<SessionSynced>;

  constructor(urls: readonly string[], handlers: ClientHandlers = {}, before: readonly Uint8Array[] = []) {
    if (urls.length === 0) throw new Error('a session client needs at least one room path');
    this.sockets = urls.map((url, i) => new LeanClient(url, handlers, i === 0 ? before : []));
    this.synced = Promise.all(this.sockets.map((s) => s.synced)).then((all) => ({ ms: Math.max(...all.map((s) => s.ms)), updates: all.map((s) => s.update) }));
    this.synced.catch(() => undefined);
  }

  /** The socket of the editable document. */
  get main(): LeanClient {
    return this.sockets[0] as LeanClient;
  }

  /** The first close code any of its sockets got, or null while all are open. */
  get closeCode(): number | null {
    for (const s of this.sockets) if (s.closeCode !== null) return s.closeCode;
    return null;
  }

  send(frame: Uint8Array): void {
    this.main.send(frame);
  }

  async close(): Promise<void> {
    await Promise.all(this.sockets.map((s) => s.close()));
  }
}

/** The transaction origin of what a writer applies from the server: it is not sent back. */
const FROM_SERVER = Symbol('from server');

/**
 * A client that writes markers: each write sets the `rank` of one task that already exists in the
 * document it synced (created by the HTTP API on Mobflow, by a setup client on the reference), a
 * schema-valid edit that makes exactly one item. Bookkeeping is by the clock each write got, read
 * from the doc: whatever the doc held before, the n-th marker is the item at firstClock + n.
 */
/** What a writer needs of its client (a SessionClient; tests pass a stand-in). */
export type WriterClient = Pick<SessionClient, 'send' | 'synced' | 'close'>;

export class Writer {
  readonly doc = new Y.Doc();
  private task: Y.Map<unknown> | null = null;
  private firstClock = -1;
  private readonly sent: number[] = [];
  /** Caller's tag per marker (the scenario's measurement window), parallel to `sent`. */
  private readonly tags: number[] = [];

  constructor(
    readonly client: WriterClient,
    private readonly taskId: string,
  ) {
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== FROM_SERVER) client.send(encodeUpdateMessage(update));
    });
  }

  get clientId(): number {
    return this.doc.clientID;
  }

  /** Joins, applies the document's sync step 2 and finds the task; throws when it is not there. */
  async ready(): Promise<void> {
    const { updates } = await this.client.synced;
    const [main] = updates;
    if (main) Y.applyUpdate(this.doc, main, FROM_SERVER);
    const task = tasksOf(oneDoc(this.doc)).get(this.taskId);
    if (!(task instanceof Y.Map)) throw new Error(`task ${this.taskId} is not in the synced document`);
    this.task = task;
  }

  /** Writes the next marker, tagged `tag`; returns its clock. */
  write(tag = 0): number {
    const task = this.task;
    if (!task) throw new Error('write before ready()');
    const clock = Y.getState(this.doc.store, this.doc.clientID);
    if (this.firstClock < 0) this.firstClock = clock;
    else if (clock !== this.firstClock + this.sent.length) throw new Error(`marker clock ${clock}, expected ${this.firstClock + this.sent.length}`);
    this.sent.push(performance.now());
    this.tags.push(tag);
    task.set(TASK_KEY.rank, this.sent.length);
    return clock;
  }

  /** Markers written so far. */
  get count(): number {
    return this.sent.length;
  }

  /** Index of the marker at `clock` (0 for the first), or -1 when this writer did not write it. */
  indexOf(clock: number): number {
    const i = clock - this.firstClock;
    return this.firstClock >= 0 && i >= 0 && i < this.sent.length ? i : -1;
  }

  sentAt(index: number): number {
    return this.sent[index] ?? Number.NaN;
  }

  tagOf(index: number): number {
    return this.tags[index] ?? -1;
  }

  destroy(): void {
    this.doc.destroy();
  }
}

/** Opens `count` clients, at most `concurrency` joining at a time; resolves when all joined. */
export async function connectMany<C extends { synced: Promise<{ ms: number }> }>(
  count: number,
  make: (i: number) => C,
  concurrency = 100,
): Promise<{ clients: C[]; joinMs: number[] }> {
  const clients: C[] = new Array(count);
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

export async function closeAll(clients: readonly { close(): Promise<void> }[]): Promise<void> {
  await Promise.all(clients.map((c) => c.close()));
}

function assertNever(x: never): never {
  throw new Error(`unexpected frame ${JSON.stringify(x)}`);
}
