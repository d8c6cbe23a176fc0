// The server as every launcher runs it: server/index.ts and everything it imports from server/ and
// lib/, bundled by esbuild into one ES module (dist/server.mjs); packages stay in node_modules.
//
// Run through tsx's loader instead, the server compiled every module at start and kept each one's
// source, compiled text and source map in its heap (about 2.6 MB of a 15 MB heap after start: every
// full collection walks it), ran the loader in a thread of its own whose collections shared the
// server's core, and wrapped every named closure in `__name()` (tsx keeps function names), which
// made each connection's handlers slower to create and larger. The bundle has none of that.
//
// Built when missing or stale: stale means the hash of its inputs differs from the one recorded
// with it. Launchers may run at once (parallel tests), so each writes its own file and renames it
// into place; a reader sees the old bundle or the new one, never half of one.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { files } from './source-files.mjs';

/** What the bundle is made from, in the project: a change to any of these (or to this file) rebuilds it. */
const INPUTS = ['server', 'lib', 'package-lock.json', 'tsconfig.json'];
/** This file decides how the bundle is built, whichever project it builds. */
const THIS_FILE = fileURLToPath(import.meta.url);

/** Where the bundle of the project at `root` lives (one level below `root`, as server/index.ts is). */
export function serverBundlePath(root) {
  return join(root, 'dist', 'server.mjs');
}

/** The hash of the bundle's inputs in the project at `root`. */
function sourceHash(root) {
  const h = createHash('sha256');
  for (const f of [...INPUTS.flatMap((input) => [...files(join(root, input))]), THIS_FILE]) {
    h.update(relative(root, f));
    h.update('\0');
    h.update(readFileSync(f));
  }
  return h.digest('hex');
}

/** Builds the bundle unless a fresh one exists; returns its path. Throws with esbuild's message when the build fails. */
export function ensureServerBundle(root) {
  const out = serverBundlePath(root);
  const stamp = `${out}.hash`;
  const hash = sourceHash(root);
  if (existsSync(out) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return out;
  mkdirSync(join(root, 'dist'), { recursive: true });
  const unique = `${process.pid}-${Date.now()}`;
  buildSync({
    entryPoints: [join(root, 'server', 'index.ts')],
    outfile: `${out}.${unique}.tmp`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
  });
  renameSync(`${out}.${unique}.tmp`, out);
  writeFileSync(`${stamp}.${unique}.tmp`, hash);
  renameSync(`${stamp}.${unique}.tmp`, stamp);
  return out;
}
