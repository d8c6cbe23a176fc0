/**
 * Launchers for the two servers under test, each a child process on 127.0.0.1 with an OS-chosen
 * port: Mobflow's real entrypoint (durable SQLite store in a temp DATA_DIR) and the reference
 * @y/websocket-server 0.1.1 (in memory; its leveldb persistence stays off).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { serverArgs, serverEnv } from '../scripts/server-command.mjs';
import { defaultConfig } from '../server/config';
import { createServer, IDLE_GC_ROUNDS } from '../server/createServer';
import { systemClock } from '../server/logger';
import { Sessions } from '../server/sessions';
import { LeanClient } from './client';
import { type Pinning, UNPINNED } from './pinning';
import { cpuMs, processState, type QuietResult, waitQuiet } from './procstat';
import { delay, until } from './stats';

const ROOT = join(import.meta.dirname, '..');
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
/** How long SIGSTOP may take to show in /proc. */
const PAUSE_TIMEOUT_MS = 5_000;
/** Parallel HTTP requests when creating Mobflow sessions. */
const CREATE_CONCURRENCY = 16;
/** Kept tail of a child's output, for error messages. */
const LOG_TAIL_CHARS = 4_000;
/** Mobflow unloads an empty room after this delay; short so the "all closed" memory check is quick. */
export const MOBFLOW_UNLOAD_DELAY_MS = 500;
/** How long Mobflow may take to unload the rooms of a finished scenario. */
const UNLOAD_TIMEOUT_MS = 15_000;
/** After the last unload: compaction and frees finish, GC runs. */
const SETTLE_AFTER_UNLOAD_MS = 500;
/** Mobflow's idle collections take about 7 s after its last room unloads (server/createServer.ts). */
const IDLE_COLLECTED_TIMEOUT_MS = 15_000;
/** Above the largest scenario (500 x 8 connections). */
const MAX_CONNECTIONS = 100_000;

export type ServerKind = 'mobflow' | 'reference';
export const SERVER_KINDS: readonly ServerKind[] = ['mobflow', 'reference'];

export interface BenchServer {
  readonly kind: ServerKind;
  /** The pid that serves (for Mobflow the node process tsx spawns, not tsx itself). */
  readonly pid: number;
  readonly url: string;
  roomUrl(room: string): string;
  /** Names of `n` new rooms (Mobflow: sessions created over the HTTP API). */
  createRooms(n: number): Promise<string[]>;
  /** Rooms (docs) the server holds in memory right now. */
  roomsLoaded(): Promise<number>;
  /** A session that was in the store before the server started (StartOptions.seed), if any. */
  readonly seededRoom?: string;
  /**
   * Waits until the server holds no room (Mobflow unloads closed rooms; the reference keeps them,
   * so it answers at once); true when none is left.
   */
  unloaded(): Promise<boolean>;
  /** Resolves once the server finished with closed rooms: unloaded, and a moment for frees and GC. */
  settle(): Promise<void>;
  /**
   * Opens a new room with one client in it and keeps it open until the returned function is called;
   * `unloaded()` and `settle()` do not wait for a held room.
   */
  holdRoom(): Promise<() => Promise<void>>;
  /** Full collections Mobflow ran because it went idle (server/idleMemory.ts); null for the reference. */
  idleCollections(): Promise<number | null>;
  /** Resolves once Mobflow holds no room and has run all its idle collections since the call (at once for the reference). */
  collected(): Promise<void>;
  /**
   * Freezes the process (SIGSTOP) until resume(): while the other server runs a scenario on the
   * shared core, this one can run nothing there, not even its own garbage collection. Resolves once
   * the kernel reports it stopped.
   */
  pause(): Promise<void>;
  resume(): void;
  /** Resumes the process if paused, then stops it. */
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
  return prefix ? createWriteStream(`${prefix}.${name}.${pid}.log`) : null;
}

/** Starts a server; when pinned, on the CPU reserved for the server under test. */
export interface StartOptions {
  /**
   * Mobflow only: an update applied to a new session written to the store before the server starts
   * (one process owns a data directory, and clients may not write the decision log).
   */
  seed?: Uint8Array;
}

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
    const { id } = await new Sessions(server.store, server.rooms, systemClock).create({ name: 'bench seeded session' });
    await server.rooms.with(id, (room) => room.transact('decision', (doc) => Y.applyUpdate(doc, update)));
    return id;
  } finally {
    await server.close();
  }
}

