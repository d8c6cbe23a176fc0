/**
 * Memory: RSS per idle loaded session (each with one connected client and a small realistic doc),
 * and RSS once every session closed, against the empty server's baseline.
 */
import * as Y from 'yjs';
import { joinMember } from '../lib/members';
import { addTask } from '../lib/task';
import { closeAll, connectMany, SessionClient } from './client';
import type { BenchConfig } from './config';
import { rssBytes } from './procstat';
import { encodeUpdateMessage, oneDoc } from './protocol';
import type { BenchServer } from './servers';
import { delay } from './stats';

/** Lets the server finish writes and settle before RSS is read. */
const SETTLE_MS = 1_500;
const RSS_SAMPLE_MS = 500;
const RSS_STABLE_SAMPLES = 16;
const RSS_SETTLE_TIMEOUT_MS = 20_000;
const MEMBERS = 6;
const TASKS = 3;

export interface IdleMemoryResult {
  sessions: number;
  rssBefore: number;
  rssLoaded: number;
  /** (rssLoaded - rssBefore) / sessions, bytes; includes the one idle client per session. */
  perSession: number;
  /** Clients the server closed while they were loading their session (should be 0: the figure would not be of loaded sessions). */
  closedClients: number;
}

export interface ClosedMemoryResult {
  baseline: number;
  afterClose: number;
  /** Rooms still held in memory after every client left (the reference server never drops docs). */
  roomsLeft: number;
  /** afterClose / baseline - 1. */
  growth: number;
}

export async function runIdleMemory(server: BenchServer, cfg: BenchConfig): Promise<{ result: IdleMemoryResult; clients: SessionClient[] }> {
  await server.unloaded();
  const rooms = await server.createRooms(cfg.idleSessions);
  await delay(SETTLE_MS);
  const rssBefore = rssBytes(server.pid);
  const { clients } = await connectMany(rooms.length, (i) => new SessionClient(server.joinUrls(rooms[i] ?? '')));
  for (const c of clients) c.send(encodeUpdateMessage(smallSession()));
  await delay(SETTLE_MS);
  const rssLoaded = rssBytes(server.pid);
  const closedClients = clients.filter((c) => c.closeCode !== null).length;
  return { result: { sessions: rooms.length, rssBefore, rssLoaded, perSession: (rssLoaded - rssBefore) / rooms.length, closedClients }, clients };
}

export async function closeAndMeasure(server: BenchServer, clients: SessionClient[], baseline: number): Promise<ClosedMemoryResult> {
  await closeAll(clients);
  await server.unloaded();
  const afterClose = await settledRss(server.pid);
  return { baseline, afterClose, roomsLeft: await server.roomsLoaded(), growth: afterClose / baseline - 1 };
}

/**
 * RSS once it stops falling: sampled every RSS_SAMPLE_MS until RSS_STABLE_SAMPLES samples in a row
 * are no lower than the lowest so far, or RSS_SETTLE_TIMEOUT_MS passed. A server that frees memory
 * after its sessions close (Mobflow's idle release) gets the seconds it takes; one that does not
 * is read as soon as it is stable.
 */
export async function settledRss(pid: number): Promise<number> {
  const deadline = performance.now() + RSS_SETTLE_TIMEOUT_MS;
  let lowest = rssBytes(pid);
  let stable = 0;
  while (stable < RSS_STABLE_SAMPLES && performance.now() < deadline) {
    await delay(RSS_SAMPLE_MS);
    const rss = rssBytes(pid);
    if (rss < lowest) {
      lowest = rss;
      stable = 0;
    } else stable++;
  }
  return lowest;
}

/**
 * What a small live session holds that its clients write: a roster and a short task queue, made by
 * lib's own edits (schema-valid; the server-owned parts, such as decisions, clients may not write).
 */
function smallSession(): Uint8Array {
  const doc = new Y.Doc();
  const now = Date.now();
  doc.transact(() => {
    for (let i = 0; i < MEMBERS; i++) joinMember(oneDoc(doc), `Person ${i}`, now);
    for (let i = 0; i < TASKS; i++) addTask(oneDoc(doc), { title: `Task ${i}`, why: 'Because it keeps the mob moving.', criteria: ['It works', 'It is tested'] }, now);
  });
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}
