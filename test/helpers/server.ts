/**
 * Starts the real server in-process on port 0 with a fresh DATA_DIR, and tiny HTTP helpers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, defaultConfig } from '../../server/config';
import { createServer, type MobflowServer, type ServerDeps } from '../../server/createServer';

export interface TestServer {
  server: MobflowServer;
  url: string;
  wsUrl: string;
  dataDir: string;
  stop(): Promise<void>;
}

const made: string[] = [];

/** A fresh directory under the OS temp dir; removed after the test file (test/helpers/setup.ts). */
export function tempDir(prefix = 'mobflow-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every directory tempDir() made in this test file. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

export async function startServer(overrides: Partial<Config> = {}, deps: ServerDeps = {}): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? tempDir();
  const server = await createServer(defaultConfig({ logLevel: 'silent', dataDir, unloadDelayMs: 50, ...overrides }), deps);
  const { url } = await server.listen();
  return {
    server,
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/yjs`,
    dataDir,
    async stop() {
      await server.close();
    },
  };
}

export async function api<T = unknown>(base: string, path: string, init: { method?: string; body?: unknown; raw?: string } = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(base + path, {
    method: init.method ?? (init.body !== undefined || init.raw !== undefined ? 'POST' : 'GET'),
    headers: { 'content-type': 'application/json' },
    body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: body as T };
}

/** Joins as a person over socket.io (what the session page does): the socket is bound to the new member. */
export async function joinAs(socket: import('socket.io-client').Socket, name: string, as?: string): Promise<{ member: { id: string; name: string }; token: string }> {
  const r = (await socket.timeout(5000).emitWithAck('member:join', { name, ...(as ? { as } : {}) })) as { ok: boolean; value?: { member: { id: string; name: string }; token: string }; error?: string };
  if (!r.ok || !r.value) throw new Error(`join failed: ${r.error}`);
  return r.value;
}

export async function createSession(base: string, body: Record<string, unknown> = {}) {
  const r = await api<{ id: string; editUrl: string; viewUrl: string }>(base, '/api/sessions', { body });
  if (r.status !== 201) throw new Error(`create failed: ${r.status} ${JSON.stringify(r.body)}`);
  return { ...r.body, viewToken: r.body.viewUrl.split('/v/')[1] as string };
}
