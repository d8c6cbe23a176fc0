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
  /** The last lines the child wrote (for a failing test's message). */
  output(): string;
}

/** `clockShiftMs` moves the child's clock forward (test/helpers/clockShift.mjs). */
export function startChild(dataDir: string, env: Record<string, string> = {}, port = 0, clockShiftMs = 0): Promise<ChildServer> {
  // Started as npm start starts it: one node process, so a SIGKILL reaches the server itself.
  const shift = clockShiftMs ? ['--import', join(ROOT, 'test/helpers/clockShift.mjs')] : [];
  const proc = spawn(process.execPath, [...shift, ...serverArgs(ROOT)], {
    cwd: ROOT,
    env: serverEnv({ ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, MOBFLOW_UI: 'off', LOG_LEVEL: 'info', UNLOAD_DELAY_MS: '100', MOBFLOW_TEST_CLOCK_SHIFT_MS: String(clockShiftMs), ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`child did not start: ${out}`)), 30_000);
    // Only the last 16 KB are kept (a long fault test logs a lot): enough to say why it failed.
    const keep = (d: Buffer) => {
      out = (out + d.toString()).slice(-16_384);
    };
    proc.stderr?.on('data', keep);
    proc.stdout?.on('data', (d: Buffer) => {
      keep(d);
      const m = /listening on (http:\/\/[0-9.]+:\d+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        const url = m[1];
        resolve({
          proc,
          url,
          wsUrl: `${url.replace(/^http/, 'ws')}/yjs`,
          output: () => out,
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
