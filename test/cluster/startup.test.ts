/**
 * Cluster mode refuses to start without its engines, with a line a person can act on and an exit
 * code a supervisor can tell apart: 3 when Redis or PostgreSQL cannot be reached, 2 for a half
 * configured environment.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serverArgs, serverEnv } from '../../scripts/server-command.mjs';
import { freePort } from '../helpers/port';
import { testDatabases } from '../helpers/postgres';
import { startRedis } from '../helpers/redis';
import { tempDir } from '../helpers/server';

const ROOT = join(import.meta.dirname, '..', '..');
const databases = testDatabases();
afterAll(() => databases.dropAll());

function run(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, serverArgs(ROOT), {
      cwd: ROOT,
      env: serverEnv({ ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: tempDir(), MOBFLOW_UI: 'off', ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('cluster start-up', () => {
  it('exits with 3 and says so when PostgreSQL cannot be reached', async () => {
    const redis = await startRedis();
    try {
      const closed = await freePort();
      const r = await run({ REDIS_URL: redis.url, DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/mobflow` });
      expect(r.code).toBe(3);
      expect(r.out).toMatch(/PostgreSQL/);
      expect(r.out).toContain(`127.0.0.1:${closed}`);
    } finally {
      await redis.stop();
    }
  });

  it('exits with 3 and says so when Redis cannot be reached', async () => {
    const closed = await freePort();
    const r = await run({ REDIS_URL: `redis://127.0.0.1:${closed}`, DATABASE_URL: await databases.create() });
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+/);
  });

  it('exits with 2 when only one of REDIS_URL and DATABASE_URL is set', async () => {
    const r = await run({ REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(r.code).toBe(2);
    expect(r.out).toContain('cluster mode needs both REDIS_URL and DATABASE_URL');
  });
});
