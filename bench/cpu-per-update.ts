/**
 * Server CPU per update, without the network: one writer's stream of marker updates goes through
 * Mobflow's room (its real store in a temp dir) and through the reference server's message handler,
 * each with 7 other connections whose sockets are stand-ins that only count bytes. It also runs
 * Mobflow's room with a store that keeps nothing, and the server-owned-state guard alone, so the
 * difference splits into its parts.
 *   npx tsx bench/cpu-per-update.ts        (BENCH_UPDATES=20000 by default)
 * Single-threaded and deterministic in the work it does; the times still move with the machine.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docs, setupWSConnection } from '@y/websocket-server/utils';
import type { WebSocket } from 'ws';
import * as Y from 'yjs';
import { SERVER_OWNED_ROOTS } from '../lib/doc/schema';
import type { SessionId } from '../lib/ids';
import { defaultConfig } from '../server/config';
import { createLogger } from '../server/logger';
import { Metrics } from '../server/metrics';
import { openSqliteStore } from '../server/store/sqlite';
import type { Store } from '../server/store/types';
import { TokenBucket } from '../server/tokenBucket';
import { touchesProtectedRoots } from '../server/yjs/guard';
import { encodeUpdate } from '../server/yjs/messages';
import { type Connection, newConnection, Room } from '../server/yjs/room';
import type { SocketLike } from '../server/yjs/socket';

const UPDATES = Number(process.env.BENCH_UPDATES ?? 20_000);
const WARMUP = 2_000;
const READERS = 7;

interface Result {
  name: string;
  /** CPU (user + system) per update, µs. */
  cpuUs: number;
  wallUs: number;
}

/** The updates a writer sends: each sets one key (one item, and deletes the previous one). */
function writerUpdates(n: number): Uint8Array[] {
  const doc = new Y.Doc();
  const out: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => out.push(u));
  const map = doc.getMap<number>('bench');
  for (let i = 0; i < n; i++) map.set('m', i);
  doc.destroy();
  return out;
}

function measure(name: string, updates: readonly Uint8Array[], feed: (u: Uint8Array) => void): Result {
  for (const u of updates.slice(0, WARMUP)) feed(u);
  const timed = updates.slice(WARMUP);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const u of timed) feed(u);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { name, cpuUs: round((cpu.user + cpu.system) / timed.length), wallUs: round((wall * 1000) / timed.length) };
}

async function mobflowRoom(store: Store): Promise<{ feed(u: Uint8Array): void; close(): Promise<void> }> {
  const config = defaultConfig();
  const room = await Room.load('cpu-bench-session' as SessionId, {
    store,
    logger: createLogger('silent'),
    metrics: new Metrics(),
    limits: config.limits,
    compactAfterUpdates: config.compactAfterUpdates,
    onEmpty: () => undefined,
  });
  const socket: SocketLike = { send: () => undefined, offer: () => 'sent', close: () => undefined, isOpen: true };
  const conns = Array.from({ length: READERS + 1 }, (_, i) =>
    newConnection(`c${i}`, socket, { readOnly: false, acks: false, awarenessBudget: new TokenBucket(10, 10, Date.now) }),
  );
  for (const c of conns) room.join(c);
  const writer = conns[0] as Connection;
  return {
    feed: (u) => room.receive(writer, encodeUpdate(u)),
    close: async () => {
      await room.flush();
      room.destroy();
    },
  };
}

/** A stand-in for a `ws` socket as the reference server uses it. */
class FakeWs extends EventEmitter {
  readyState = 1;
  binaryType = 'arraybuffer';
  bytes = 0;
  send(m: Uint8Array, _opts: unknown, cb?: (err?: Error) => void): void {
    this.bytes += m.byteLength;
    cb?.();
  }
  ping(): void {}
  close(): void {
    this.readyState = 3;
  }
}

function referenceRoom(): { feed(u: Uint8Array): void; close(): void } {
  const conns = Array.from({ length: READERS + 1 }, () => new FakeWs());
  for (const c of conns) setupWSConnection(c as unknown as WebSocket, { url: '/cpu-bench-room' } as Parameters<typeof setupWSConnection>[1]);
  const writer = conns[0] as FakeWs;
  return {
    feed: (u) => {
      const frame = encodeUpdate(u);
      writer.emit('message', frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength));
    },
    close: () => {
      for (const c of conns) c.emit('close');
      // Without persistence the reference keeps its doc (and the awareness timer that would keep this process alive).
      docs.get('cpu-bench-room')?.destroy();
      docs.delete('cpu-bench-room');
    },
  };
}

/** Keeps nothing; numbers appends like a store would. */
function nullStore(): Store {
  let seq = 0;
  const base = openSqliteStore(mkdtempSync(join(tmpdir(), 'mobflow-cpu-null-')));
  return { ...base, appendUpdate: () => ++seq };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

const updates = writerUpdates(UPDATES + WARMUP);
const results: Result[] = [];

const ref = referenceRoom();
results.push(measure('reference: apply + broadcast to 7', updates, ref.feed));
ref.close();

const dir = mkdtempSync(join(tmpdir(), 'mobflow-cpu-'));
const store = openSqliteStore(dir);
const mobflow = await mobflowRoom(store);
results.push(measure('mobflow: guard + apply + log append + broadcast to 7', updates, mobflow.feed));
await mobflow.close();
await store.close();
rmSync(dir, { recursive: true, force: true });

const empty = nullStore();
const noStore = await mobflowRoom(empty);
results.push(measure('mobflow with a store that keeps nothing', updates, noStore.feed));
await noStore.close();
await empty.close();

const guardDoc = new Y.Doc();
results.push(
  measure('server-owned-state guard alone', updates, (u) => {
    touchesProtectedRoots(guardDoc, u, SERVER_OWNED_ROOTS);
    Y.applyUpdate(guardDoc, u);
  }),
);

for (const r of results) console.log(`${r.name.padEnd(60)} ${String(r.cpuUs).padStart(7)} µs cpu  ${String(r.wallUs).padStart(7)} µs wall`);
console.log(JSON.stringify({ updates: UPDATES, readers: READERS, results }));
