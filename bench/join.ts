/**
 * Join time: connect -> sync step 2 received, for a session whose doc holds many decisions
 * (seeded by a Yjs client writing plain DecisionRecord-shaped objects into doc.getArray('decisions'))
 * and for many clients joining one small session at once (a reconnect storm after a deploy).
 */
import * as Y from 'yjs';
import { decisionsOf, SERVER_ROOT } from '../lib/doc/schema';
import { closeAll, LeanClient, SessionClient } from './client';
import type { BenchConfig } from './config';
import { encodeUpdateMessage, oneDoc } from './protocol';
import type { BenchServer } from './servers';
import { type LatencySummary, summarize, until } from './stats';

/** Decisions per seeding transaction: keeps each update frame well under the server's 1 MiB cap. */
const SEED_BATCH = 500;
/** About 0.7 MB per connection: below the default per-connection burst of Mobflow's byte budget. */
const SEED_BATCHES_PER_CONNECTION = 4;
const SEED_TIMEOUT_MS = 60_000;

export interface JoinResult {
  name: string;
  /** First join after every client left: Mobflow loads the room from its store (reference: still in memory). */
  coldMs: number;
  /** Whether the server had unloaded the room before the cold join. */
  coldUnloaded: boolean;
  warm: LatencySummary;
  docBytes: number;
  /** Decisions the joining client found in the synced doc (must equal the seeded count). */
  decisionsSeen: number;
}

export interface StormResult {
  name: string;
  joins: LatencySummary;
  joined: number;
  expected: number;
}

export async function runDecisionJoin(server: BenchServer, cfg: BenchConfig): Promise<JoinResult> {
  // Mobflow's session was seeded into its store before it started (StartOptions.seed).
  if (server.seededRoom) return measureJoins(server, server.joinUrls(server.seededRoom), cfg);
  const [room = ''] = await server.createRooms(1);
  const urls = server.joinUrls(room);
  await seedThroughClients(urls[0] ?? '', cfg);
  return measureJoins(server, urls, cfg);
}

/** Every seeded decision as one update (Mobflow refuses client writes to its decision log: seeded into the store). */
export function seededDecisions(count: number): Uint8Array {
  const doc = new Y.Doc();
  const now = Date.now();
  const items = [];
  for (let i = 0; i < count; i++) items.push(decision(i, now));
  doc.getArray(SERVER_ROOT.decisions).push(items);
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}

/** The reference server takes any client write: seed it through y-websocket connections. */
async function seedThroughClients(url: string, cfg: BenchConfig): Promise<void> {
  const seeder = new Y.Doc();
  const batches = Math.ceil(cfg.decisions / SEED_BATCH);
  let stored = 0;
  // The observer sees the seeded items once the server broadcasts them (Mobflow: after they are
  // durable). Counted by item, not by message: the server may merge batches that arrived out of
  // order across the seeding connections into one update.
  const observer = new LeanClient(url, {
    onUpdatePayload(update) {
      for (const s of Y.decodeUpdate(update).structs) if (s.id.client === seeder.clientID && s instanceof Y.Item) stored += s.length;
    },
  });
  // Several connections share the seeding so no single one exceeds a per-connection byte budget.
  const writers = Array.from({ length: Math.ceil(batches / SEED_BATCHES_PER_CONNECTION) }, () => new LeanClient(url));
  await Promise.all([observer.synced, ...writers.map((w) => w.synced)]);
  let writer = writers[0];
  seeder.on('update', (u: Uint8Array) => writer?.send(encodeUpdateMessage(u)));
  const decisions = seeder.getArray(SERVER_ROOT.decisions);
  const now = Date.now();
  for (let b = 0; b < batches; b++) {
    writer = writers[Math.floor(b / SEED_BATCHES_PER_CONNECTION)];
    seeder.transact(() => {
      const items = [];
      for (let i = b * SEED_BATCH; i < Math.min(cfg.decisions, (b + 1) * SEED_BATCH); i++) items.push(decision(i, now));
      decisions.push(items);
    });
  }
  if (!(await until(() => stored >= cfg.decisions, SEED_TIMEOUT_MS))) throw new Error(`seeding stalled at ${stored}/${cfg.decisions} decisions`);
  await closeAll([observer, ...writers]);
  seeder.destroy();
}

/** A join is every path a client must sync (BenchServer.joinUrls): its time is the slowest one's. */
async function measureJoins(server: BenchServer, urls: string[], cfg: BenchConfig): Promise<JoinResult> {
  const coldUnloaded = await server.unloaded();
  const anchor = new SessionClient(urls);
  const cold = await anchor.synced;
  // Wherever the server keeps the decision log, one of the synced documents holds all of it.
  const decisionsSeen = Math.max(
    ...cold.updates.map((update) => {
      const check = new Y.Doc();
      Y.applyUpdate(check, update);
      const n = decisionsOf(oneDoc(check)).length;
      check.destroy();
      return n;
    }),
  );

  const warm: number[] = [];
  for (let j = 0; j < cfg.joins; j++) {
    const c = new SessionClient(urls);
    warm.push((await c.synced).ms);
    await c.close();
  }
  await anchor.close();
  return {
    name: `join ${cfg.decisions} decisions`,
    coldMs: Math.round(cold.ms * 10) / 10,
    coldUnloaded,
    warm: summarize(warm),
    docBytes: cold.updates.reduce((n, u) => n + u.byteLength, 0),
    decisionsSeen,
  };
}

export async function runJoinStorm(server: BenchServer, cfg: BenchConfig): Promise<StormResult> {
  const [room = ''] = await server.createRooms(1);
  // Mobflow loaded the room to create it; let it unload so the storm also races the one load.
  await server.unloaded();
  const clients = Array.from({ length: cfg.concurrentJoins }, () => new SessionClient(server.joinUrls(room)));
  const results = await Promise.allSettled(clients.map((c) => c.synced));
  const ms = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.ms] : []));
  await closeAll(clients);
  return { name: `${cfg.concurrentJoins} joins at once`, joins: summarize(ms), joined: ms.length, expected: clients.length };
}

/** A plain object of the DecisionRecord shape (lib/doc/schema.ts) with realistic text lengths. */
function decision(i: number, now: number) {
  return {
    id: `bench-decision-${i}`,
    seq: i + 1,
    title: `Decision ${i + 1}: use an append-only log for the session history`,
    rationale: 'Entries are never edited in place, so a correction supersedes an earlier entry and review stays honest.',
    alternatives: 'Edit in place; keep the log outside the document',
    consequences: '',
    at: now + i,
    author: 'Bench',
    authorId: null,
    taskId: null,
    taskTitle: null,
    driver: 'Ada',
    navigator: 'Grace',
    supersedes: null,
  };
}
