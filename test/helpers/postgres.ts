/**
 * PostgreSQL for tests, never mocked:
 *
 * - testDatabases(): fresh databases on the machine's server (TEST_DATABASE_URL, by default the
 *   local PostgreSQL with trust auth), each dropped at the end.
 * - startPrivatePostgres(): a server of the test's own (initdb in a temp dir, a free port, its
 *   socket in that dir, fsync on) that the test may stop, start again and kill -9, which the
 *   shared server must never be. initdb refuses to run as root, so as root it and the server run
 *   as the `postgres` OS user (setpriv, which execs: the spawned process IS the postmaster, so
 *   SIGKILL hits it and its exit is seen here).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './port';

const run = promisify(execFile);

export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** `url` with its database replaced by `database`. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(adminUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Makes fresh databases (`mobflow_t_<random>`) and drops every one of them in dropAll(). */
export function testDatabases(adminUrl = ADMIN_URL) {
  const made: string[] = [];
  return {
    async create(): Promise<string> {
      const name = `mobflow_t_${Math.random().toString(36).slice(2, 12)}`;
      await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
      made.push(name);
      return withDatabase(adminUrl, name);
    },
    async dropAll(): Promise<void> {
      const names = made.splice(0);
      if (names.length === 0) return;
      // FORCE: a store a failed test left open must not keep its database.
      await admin(adminUrl, async (c) => {
        for (const name of names) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    },
  };
}

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust auth). */
  url: string;
  port: number;
  /** Starts the server (again) on the same data directory and port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Fast shutdown (SIGINT: active transactions roll back, connections are closed). */
  stop(): Promise<void>;
  /** SIGKILL to the postmaster (a crash), then waits until its backends are gone too. */
  kill9(): Promise<void>;
  /** SIGSTOP to the postmaster and its backends: a server that accepts TCP connections and never answers. */
  pause(): void;
  /** SIGCONT to the same processes. */
  resume(): void;
  /** Stops whatever still runs and removes the directory: for afterAll, safe to call twice. */
  dispose(): Promise<void>;
  /** The postmaster and its backends now (for CPU accounting in the benchmark). */
  pids(): number[];
}

const BOUNDS = { readyMs: 30_000, exitMs: 30_000, pollMs: 100 } as const;

function binDir(): string {
  if (process.env.PG_BINDIR) return process.env.PG_BINDIR;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql), nor PG_BINDIR');
  return join(root, newest, 'bin');
}

/** As root: the command run as the postgres OS user (initdb and the server refuse root). */
function asPostgres(): (cmd: string, args: string[]) => [string, string[]] {
  if (process.getuid?.() !== 0) return (cmd, args) => [cmd, args];
  return (cmd, args) => ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', cmd, ...args]];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Pids of the processes whose parent is `pid` (the postmaster's backends), from /proc. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Alive and not a zombie (a zombie holds no shared memory and no port). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const wrap = asPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'mobflow-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const [initCmd, initArgs] = wrap(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  await run(initCmd, initArgs, { cwd: dir, timeout: 60_000 });
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let server: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let paused: number[] = [];

  const ready = async (child: ChildProcess) => {
    const deadline = Date.now() + BOUNDS.readyMs;
    for (;;) {
      const client = new Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`the private PostgreSQL did not come up (see ${join(dir, 'server.log')}): ${String(err)}`);
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the private PostgreSQL exited at start (see ${join(dir, 'server.log')})`);
        await sleep(BOUNDS.pollMs);
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  };

  const waitExit = async (what: string) => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`PostgreSQL did not ${what} in time`)), BOUNDS.exitMs)))]).finally(() => clearTimeout(timer));
    server = null;
  };

  const pg: PrivatePostgres = {
    url,
    port,
    pids: () => (server?.pid ? [server.pid, ...childrenOf(server.pid)] : []),
    async start() {
      if (server) throw new Error('the private PostgreSQL is already running');
      const log = openSync(join(dir, 'server.log'), 'a');
      const [cmd, args] = wrap(join(bin, 'postgres'), [
        '-D', data, '-p', String(port), '-k', dir,
        '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=on', '-c', 'synchronous_commit=on',
        '-c', 'max_connections=50', '-c', 'shared_buffers=16MB',
      ]);
      const child = spawn(cmd, args, { cwd: dir, stdio: ['ignore', log, log] });
      closeSync(log);
      server = child;
      exited = new Promise((resolve) => child.once('exit', () => resolve()));
      await ready(child);
    },
    async stop() {
      if (!server) return;
      server.kill('SIGINT');
      await waitExit('stop');
    },
    async kill9() {
      if (!server?.pid) return;
      const backends = childrenOf(server.pid);
      server.kill('SIGKILL');
      await waitExit('die');
      // Backends notice the postmaster's death and exit by themselves; a new postmaster cannot start
      // while one of them still holds the old shared memory.
      const deadline = Date.now() + BOUNDS.exitMs;
      while (backends.some(alive)) {
        if (Date.now() > deadline + BOUNDS.exitMs) throw new Error(`backends ${backends.filter(alive).join(', ')} of the killed PostgreSQL do not exit`);
        if (Date.now() > deadline) for (const pid of backends.filter(alive)) process.kill(pid, 'SIGKILL');
        await sleep(BOUNDS.pollMs);
      }
    },
    pause() {
      if (!server?.pid) throw new Error('the private PostgreSQL is not running');
      paused = [server.pid, ...childrenOf(server.pid)];
      for (const pid of paused) process.kill(pid, 'SIGSTOP');
    },
    resume() {
      for (const pid of paused.splice(0).reverse()) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // exited meanwhile
        }
      }
    },
    async dispose() {
      pg.resume();
      try {
        await pg.stop();
      } catch {
        await pg.kill9().catch(() => undefined);
      }
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
  try {
    await pg.start();
  } catch (err) {
    await pg.dispose();
    throw err;
  }
  return pg;
}
