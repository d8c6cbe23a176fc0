/**
 * Runs the real server entrypoint as a child process (for crash tests: SIGKILL needs a process).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { serverArgs, serverEnv } from '../../scripts/server-command.mjs';

const ROOT = join(import.meta.dirname, '..', '..');

export interface ChildServer {
  proc: ChildProcess;
  url: string;
  wsUrl: string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function startChild(dataDir: string, env: Record<string, string> = {}, port = 0): Promise<ChildServer> {
  // Started as npm start starts it: one node process, so a SIGKILL reaches the server itself.
  const proc = spawn(process.execPath, serverArgs(ROOT), {
    cwd: ROOT,
    env: serverEnv({ ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, MOBFLOW_UI: 'off', LOG_LEVEL: 'info', UNLOAD_DELAY_MS: '100', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`child did not start: ${out}`)), 30_000);
    proc.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[0-9.]+:\d+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        const url = m[1];
        resolve({
          proc,
          url,
          wsUrl: `${url.replace(/^http/, 'ws')}/yjs`,
          kill: (signal = 'SIGKILL') =>
            new Promise((done) => {
              if (proc.exitCode !== null || proc.signalCode !== null) return done();
              proc.once('exit', () => done());
              proc.kill(signal);
            }),
        });
      }
    });
    proc.once('exit', (code) => reject(new Error(`child exited with ${code}: ${out}`)));
  });
}
