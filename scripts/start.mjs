#!/usr/bin/env node
// `npm start`: builds the web app and the server's bundle when missing or stale, then serves it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from './ensure-build.mjs';
import { serverArgs, serverEnv } from './server-command.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
let args;
try {
  ensureBuilt();
  args = serverArgs(root);
} catch (err) {
  console.error(String(err));
  process.exit(1);
}
const env = serverEnv({ ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' });
// One node process (scripts/server-command.mjs), so signals reach the server itself.
const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
