#!/usr/bin/env node
// First-load JavaScript of the session page: creates a session on a running production server,
// fetches /s/<id>, and sums the gzipped size of every script the HTML loads (<script src>). A
// `nomodule` script (Next's polyfills) is listed but not counted: browsers that run modules, every
// browser Mobflow supports, never download it (a Chromium trace of the page shows no request).
// Usage: node scripts/check-bundle.mjs http://127.0.0.1:3000   (exit 1 when over budget)
import { gzipSync } from 'node:zlib';

/** Budget from issue 7: first-load JS of /s/<id>, gzipped. */
export const BUNDLE_BUDGET_BYTES = 250 * 1024;

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
 * @param {string} baseUrl the server's base URL
 * @returns {Promise<{page: string, scripts: {src: string, bytes: number, gzipBytes: number}[], totalBytes: number, totalGzipBytes: number, budgetBytes: number, ok: boolean}>}
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
  for (const { src, noModule } of scriptSources(html, page)) {
    const r = await fetch(src);
    if (!r.ok) throw new Error(`${src} answered ${r.status}`);
    const body = Buffer.from(await r.arrayBuffer());
    scripts.push({ src: new URL(src).pathname, noModule, bytes: body.byteLength, gzipBytes: gzipSync(body, { level: 9 }).byteLength });
  }
  const loaded = scripts.filter((s) => !s.noModule);
  const totalGzipBytes = loaded.reduce((n, s) => n + s.gzipBytes, 0);
  return {
    page: `/s/${id}`,
    scripts,
    totalBytes: loaded.reduce((n, s) => n + s.bytes, 0),
    totalGzipBytes,
    noModuleGzipBytes: scripts.reduce((n, s) => n + (s.noModule ? s.gzipBytes : 0), 0),
    budgetBytes,
    ok: loaded.length > 0 && totalGzipBytes <= budgetBytes,
  };
}

export function formatReport(r) {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  const lines = r.scripts.map((s) => `  ${kb(s.gzipBytes).padStart(9)} gz  ${kb(s.bytes).padStart(9)}  ${s.src}${s.noModule ? '  (nomodule: not loaded by module browsers, not counted)' : ''}`);
  const counted = r.scripts.filter((s) => !s.noModule).length;
  lines.push(`first-load JS of ${r.page.replace(/\/s\/.*/, '/s/<id>')}: ${kb(r.totalGzipBytes)} gzipped (${kb(r.totalBytes)} raw, ${counted} scripts); budget ${kb(r.budgetBytes)}: ${r.ok ? 'ok' : 'OVER'}`);
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
