/**
 * Launchers for the two servers under test, each a child process on 127.0.0.1 with an OS-chosen
 * port: Mobflow's real entrypoint (durable store in a temp DATA_DIR) and the reference
 * @y/websocket-server 0.1.1 (in memory; its leveldb persistence stays off).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { tasksOf } from '../lib/doc/schema';
import { addTask } from '../lib/task';
import { serverArgs, serverEnv } from '../scripts/server-command.mjs';
import { defaultConfig } from '../server/config';
import { createServer, IDLE_GC_ROUNDS } from '../server/createServer';
import { SessionClient } from './client';
import { type Pinning, UNPINNED } from './pinning';
import { encodeUpdateMessage, oneDoc } from './protocol';
import { delay, until } from './stats';
import { launcherTricks, type Trick, tricksLabel, variantBundle } from './variants';

const ROOT = join(import.meta.dirname, '..');
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
/** Parallel HTTP requests (Mobflow) or setup clients (reference) when preparing rooms. */
const SETUP_CONCURRENCY = 16;
/** Kept tail of a child's output, for error messages. */
const LOG_TAIL_CHARS = 4_000;
/** Mobflow unloads an empty room after this delay; short so the "all closed" memory check is quick. */
export const MOBFLOW_UNLOAD_DELAY_MS = 500;
/** How long Mobflow may take to unload the rooms of a finished scenario. */
const UNLOAD_TIMEOUT_MS = 30_000;
/** After the last unload: compaction and frees finish, GC runs. */
const SETTLE_AFTER_UNLOAD_MS = 500;
/** Mobflow's idle collections take about 7 s after its last room unloads (server/createServer.ts). */
const IDLE_COLLECTED_TIMEOUT_MS = 15_000;
/** Above the largest scenario (the capacity run's last steps). */
const MAX_CONNECTIONS = 100_000;
/** The title of the task each fan-out room writes its markers into. */
const TASK_TITLE = 'bench';

export type ServerKind = 'mobflow' | 'reference';
export const SERVER_KINDS: readonly ServerKind[] = ['mobflow', 'reference'];

/**
 * The room paths (under the server's WebSocket prefix) a client joining `session` must sync, the
 * editable document first. The one place that knows it for Mobflow: today one document per
 * session; once server-owned state (decisions, ...) moves to its own read-only document this
 * becomes [session, `${session}/server`], and every scenario's clients follow.
 */
export function mobflowSyncPaths(session: string): string[] {
  return [session, `${session}/server`];
}

/** The reference serves one document per room name. */
export function referenceSyncPaths(room: string): string[] {
  return [room];
}

/** A room ready for fan-out: a session (or room name) holding one task a writer can edit. */
export interface TaskRoom {
  room: string;
  taskId: string;
}

export interface BenchServer {
  readonly kind: ServerKind;
  /** The kind, plus the production tricks it runs without, if any ("mobflow without expose-gc"). */
  readonly label: string;
  /** The pid that serves (the server's own node process; taskset execs it). */
  readonly pid: number;
  /** The CPU the server is pinned to, or null when it may run on any. */
  readonly core: string | null;
  readonly url: string;
  /** WebSocket URLs a client joining `room` opens, the editable document first (see *SyncPaths). */
  joinUrls(room: string): string[];
  /** Names of `n` new rooms (Mobflow: sessions created over the HTTP API). */
  createRooms(n: number): Promise<string[]>;
  /**
   * `n` new rooms, each with one task in its document before any client joins: on Mobflow created
   * through the HTTP API, on the reference by a setup client (it takes any write).
   */
  createTaskRooms(n: number): Promise<TaskRoom[]>;
  /** Rooms (docs) the server holds in memory right now. */
  roomsLoaded(): Promise<number>;
  /** A session that was in the store before the server started (StartOptions.seed), if any. */
  readonly seededRoom?: string;
  /**
   * Waits until the server holds no room but the held ones (Mobflow unloads closed rooms; the
   * reference keeps them, so it answers at once); true when none is left.
   */
  unloaded(): Promise<boolean>;
  /** Resolves once the server finished with closed rooms: unloaded, and the collection that follows has run. */
  settle(): Promise<void>;
  /**
   * Opens a new room with one client in it and keeps it open until the returned function is called,
   * as on any server with a team on it: Mobflow then never runs its idle collections between rounds.
   */
  holdRoom(): Promise<() => Promise<void>>;
  /** Full collections Mobflow ran because it went idle (server/idleMemory.ts); null for the reference. */
  idleCollections(): Promise<number | null>;
  /** Resolves once Mobflow holds no room and has run all its idle collections since the call (at once for the reference). */
  collected(): Promise<void>;
  /** Why the process ended on its own (exit code or signal, and the tail of its output), or null while it runs or after stop(). */
  died(): string | null;
  stop(): Promise<void>;
}

