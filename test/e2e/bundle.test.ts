/**
 * The JavaScript of /s/<id> on the production build until the session is live (first load + the
 * session chunk), against its budget (gzipped); how the server sends those scripts, and what the
 * page shows before they run.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_BUDGET_BYTES, type BundleReport, checkBundle, formatReport } from '../../scripts/check-bundle.mjs';
import { firstLoadFiles, sessionChunkFiles } from '../../scripts/build-report.mjs';
import { buildDir } from '../../scripts/ensure-build.mjs';
import { join } from '../helpers/page';
import { e2eRig } from '../helpers/e2eRig';

const rig = e2eRig();

let report: BundleReport;

beforeAll(async () => {
  report = await checkBundle(rig.server.url);
});

/** A fresh page that records the path of every script chromium requests for it. */
async function scriptsRequested() {
  const context = await rig.newContext();
  const page = await context.newPage();
  const requested = new Set<string>();
  page.on('request', (r) => {
    if (r.resourceType() === 'script') requested.add(new URL(r.url()).pathname);
  });
  return { context, page, requested };
}

describe('JavaScript of the session page until it is live', () => {
  it(`is at most ${(BUNDLE_BUDGET_BYTES) / 1024} KB gzipped, first load and session chunk together`, () => {
    console.log(formatReport(report));
    expect(report.scripts.filter((s) => !s.noModule).length).toBeGreaterThan(0);
    expect(report.sessionScripts.length).toBeGreaterThan(0);
    expect(report.totalGzipBytes).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES);
  });

  it("is the lists the build reports from its own files (what `npm run build` prints)", () => {
    const served = report.scripts.filter((s) => !s.noModule).map((s) => s.src);
    expect(new Set(firstLoadFiles(buildDir()))).toEqual(new Set(served));
    expect(new Set(sessionChunkFiles(buildDir()))).toEqual(new Set(report.sessionScripts.map((s) => s.src)));
  });

  it('counts exactly the scripts chromium downloads for the page (nomodule ones are not among them)', async () => {
    const { context, page, requested } = await scriptsRequested();
    await page.goto(new URL(report.page, rig.server.url).href, { waitUntil: 'load' });
    await page.getByRole('dialog').waitFor();
    await context.close();
    for (const s of report.scripts) expect(requested.has(s.src), s.src).toBe(!s.noModule);
  });

  it('leaves Yjs and the sockets to the session chunk, which is exactly what chromium loads next until the session is live', async () => {
    const { context, page, requested } = await scriptsRequested();
    await page.goto(new URL(report.page, rig.server.url).href);
    await page.locator('output[data-status="live"]').waitFor();
    await context.close();
    const firstLoad = new Set(report.scripts.map((s) => s.src));
    const later = [...requested].filter((src) => !firstLoad.has(src));
    const text = async (src: string) => (await fetch(new URL(src, rig.server.url))).text();
    // String literals that minifiers keep: yjs marks its global with the first, socket.io-client names a close reason with the second.
    const markers = ['__ $YJS$ __', 'io server disconnect'];
    const carries = (body: string) => markers.filter((m) => body.includes(m));
    for (const s of report.scripts) expect(carries(await text(s.src)), s.src).toEqual([]);
    expect(new Set(later)).toEqual(new Set(report.sessionScripts.map((s) => s.src)));
    const laterBodies = await Promise.all(later.map(text));
    expect(laterBodies.flatMap(carries).sort()).toEqual([...markers].sort());
    const laterGzip = laterBodies.reduce((n, body) => n + gzipSync(Buffer.from(body), { level: 9 }).byteLength, 0);
    console.log(`until live: ${(report.firstLoadGzipBytes / 1024).toFixed(1)} KB first load + ${(laterGzip / 1024).toFixed(1)} KB session chunk (${later.length} scripts), gzipped`);
    expect(report.firstLoadGzipBytes + laterGzip).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES);
  });

  it("fetches the editor's dialogs once someone uses the live page, not before", async () => {
    const { context, page, requested } = await scriptsRequested();
    await page.goto(new URL(report.page, rig.server.url).href);
    await page.locator('output[data-status="live"]').waitFor();
    const untilLive = requested.size;
    await page.mouse.move(40, 40);
    await expect.poll(() => requested.size).toBeGreaterThan(untilLive);
    await join(page, 'Preloaded');
    // The dialogs' code is here before the first click: opening one requests no script.
    const before = [...requested];
    await page.locator('body').press('d');
    await page.getByRole('dialog', { name: 'Log a decision' }).waitFor();
    expect([...requested]).toEqual(before);
    await context.close();
  });

  it('sends each script gzipped from memory: immutable, its content hash as ETag, 304 when unchanged', async () => {
    for (const s of report.scripts) {
      const url = new URL(s.src, rig.server.url);
      const res = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-encoding')).toBe('gzip');
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const body = Buffer.from(await res.arrayBuffer()); // fetch has gunzipped it
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
      expect(res.headers.get('etag')).toBe(etag);
      expect((await fetch(url, { headers: { 'if-none-match': etag } })).status).toBe(304);
    }
  });
});

describe('the session page before its scripts run', () => {
  it('already shows the page frame from the server: top bar, connecting badge, busy layout', async () => {
    const context = await rig.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(new URL(report.page, rig.server.url).href);
    expect(await page.getByRole('link', { name: 'Mobflow home' }).count()).toBe(1);
    expect(await page.getByRole('status').textContent()).toBe('Connecting…');
    expect(await page.locator('main.session-grid').getAttribute('aria-busy')).toBe('true');
    expect(await page.locator('main .card').count()).toBe(4);
    await context.close();
  });
});