async function startMobflow(pinning: Pinning, options: StartOptions): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mobflow-bench-'));
  const seededRoom = options.seed ? await seedSession(dataDir, options.seed) : undefined;
  // node with tsx's loader: one process, so the pid sampled is the server and a kill leaves no orphan.
  // Started as npm start starts it (scripts/server-command.mjs), plus any profiling flags.
  const { command, args } = pinning.wrap(process.execPath, [...nodeArgs(), ...serverArgs(ROOT, { cpus: pinning.serverCpus })]);
  const proc = spawn(command, args, {
    cwd: ROOT,
    // Mobflow's environment as npm start sets it (serverEnv), plus the benchmark's settings.
    env: serverEnv({
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      MOBFLOW_UI: 'off',
      LOG_LEVEL: 'info',
      UNLOAD_DELAY_MS: String(MOBFLOW_UNLOAD_DELAY_MS),
      // Every load-generator connection comes from 127.0.0.1: lift the per-address cap, not the per-connection ones.
      MAX_CONNECTIONS_PER_IP: String(MAX_CONNECTIONS),
      // Session creation is setup, not what is measured: hundreds of POSTs from one address are expected here.
      RATE_HTTP_WRITES_PER_SECOND: String(MAX_CONNECTIONS),
      RATE_HTTP_WRITE_BURST: String(MAX_CONNECTIONS),
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await listening(proc, 'mobflow');
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
  const server: BenchServer = {
    kind: 'mobflow',
    pid,
    url,
    seededRoom,
    roomUrl: (room) => `${url.replace(/^http/, 'ws')}/yjs/${room}`,
    async createRooms(n) {
      const ids: string[] = new Array(n);
      let next = 0;
      const lane = async () => {
        while (next < n) {
          const i = next++;
          const res = await fetch(`${url}/api/sessions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name: `bench ${++created}` }),
          });
          if (res.status !== 201) throw new Error(`creating a session failed: ${res.status} ${await res.text()}`);
          ids[i] = ((await res.json()) as { id: string }).id;
        }
      };
      await Promise.all(Array.from({ length: Math.min(CREATE_CONCURRENCY, n) }, lane));
      return ids;
    },
    roomsLoaded,
    unloaded,
    idleCollections: () => metric('mobflow_idle_gc_total'),
    async collected() {
      const start = await metric('mobflow_idle_gc_total');
      await unloaded();
      await until(async () => (await metric('mobflow_idle_gc_total')) >= start + IDLE_GC_ROUNDS, IDLE_COLLECTED_TIMEOUT_MS, 200);
    },
    async settle() {
      await unloaded();
      // Most rooms just unloaded: Mobflow collects a second later (server/idleMemory.ts), which must
      // not land in the other server's next round on the shared core.
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
    pause: () => pauseChild(proc),
    resume: () => resumeChild(proc),
    async stop() {
      await stopChild(proc);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

/** One client joined to a new room of `server`. */
async function openClient(server: BenchServer): Promise<LeanClient> {
  const [room] = await server.createRooms(1);
  const client = new LeanClient(server.roomUrl(room ?? ''));
  await client.synced;
  return client;
}

async function startReference(pinning: Pinning): Promise<BenchServer> {
  const { command, args } = pinning.wrap(process.execPath, [...nodeArgs(), '--input-type=module', '-e', REFERENCE_SCRIPT]);
  const proc = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await listening(proc, 'reference');
  let created = 0;
  const roomsLoaded = async () => Number(await (await fetch(`${url}/rooms`)).text());
  const server: BenchServer = {
    kind: 'reference',
    pid: proc.pid ?? 0,
    url,
    roomUrl: (room) => `${url.replace(/^http/, 'ws')}/${room}`,
    async createRooms(n) {
      return Array.from({ length: n }, () => `bench-${++created}`);
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
    pause: () => pauseChild(proc),
    resume: () => resumeChild(proc),
    stop: () => stopChild(proc),
  };
  return server;
}

/**
 * Gives `server` the shared server core for its next scenario: resumes it, freezes every other
 * server in `all`, then waits until none of them is busy (what `server` deferred while frozen, such
 * as a collection that came due, runs now and not in the scenario).
 */
export async function takeCore(server: BenchServer, all: Iterable<BenchServer>): Promise<QuietResult> {
  const servers = [...all];
  server.resume();
  for (const other of servers) if (other !== server) await other.pause();
  return waitQuiet(() => totalCpuMs(servers));
}

/** CPU time the servers used so far, together, ms. */
export function totalCpuMs(servers: Iterable<BenchServer>): number {
  let ms = 0;
  for (const s of servers) ms += cpuMs(s.pid);
  return ms;
}

/** Resolves with the base URL once the child prints "listening on http://HOST:PORT". */
export function listening(proc: ChildProcess, name: string): Promise<string> {
  let out = '';
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

/** SIGSTOP, then waits until /proc says the child is stopped (state T). */
async function pauseChild(proc: ChildProcess): Promise<void> {
  if (!isRunning(proc)) return;
  proc.kill('SIGSTOP');
  const stopped = await until(() => !isRunning(proc) || processState(proc.pid ?? 0) === 'T', PAUSE_TIMEOUT_MS, 1);
  if (!stopped) throw new Error(`process ${proc.pid} did not stop`);
}

function resumeChild(proc: ChildProcess): void {
  if (isRunning(proc)) proc.kill('SIGCONT');
}

function isRunning(proc: ChildProcess): boolean {
  return proc.exitCode === null && proc.signalCode === null;
}

/** SIGCONT (a stopped child would not act on SIGTERM), SIGTERM, then SIGKILL if the child has not exited within STOP_TIMEOUT_MS. */
export function stopChild(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (!isRunning(proc)) return resolve();
    resumeChild(proc);
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