/**
 * The reference server as its own bin starts it (src/server.js), except that it listens on port 0
 * and prints the port, and GET /rooms reports how many docs it holds.
 */
const REFERENCE_SCRIPT = `
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { setupWSConnection, docs } from '@y/websocket-server/utils';
const wss = new WebSocketServer({ noServer: true });
wss.on('connection', setupWSConnection);
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(req.url === '/rooms' ? String(docs.size) : 'okay');
});
server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)));
server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));
process.on('SIGTERM', () => process.exit(0));
`;

/** Extra node flags for either server, e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
function nodeArgs(): string[] {
  return (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
}

/**
 * Where to copy a server's output, e.g. BENCH_SERVER_LOG=/tmp/run with BENCH_SERVER_NODE_ARGS=--trace-gc
 * writes /tmp/run.mobflow.<pid>.log; null when unset (the output is only drained).
 */
function serverLog(name: string, pid: number | undefined): WriteStream | null {
  const prefix = process.env.BENCH_SERVER_LOG;
  return prefix ? createWriteStream(`${prefix}.${name.replaceAll(' ', '-')}.${pid}.log`) : null;
}

export interface StartOptions {
  /**
   * Mobflow only: an update applied to a new session written to the store before the server starts
   * (one process owns a data directory, and clients may not write the decision log).
   */
  seed?: Uint8Array;
  /** Mobflow only: production tricks to leave out, to measure what each buys (bench/tricks.ts). */
  without?: readonly Trick[];
  /** Mobflow only: more environment, e.g. REDIS_URL and DATABASE_URL for a cluster instance (bench/cluster.ts). */
  env?: Record<string, string>;
  /** Mobflow only: a name for its log lines and label ("mobflow mf1"). */
  name?: string;
}

/** Starts a server; when pinned, on the CPU reserved for the servers. */
export async function startServer(kind: ServerKind, pinning: Pinning = UNPINNED, options: StartOptions = {}): Promise<BenchServer> {
  switch (kind) {
    case 'mobflow':
      return startMobflow(pinning, options);
    case 'reference':
      return startReference(pinning);
    default:
      return assertNever(kind);
  }
}

/**
 * Creates a session in `dataDir` the way POST /api/sessions does (Sessions.create on an in-process
 * server that never listens), applies `update` as a server write, and closes, leaving it stored.
 */
async function seedSession(dataDir: string, update: Uint8Array): Promise<string> {
  const server = await createServer(defaultConfig({ dataDir, web: 'none', logLevel: 'silent' }));
  try {
    const { id } = await server.sessions.create({ name: 'bench seeded session' });
    await server.rooms.with(id, (room) => room.transact('decision', (docs) => Y.applyUpdate(docs.server, update)))
    return id;
  } finally {
    await server.close();
  }
}

/** Runs `fn` for 0..n-1, `concurrency` at a time, and returns the results in order. */
async function inLanes<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
  return out;
}

async function postJson(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`POST ${url} failed: ${res.status} ${await res.text()}`);
  return res.json();
}

