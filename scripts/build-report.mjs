// The JavaScript of the session page as the build itself lists it, read from the files `next build`
// writes, so a build reports the page's weight without a server: the first load is the framework's
// root chunks (the route's build-manifest.json) and the entry chunks of the route's layout, page and
// boundaries (its client reference manifest); then the page loads its session chunk (the chunks
// listed by the loaders in those scripts, scripts/check-bundle.mjs lazyChunkPaths) before it is live.
// The budget counts both. test/e2e/bundle.test.ts checks that these lists are exactly the scripts
// the served HTML and chromium load; the budget itself is enforced there, in CI.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { BUNDLE_BUDGET_BYTES, lazyChunkPaths } from './check-bundle.mjs';

const SESSION_ROUTE = '/s/[id]/page';

/** The scripts a first load of `route` runs, relative to the build directory (`static/chunks/...`). */
function firstLoadChunks(distPath, route) {
  const routeDir = join(distPath, 'server', 'app', ...route.split('/').filter(Boolean));
  const build = JSON.parse(readFileSync(join(routeDir, 'build-manifest.json'), 'utf8'));
  // The client reference manifest is a script that assigns globalThis.__RSC_MANIFEST[route].
  const sandbox = {};
  runInNewContext(readFileSync(`${routeDir}_client-reference-manifest.js`, 'utf8'), sandbox);
  const rsc = sandbox.__RSC_MANIFEST?.[route];
  if (!Array.isArray(build.rootMainFiles) || !rsc?.entryJSFiles) throw new Error(`no script lists for ${route} in ${distPath}`);
  const files = new Set(build.rootMainFiles);
  for (const list of Object.values(rsc.entryJSFiles)) for (const f of list) files.add(f);
  return [...files];
}

/** The chunks the first-load scripts of `route` load on demand (the session chunk), relative to the build directory. */
function sessionChunks(distPath, route) {
  const first = firstLoadChunks(distPath, route);
  const out = new Set();
  for (const f of first) for (const p of lazyChunkPaths(readFileSync(join(distPath, f), 'utf8'))) if (!first.includes(p)) out.add(p);
  return [...out];
}

/** Paths (as the page requests them, `/_next/static/...`) of the scripts a first load of `route` runs. */
export function firstLoadFiles(distPath, route = SESSION_ROUTE) {
  return firstLoadChunks(distPath, route).map((f) => `/_next/${f}`);
}

/** Paths of the scripts of the session chunk, which the page loads after its first load and before it is live. */
export function sessionChunkFiles(distPath, route = SESSION_ROUTE) {
  return sessionChunks(distPath, route).map((f) => `/_next/${f}`);
}

/** One line for the build's output: the session page's JS until live, gzipped, against the budget. */
export function firstLoadLine(distPath) {
  try {
    const gz = (files) => files.reduce((n, f) => n + gzipSync(readFileSync(join(distPath, f)), { level: 9 }).byteLength, 0);
    const first = firstLoadChunks(distPath, SESSION_ROUTE);
    const session = sessionChunks(distPath, SESSION_ROUTE);
    const total = gz(first) + gz(session);
    const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
    const verdict = total <= BUNDLE_BUDGET_BYTES ? 'within' : 'OVER';
    return `JS of /s/<id> until live: ${kb(total)} gzipped (first load ${kb(gz(first))} in ${first.length} scripts + session chunk ${kb(gz(session))} in ${session.length}), ${verdict} the ${kb(BUNDLE_BUDGET_BYTES)} budget`;
  } catch (err) {
    return `JS of /s/<id> until live: not read from the build (${err instanceof Error ? err.message : String(err)})`;
  }
}
