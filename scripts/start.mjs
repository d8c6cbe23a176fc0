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
// Run tsx directly (not through npx) so signals reach the server process itself.
const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'server', 'index.ts')], { cwd: root, env, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
