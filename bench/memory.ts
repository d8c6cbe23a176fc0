/**
 * Memory: RSS per idle loaded session (each with one connected client and a small realistic doc),
 * and RSS once every session closed, against the empty server's baseline.
 */
import * as Y from 'yjs';
import { MEMBER_KEY, ROOT } from '../lib/doc/schema';
import { closeAll, connectMany, LeanClient } from './client';
import type { BenchConfig } from './config';
import { rssBytes } from './procstat';
import { encodeUpdateMessage } from './protocol';
import type { BenchServer } from './servers';
import { delay } from './stats';

/** Lets the server finish writes and settle before RSS is read. */
const SETTLE_MS = 1_500;
const RSS_SAMPLE_MS = 500;
const RSS_STABLE_SAMPLES = 16;
const RSS_SETTLE_TIMEOUT_MS = 20_000;
const MEMBERS = 6;
const DECISIONS = 10;

export interface IdleMemoryResult {
  sessions: number;
  rssBefore: number;
  rssLoaded: number;
  /** (rssLoaded - rssBefore) / sessions, bytes; includes the one idle connection per session. */
  perSession: number;
}

export interface ClosedMemoryResult {
  baseline: number;
  afterClose: number;
  /** Rooms still held in memory after every client left (the reference server never drops docs). */
  roomsLeft: number;
  /** afterClose / baseline - 1. */
  growth: number;
}

export async function runIdleMemory(server: BenchServer, cfg: BenchConfig): Promise<{ result: IdleMemoryResult; clients: LeanClient[] }> {
  await server.unloaded();
  const rooms = await server.createRooms(cfg.idleSessions);
  await delay(SETTLE_MS);
  const rssBefore = rssBytes(server.pid);
  const { clients } = await connectMany(rooms.length, (i) => new LeanClient(server.roomUrl(rooms[i] ?? '')));
  for (const c of clients) c.send(encodeUpdateMessage(smallSession()));
  await delay(SETTLE_MS);
  const rssLoaded = rssBytes(server.pid);
  return { result: { sessions: rooms.length, rssBefore, rssLoaded, perSession: (rssLoaded - rssBefore) / rooms.length }, clients };
}

export async function closeAndMeasure(server: BenchServer, clients: LeanClient[], baseline: number): Promise<ClosedMemoryResult> {
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
async function settledRss(pid: number): Promise<number> {
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

/** What a small live session holds: a roster and a few decisions, written by one client. */
function smallSession(): Uint8Array {
  const doc = new Y.Doc();
  doc.transact(() => {
    const members = doc.getMap(ROOT.members);
    for (let i = 0; i < MEMBERS; i++) {
      const m = new Y.Map<unknown>();
      members.set(`member-${i}`, m);
      m.set(MEMBER_KEY.name, `Person ${i}`);
      m.set(MEMBER_KEY.rank, `a${i}`);
      m.set(MEMBER_KEY.away, false);
      m.set(MEMBER_KEY.joinedAt, Date.now());
    }
    const decisions = doc.getArray(ROOT.decisions);
    for (let i = 0; i < DECISIONS; i++) {
      decisions.push([{ id: `d${i}`, seq: i + 1, title: `Decision ${i}`, rationale: 'Because it keeps the mob moving.', at: Date.now() }]);
    }
  });
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}
