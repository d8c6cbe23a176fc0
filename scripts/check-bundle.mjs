#!/usr/bin/env node
// The JavaScript the session page loads until it is live, gzipped: creates a session on a running
// production server, fetches /s/<id>, and sums every script the HTML loads (<script src>) and the
// session chunk those scripts load next (the chunk lists of their loaders, see lazyChunkPaths:
// Yjs, both sockets and the panels, requested as the page starts). A `nomodule` script (Next's
// polyfills) is listed but not counted: browsers that run modules, every browser Mobflow supports,
// never download it (a Chromium trace of the page shows no request).
// Usage: node scripts/check-bundle.mjs http://127.0.0.1:3000   (exit 1 when over budget)
import { gzipSync } from 'node:zlib';

/** Budget from issue 30: everything /s/<id> loads until it is live (first load + session chunk), gzipped. */
export const BUNDLE_BUDGET_BYTES = 200 * 1024;

/** External scripts of an HTML page: src of every <script> (resolved against the page), and whether it is nomodule. */
export function scriptSources(html, pageUrl) {
  const out = new Map();
  for (const m of html.matchAll(/<script\b([^>]*?)\bsrc=["']([^"']+)["']([^>]*)>/gi)) {
    const href = new URL(m[2].replaceAll('&amp;', '&'), pageUrl).href;
    out.set(href, /\bnomodule\b/i.test(`${m[1]} ${m[3]}`));
  }
  return [...out].map(([src, noModule]) => ({ src, noModule }));
}

/**
 * The JavaScript chunks a built script loads on demand, as the build writes them (relative to the
 * build directory, `static/chunks/...`): Turbopack's loader for a dynamic import is
 * `Promise.all(["static/chunks/a.js", "static/chunks/b.css", ...].map(load))`. For the session page
 * that is the session chunk, imported as the page starts; the chunks it loads in turn (the QR code
 * of the share dialog) wait for a click and are not followed.
 */
export function lazyChunkPaths(scriptText) {
  const out = new Set();
  for (const list of scriptText.matchAll(/Promise\.all\(\[((?:"static\/chunks\/[^"]+",?)+)\]/g)) {
    for (const m of list[1].matchAll(/"(static\/chunks\/[^"]+\.js)"/g)) out.add(m[1]);
  }
  return [...out];
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

async function fetchScript(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url} answered ${r.status}`);
  const body = Buffer.from(await r.arrayBuffer());
  return { body, bytes: body.byteLength, gzipBytes: gzipSync(body, { level: 9 }).byteLength };
}

/**
 * @param {string} baseUrl the server's base URL
 * @returns {Promise<{page: string, scripts: {src: string, noModule: boolean, bytes: number, gzipBytes: number}[], sessionScripts: {src: string, bytes: number, gzipBytes: number}[], firstLoadBytes: number, firstLoadGzipBytes: number, sessionGzipBytes: number, totalGzipBytes: number, noModuleGzipBytes: number, budgetBytes: number, ok: boolean}>}
 */
export async function checkBundle(baseUrl, budgetBytes = BUNDLE_BUDGET_BYTES) {
  const created = await fetch(new URL('/api/sessions', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bundle check' }),
  });
  if (created.status !== 201) throw new Error(`creating a session failed: ${created.status}`);
  const { id } = await created.json();
  const page = new URL(`/s/${id}`, baseUrl).href;
  const res = await fetch(page);
  if (!res.ok) throw new Error(`${page} answered ${res.status}`);
  const html = await res.text();
  const scripts = [];
  const lazy = new Set();
  for (const { src, noModule } of scriptSources(html, page)) {
    const { body, bytes, gzipBytes } = await fetchScript(src);
    scripts.push({ src: new URL(src).pathname, noModule, bytes, gzipBytes });
    if (!noModule) for (const p of lazyChunkPaths(body.toString('utf8'))) lazy.add(`/_next/${p}`);
  }
  const sessionScripts = [];
  for (const src of lazy) {
    if (scripts.some((s) => s.src === src)) continue;
    const { bytes, gzipBytes } = await fetchScript(new URL(src, baseUrl));
    sessionScripts.push({ src, bytes, gzipBytes });
  }
  const loaded = scripts.filter((s) => !s.noModule);
  const firstLoadGzipBytes = loaded.reduce((n, s) => n + s.gzipBytes, 0);
  const sessionGzipBytes = sessionScripts.reduce((n, s) => n + s.gzipBytes, 0);
  const totalGzipBytes = firstLoadGzipBytes + sessionGzipBytes;
  return {
    page: `/s/${id}`,
    scripts,
    sessionScripts,
    firstLoadBytes: loaded.reduce((n, s) => n + s.bytes, 0),
    firstLoadGzipBytes,
    sessionGzipBytes,
    totalGzipBytes,
    noModuleGzipBytes: scripts.reduce((n, s) => n + (s.noModule ? s.gzipBytes : 0), 0),
    budgetBytes,
    ok: loaded.length > 0 && totalGzipBytes <= budgetBytes,
  };
}

export function formatReport(r) {
  const lines = r.scripts.map((s) => `  ${kb(s.gzipBytes).padStart(9)} gz  ${kb(s.bytes).padStart(9)}  ${s.src}${s.noModule ? '  (nomodule: not loaded by module browsers, not counted)' : ''}`);
  for (const s of r.sessionScripts) lines.push(`  ${kb(s.gzipBytes).padStart(9)} gz  ${kb(s.bytes).padStart(9)}  ${s.src}  (session chunk)`);
  const counted = r.scripts.filter((s) => !s.noModule).length;
  lines.push(
    `JS of ${r.page.replace(/\/s\/.*/, '/s/<id>')} until live: ${kb(r.totalGzipBytes)} gzipped (first load ${kb(r.firstLoadGzipBytes)} in ${counted} scripts, session chunk ${kb(r.sessionGzipBytes)} in ${r.sessionScripts.length}); budget ${kb(r.budgetBytes)}: ${r.ok ? 'ok' : 'OVER'}`,
  );
  if (r.noModuleGzipBytes > 0) lines.push(`plus ${kb(r.noModuleGzipBytes)} gzipped of nomodule polyfills that only browsers without modules load`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const base = process.argv[2];
  if (!base) {
    console.error('usage: node scripts/check-bundle.mjs <base url of a running production server>');
    process.exit(2);
  }
  const r = await checkBundle(base);
  console.log(formatReport(r));
  process.exit(r.ok ? 0 : 1);
}
