// Builds the Next.js app when the build is missing or stale. Stale = the hash of the UI sources
// (app/, lib/, configs, lockfile) differs from the one recorded by the last build.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstLoadLine } from './build-report.mjs';
import { files } from './source-files.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const distDir = process.env.MOBFLOW_DIST_DIR || '.next';
const distPath = join(root, distDir);
const stampFile = join(distPath, 'mobflow-source-hash');
const inputs = ['app', 'lib', 'next.config.js', 'package-lock.json', 'tsconfig.json'];

function sourceHash() {
  const h = createHash('sha256');
  for (const input of inputs) {
    for (const f of files(join(root, input))) {
      h.update(relative(root, f));
      h.update(readFileSync(f));
    }
  }
  return h.digest('hex');
}

/** Removes `.next-*` type folders that `next build` added to tsconfig.json's include list (builds may overlap). */
function dropDistDirTypes() {
  const file = join(root, 'tsconfig.json');
  const text = readFileSync(file, 'utf8');
  const cleaned = text.replace(/,\s*"\.next-[^"/]+\/(?:dev\/)?types\/\*\*\/\*\.ts"/g, '');
  if (cleaned !== text) writeFileSync(file, cleaned);
}

/** The build directory this process builds and serves (MOBFLOW_DIST_DIR, default .next). */
export function buildDir() {
  return distPath;
}

/** Returns after a fresh-enough build exists; exits the process when the build fails. */
export function ensureBuilt() {
  const hash = sourceHash();
  const fresh = existsSync(join(distPath, 'BUILD_ID')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === hash;
  if (fresh) return;
  console.log('Building the web app (first start or sources changed)…');
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' };
  // `next build` adds its distDir's type folders to tsconfig.json; a non-default MOBFLOW_DIST_DIR
  // (parallel test runs) must not leave that edit behind in a tracked file.
  const r = spawnSync(join(root, 'node_modules', '.bin', 'next'), ['build'], { cwd: root, env, stdio: 'inherit' });
  if (distDir !== '.next') dropDistDirTypes();
  if (r.status !== 0) throw new Error(`next build failed with status ${r.status}`);
  writeFileSync(stampFile, hash);
  console.log(firstLoadLine(distPath));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) ensureBuilt();
