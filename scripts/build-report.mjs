// First-load JavaScript of the session page as the build itself lists it, read from the files
// `next build` writes, so a build reports the page's weight without a server: the framework's root
// chunks (the route's build-manifest.json) and the entry chunks of the route's layout, page and
// boundaries (its client reference manifest). test/e2e/bundle.test.ts checks that this list is
// exactly the scripts the served HTML loads; the budget itself is enforced there, in CI.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { BUNDLE_BUDGET_BYTES } from './check-bundle.mjs';

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

/** Paths (as the page requests them, `/_next/static/...`) of the scripts a first load of `route` runs. */
export function firstLoadFiles(distPath, route = SESSION_ROUTE) {
  return firstLoadChunks(distPath, route).map((f) => `/_next/${f}`);
}

/** One line for the build's output: the first-load JS of the session page, gzipped, against the budget. */
export function firstLoadLine(distPath) {
  try {
    const files = firstLoadChunks(distPath, SESSION_ROUTE);
    const gzipBytes = files.reduce((n, f) => n + gzipSync(readFileSync(join(distPath, f)), { level: 9 }).byteLength, 0);
    const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
    const verdict = gzipBytes <= BUNDLE_BUDGET_BYTES ? 'within' : 'OVER';
    return `First-load JS of /s/<id>: ${kb(gzipBytes)} gzipped in ${files.length} scripts, ${verdict} the ${kb(BUNDLE_BUDGET_BYTES)} budget`;
  } catch (err) {
    return `First-load JS of /s/<id>: not read from the build (${err instanceof Error ? err.message : String(err)})`;
  }
}
