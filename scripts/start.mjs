#!/usr/bin/env node
// `npm start`: builds the web app when the build is missing or stale, then serves it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from './ensure-build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
try {
  ensureBuilt();
} catch (err) {
  console.error(String(err));
  process.exit(1);
}
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' };
// node with tsx's loader is one process, so signals reach the server itself (the tsx CLI would
// put the server in a child of its own).
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'server', 'index.ts')], { cwd: root, env, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