async function startMobflow(pinning: Pinning, options: StartOptions): Promise<BenchServer> {
  const without = options.without ?? [];
  const label = `mobflow${options.name ? ` ${options.name}` : ''}${tricksLabel(without)}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'mobflow-bench-'));
  const seededRoom = options.seed ? await seedSession(dataDir, options.seed) : undefined;
  // Started as npm start starts it (scripts/server-command.mjs), less the tricks left out, plus any profiling flags.
  const serverCommand = serverArgs(ROOT, { cpus: pinning.serverCpus, without: launcherTricks(without), bundle: await variantBundle(ROOT, without) });
  const { command, args } = pinning.wrap(process.execPath, [...nodeArgs(), ...serverCommand]);
  const proc = spawn(command, args, {
    cwd: ROOT,
    // Mobflow's environment as npm start sets it (serverEnv), plus the benchmark's settings.
    env: serverEnv(
      {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        MOBFLOW_UI: 'off',
        LOG_LEVEL: 'info',
        UNLOAD_DELAY_MS: String(MOBFLOW_UNLOAD_DELAY_MS),
        // Every load-generator connection comes from 127.0.0.1: lift the per-address cap, not the per-connection ones.
        MAX_CONNECTIONS_PER_IP: String(MAX_CONNECTIONS),
        // Session and task creation is setup, not what is measured: thousands of POSTs from one address are expected here.
        RATE_HTTP_WRITES_PER_SECOND: String(MAX_CONNECTIONS),
        RATE_HTTP_WRITE_BURST: String(MAX_CONNECTIONS),
        ...options.env,
      },
      { without: launcherTricks(without) },
    ),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await listening(proc, label);
  const pid = proc.pid ?? 0;
  let created = 0;
  const metric = async (name: string) => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const m = new RegExp(`^${name} (\\d+)`, 'm').exec(text);
    return m?.[1] ? Number(m[1]) : 0;
  };
  const roomsLoaded = () => metric('mobflow_rooms_loaded');
  let held = 0;
  const unloaded = () => until(async () => (await roomsLoaded()) <= held, UNLOAD_TIMEOUT_MS, 50);
  const createRooms = (n: number) =>
    inLanes(n, SETUP_CONCURRENCY, async () => ((await postJson(`${url}/api/sessions`, { name: `bench ${++created}` })) as { id: string }).id);
  const server: BenchServer = {
    kind: 'mobflow',
    label,
    pid,
    core: pinning.serverCpu,
    url,
    seededRoom,
    joinUrls: (room) => mobflowSyncPaths(room).map((path) => `${url.replace(/^http/, 'ws')}/yjs/${path}`),
    createRooms,
    async createTaskRooms(n) {
      const rooms = await createRooms(n);
      return inLanes(n, SETUP_CONCURRENCY, async (i) => {
        const room = rooms[i] ?? '';
        const { taskId } = (await postJson(`${url}/api/sessions/${room}/tasks`, { title: TASK_TITLE })) as { taskId: string };
        return { room, taskId };
      });
    },
    roomsLoaded,
    unloaded,
    idleCollections: () => metric('mobflow_idle_gc_total'),
    async collected() {
      const start = await metric('mobflow_idle_gc_total');
      await unloaded();
      // Without --expose-gc (a trick measurement) there are no idle collections to wait for.
      if (without.includes('expose-gc')) return;
      await until(async () => (await metric('mobflow_idle_gc_total')) >= start + IDLE_GC_ROUNDS, IDLE_COLLECTED_TIMEOUT_MS, 200);
    },
    async settle() {
      await unloaded();
      // Most rooms just unloaded: Mobflow collects a second later (server/idleMemory.ts); let that
      // run now rather than in the next measurement.
      await until(async () => (await metric('mobflow_gc_scheduled')) === 0, UNLOAD_TIMEOUT_MS, 50);
      await delay(SETTLE_AFTER_UNLOAD_MS);
    },
    async holdRoom() {
      const client = await openClient(server);
      held++;
      return async () => {
        await client.close();
        held--;
      };
    },
    died: () => deathOf(proc),
    async stop() {
      await stopChild(proc);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

/** One client joined to a new room of `server`. */
async function openClient(server: BenchServer): Promise<SessionClient> {
  const [room] = await server.createRooms(1);
  const client = new SessionClient(server.joinUrls(room ?? ''));
  await client.synced;
  return client;
}

/**
 * Seeds a task into a reference room the way Mobflow's HTTP API makes one (lib's addTask), from a
 * setup client: its update goes out ahead of its sync step 1, so the sync step 2 it gets back
 * (the server handles one socket's messages in order) shows the task is in the room.
 */
async function seedReferenceTask(urls: readonly string[]): Promise<string> {
  const doc = new Y.Doc();
  const taskId = addTask(oneDoc(doc), { title: TASK_TITLE }, Date.now());
  const setup = new SessionClient(urls, {}, [encodeUpdateMessage(Y.encodeStateAsUpdate(doc))]);
  doc.destroy();
  const { updates } = await setup.synced;
  await setup.close();
  const check = new Y.Doc();
  Y.applyUpdate(check, updates[0] ?? new Uint8Array());
  const found = tasksOf(oneDoc(check)).has(taskId);
  check.destroy();
  if (!found) throw new Error(`the reference did not keep the seeded task of ${urls[0]}`);
  return taskId;
}

async function startReference(pinning: Pinning): Promise<BenchServer> {
  const { command, args } = pinning.wrap(process.execPath, [...nodeArgs(), '--input-type=module', '-e', REFERENCE_SCRIPT]);
  const proc = spawn(command, args, { cwd: ROOT, env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await listening(proc, 'reference');
  let created = 0;
  const roomsLoaded = async () => Number(await (await fetch(`${url}/rooms`)).text());
  const createRooms = async (n: number) => Array.from({ length: n }, () => `bench-${++created}`);
  const joinUrls = (room: string) => referenceSyncPaths(room).map((path) => `${url.replace(/^http/, 'ws')}/${path}`);
  const server: BenchServer = {
    kind: 'reference',
    label: 'reference',
    pid: proc.pid ?? 0,
    core: pinning.serverCpu,
    url,
    joinUrls,
    createRooms,
    async createTaskRooms(n) {
      const rooms = await createRooms(n);
      return inLanes(n, SETUP_CONCURRENCY, async (i) => {
        const room = rooms[i] ?? '';
        return { room, taskId: await seedReferenceTask(joinUrls(room)) };
      });
    },
    roomsLoaded,
    unloaded: async () => (await roomsLoaded()) === 0,
    settle: () => Promise.resolve(),
    idleCollections: () => Promise.resolve(null),
    collected: () => Promise.resolve(),
    async holdRoom() {
      const client = await openClient(server);
      return () => client.close();
    },
    died: () => deathOf(proc),
    stop: () => stopChild(proc),
  };
  return server;
}

/** What became of a child that ended without being asked to: set by `listening`, read by BenchServer.died(). */
const deaths = new WeakMap<ChildProcess, string>();
const stopping = new WeakSet<ChildProcess>();

function deathOf(proc: ChildProcess): string | null {
  return deaths.get(proc) ?? null;
}

/** Resolves with the base URL once the child prints "listening on http://HOST:PORT". */
export function listening(proc: ChildProcess, name: string): Promise<string> {
  let out = '';
  proc.once('exit', (code, signal) => {
    if (!stopping.has(proc)) deaths.set(proc, `${name} (pid ${proc.pid}) ended by itself: ${signal ?? `exit code ${code}`}; last output: ${out.slice(-1000)}`);
  });
  const tee = serverLog(name, proc.pid);
  const keep = (d: Buffer) => {
    tee?.write(d);
    // Always drain the pipes: a full pipe would block the server under test.
    out = (out + d.toString()).slice(-LOG_TAIL_CHARS);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${out}`)), START_TIMEOUT_MS);
    const onData = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (!m?.[1]) return;
      clearTimeout(timer);
      proc.stdout?.off('data', onData);
      resolve(m[1]);
    };
    proc.stdout?.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}: ${out}`));
    });
  });
}

function isRunning(proc: ChildProcess): boolean {
  return proc.exitCode === null && proc.signalCode === null;
}

/** SIGTERM, then SIGKILL if the child has not exited within STOP_TIMEOUT_MS. */
export function stopChild(proc: ChildProcess): Promise<void> {
  stopping.add(proc);
  return new Promise((resolve) => {
    if (!isRunning(proc)) return resolve();
    const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

function assertNever(x: never): never {
  throw new Error(`unexpected server kind ${String(x)}`);
}
