/**
 * Page load: is the session page interactive on loopback in under 1 s? The real entrypoint serves the
 * production build (UI on) from a child process; Debian's chromium loads /s/<id> in a fresh browser
 * context each time (empty HTTP cache, empty localStorage). The first load after the server and the
 * browser start is reported as "cold", the others as "warm".
 *
 * Interactive (what a new visitor can do first is type a name into the join dialog): the first
 * moment, as performance.now() in the page (ms since navigation start), at which the join dialog's
 * name input exists, is enabled and has the focus. The server renders only the page frame (SessionSkeleton), so
 * the input exists only once React has hydrated the page and rendered the prompt (SessionRoot, before
 * the session's own chunk has arrived), and it gets the focus from JoinForm's layout effect, in the
 * commit that puts it in the page, so its handlers are attached. Each load then
 * proves it: submitting the empty form shows React's "Your name ..." error (no handler, no error).
 *
 * Live (a returning member, localStorage holding their name and member id from an earlier join):
 * navigation start until the connection badge says live (doc synced) and the roster marks "you".
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, errors, type Page } from 'playwright-core';
import { z } from 'zod';
import { chromiumPath, launch } from '../test/helpers/browser';
import { checkBundle } from '../scripts/check-bundle.mjs';
import { serverArgs, serverEnv } from '../scripts/server-command.mjs';
import { type Pinning, UNPINNED } from './pinning';
import { listening, stopChild } from './servers';
import { round, summarize } from './stats';

const ROOT = join(import.meta.dirname, '..');
export const DEFAULT_PAGE_LOADS = 20;
/** `next build` takes ~7 s here; a cold machine with a busy tree can take far longer. */
const BUILD_TIMEOUT_MS = 10 * 60_000;
const STOP_TIMEOUT_MS = 10_000;
/** Bound on every browser step (navigation, a mark, the validation click). */
const STEP_TIMEOUT_MS = 20_000;
/** How long to wait for chromium's First Contentful Paint entry after the other marks; then it is null. */
const FCP_GRACE_MS = 3_000;
const MEMBER_NAME = 'Page bench';
/** Where the probe keeps its marks in the page. */
const PROBE = '__mobflowPageProbe';

/**
 * Runs before any page script (CDP, so the page's CSP does not apply). Checks on every DOM mutation,
 * every focus change and every frame, records the first time each condition holds. A plain string:
 * tsx's keepNames would put `__name` calls into a serialized function, undefined in the page.
 */
const PROBE_SCRIPT = `(() => {
  const marks = {};
  Object.defineProperty(window, '${PROBE}', { value: marks });
  const mark = (k) => { if (!(k in marks)) marks[k] = performance.now(); };
  const check = () => {
    const input = document.querySelector('[role="dialog"] input[name="displayName"]');
    if (input) {
      mark('dialog');
      if (!input.disabled && document.activeElement === input) mark('interactive');
    }
    if (document.querySelector('output[data-status="live"]')) {
      mark('synced');
      for (const tag of document.querySelectorAll('ul[aria-label="Members"] li .tag')) {
        if (tag.textContent === 'you') mark('live');
      }
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  document.addEventListener('focusin', check, true);
  const deadline = performance.now() + ${STEP_TIMEOUT_MS};
  const frame = () => {
    check();
    const done = ('interactive' in marks && 'synced' in marks) || 'live' in marks;
    if (!done && performance.now() < deadline) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();`;

const READ_TIMINGS = `(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  return {
    marks: window.${PROBE},
    ttfb: nav ? nav.responseStart : null,
    domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
    load: nav ? nav.loadEventEnd : null,
    fcp: fcp ? fcp.startTime : null,
  };
})()`;

const ms = z.number().nonnegative();
const RawTimings = z.object({
  marks: z.object({ dialog: ms.optional(), interactive: ms.optional(), synced: ms.optional(), live: ms.optional() }),
  ttfb: ms.nullable(),
  domContentLoaded: ms.nullable(),
  load: ms.nullable(),
  fcp: ms.nullable(),
});
type RawTimings = z.infer<typeof RawTimings>;

/** One load by a new visitor; every figure is ms since navigation start, measured by the page. */
export interface LoadTiming {
  /** The join dialog's name input present, enabled and focused (see the file comment). */
  interactiveMs: number;
  /** The join dialog in the DOM (just before its focus effect ran). */
  dialogMs: number;
  /** The connection badge says live: websocket open and the doc synced. */
  syncedMs: number;
  /** First Contentful Paint; null when chromium did not report one. */
  fcpMs: number | null;
  ttfbMs: number;
  domContentLoadedMs: number;
  loadMs: number;
}

export interface Dist {
  p50: number;
  p95: number;
  max: number;
}

export interface PageSkipped {
  skipped: string;
}

export interface PageMeasured {
  skipped?: undefined;
  /** Loads by new visitors, the cold one included. */
  loads: number;
  /** CPUs the browser may use (all this run may use; the server stays on its own when pinned). */
  browserCpus: number;
  cold: LoadTiming;
  /** Over the loads after the first (empty when `loads` is 1). */
  warm: { count: number; interactive: Dist; dialog: Dist; synced: Dist; fcp: Dist | null; ttfb: Dist; domContentLoaded: Dist; load: Dist };
  /** One load by a returning member (fresh context, localStorage from an earlier join). */
  live: { liveMs: number; syncedMs: number; fcpMs: number | null };
  /** JS the page loads until live, gzipped, as scripts/check-bundle.mjs counts it on this server. */
  bundle: { firstLoadGzipBytes: number; sessionGzipBytes: number; totalGzipBytes: number; budgetBytes: number };
}

export type PageResult = PageSkipped | PageMeasured;

export interface PageOptions {
  /** New-visitor loads, the first reported as cold (default 20). */
  loads: number;
  /** Next.js build dir for both the build and the server (MOBFLOW_DIST_DIR); unset: the environment's. */
  distDir?: string;
  /** The server on the benchmark's server CPU; the browser may use every CPU (see Pinning.onEveryCpu). */
  pinning?: Pinning;
}

export async function runPageLoad(opts: PageOptions): Promise<PageResult> {
  const skipped = chromiumMissing();
  if (skipped) return { skipped };
  const loads = Math.max(1, Math.floor(opts.loads));
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...(opts.distDir ? { MOBFLOW_DIST_DIR: opts.distDir } : {}) };
  await build(env);
  const pinning = opts.pinning ?? UNPINNED;
  const server = await startWebServer(env, pinning);
  let browser: Browser | null = null;
  try {
    // The browser inherits the CPUs this thread may use while it spawns it.
    const launched = await pinning.onEveryCpu(async () => ({ cpus: availableParallelism(), browser: await launch() }));
    browser = launched.browser;
    const browserCpus = launched.cpus;
    const url = `${server.url}/s/${await createSession(server.url)}`;
    const visits: LoadTiming[] = [];
    for (let i = 0; i < loads; i++) {
      visits.push(await visitorLoad(browser, url).catch(rethrowAs(`load ${i + 1} of ${loads}`)));
    }
    const [cold, ...warm] = visits;
    if (!cold) throw new Error('no load measured');
    const live = await returningLoad(browser, url).catch(rethrowAs('the returning member'));
    const { firstLoadGzipBytes, sessionGzipBytes, totalGzipBytes, budgetBytes } = await checkBundle(server.url);
    return { loads, browserCpus, cold, warm: summarizeLoads(warm), live, bundle: { firstLoadGzipBytes, sessionGzipBytes, totalGzipBytes, budgetBytes } };
  } finally {
    if (browser) await bounded(browser.close(), STOP_TIMEOUT_MS);
    await server.stop();
  }
}

function chromiumMissing(): string | undefined {
  try {
    const path = chromiumPath();
    return path && existsSync(path) ? undefined : `chromium not found at "${path}"`;
  } catch (err) {
    return String(err instanceof Error ? err.message : err);
  }
}

/** A new visitor: fresh context, waits for interactive and synced, then proves the form reacts. */
async function visitorLoad(browser: Browser, url: string): Promise<LoadTiming> {
  return inContext(browser, undefined, async (page) => {
    const t = await load(page, url, ['interactive', 'synced']);
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Join the mob', exact: true }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Your name' }).waitFor();
    return {
      interactiveMs: need(t.marks.interactive, 'interactive'),
      dialogMs: need(t.marks.dialog, 'dialog'),
      syncedMs: need(t.marks.synced, 'synced'),
      fcpMs: t.fcp === null ? null : round(t.fcp),
      ttfbMs: need(t.ttfb, 'ttfb'),
      domContentLoadedMs: need(t.domContentLoaded, 'domContentLoaded'),
      loadMs: need(t.load, 'load'),
    };
  });
}

/** Joins once (untimed) to get a member's localStorage, then times a fresh context that has it. */
async function returningLoad(browser: Browser, url: string): Promise<PageMeasured['live']> {
  const storageState = await inContext(browser, undefined, async (page) => {
    await load(page, url, ['interactive']);
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Your name').fill(MEMBER_NAME);
    await dialog.getByRole('button', { name: 'Join the mob', exact: true }).click();
    // Closing before the server has stored the join would leave a member id the doc does not know.
    await page.locator('output[data-status="live"][data-saved="true"]').waitFor();
    await page.locator('ul[aria-label="Members"] li .tag', { hasText: /^you$/ }).waitFor();
    return page.context().storageState();
  });
  return inContext(browser, storageState, async (page) => {
    const t = await load(page, url, ['live']);
    return { liveMs: need(t.marks.live, 'live'), syncedMs: need(t.marks.synced, 'synced'), fcpMs: t.fcp === null ? null : round(t.fcp) };
  });
}

type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;

async function inContext<T>(browser: Browser, storageState: StorageState | undefined, fn: (page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext(storageState ? { storageState } : {});
  try {
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
    await context.addInitScript(PROBE_SCRIPT);
    return await fn(await context.newPage());
  } finally {
    await bounded(context.close(), STOP_TIMEOUT_MS);
  }
}

/** Navigates, waits for the marks and the load event, and reads the page's own timings. */
async function load(page: Page, url: string, marks: readonly string[]): Promise<RawTimings> {
  await page.goto(url, { waitUntil: 'commit' });
  // Functions, not strings: the page's CSP forbids the eval a string predicate needs (evaluate is exempt).
  await page
    .waitForFunction(
      ({ probe, want }) => {
        const got = (window as unknown as Record<string, Record<string, number> | undefined>)[probe];
        return got !== undefined && want.every((m) => m in got);
      },
      { probe: PROBE, want: marks },
      { timeout: STEP_TIMEOUT_MS },
    )
    .catch(async (err: unknown) => {
      const got = await page.evaluate(`window.${PROBE}`).catch(() => 'unreadable');
      throw new Error(`waiting for ${marks.join(' + ')} on ${url}: ${String(err)}; marks so far ${JSON.stringify(got)}`);
    });
  await page.waitForFunction(() => ((performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)?.loadEventEnd ?? 0) > 0, undefined, {
    timeout: STEP_TIMEOUT_MS,
  });
  // The paint entry is queued when the frame is presented, which can trail the DOM marks a little.
  await page
    .waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0, undefined, { timeout: FCP_GRACE_MS })
    .catch((err: unknown) => {
      if (!(err instanceof errors.TimeoutError)) throw err;
    });
  return RawTimings.parse(await page.evaluate(READ_TIMINGS));
}

function rethrowAs(what: string): (err: unknown) => never {
  return (err) => {
    throw new Error(`page bench, ${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  };
}

function need(v: number | null | undefined, what: string): number {
  if (v === null || v === undefined) throw new Error(`the page reported no ${what} time`);
  return round(v);
}

function summarizeLoads(loads: readonly LoadTiming[]): PageMeasured['warm'] {
  const dist = (pick: (l: LoadTiming) => number): Dist => {
    const s = summarize(loads.map(pick));
    return { p50: s.p50, p95: s.p95, max: s.max };
  };
  const fcps = loads.flatMap((l) => (l.fcpMs === null ? [] : [l.fcpMs]));
  return {
    count: loads.length,
    interactive: dist((l) => l.interactiveMs),
    dialog: dist((l) => l.dialogMs),
    synced: dist((l) => l.syncedMs),
    // Only when every load reported it: a partial distribution would look better than it is.
    fcp: fcps.length === loads.length && loads.length > 0 ? dist((l) => l.fcpMs ?? Number.NaN) : null,
    ttfb: dist((l) => l.ttfbMs),
    domContentLoaded: dist((l) => l.domContentLoadedMs),
    load: dist((l) => l.loadMs),
  };
}

async function createSession(base: string): Promise<string> {
  const res = await fetch(`${base}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'page bench' }),
    signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
  });
  if (res.status !== 201) throw new Error(`creating a session failed: ${res.status} ${await res.text()}`);
  return z.object({ id: z.string() }).parse(await res.json()).id;
}

/** scripts/ensure-build.mjs in a child, its output on stderr so a runner's stdout stays one JSON line. */
async function build(env: NodeJS.ProcessEnv): Promise<void> {
  const proc = spawn(process.execPath, [join(ROOT, 'scripts', 'ensure-build.mjs')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.pipe(process.stderr, { end: false });
  proc.stderr?.pipe(process.stderr, { end: false });
  const timer = setTimeout(() => proc.kill('SIGKILL'), BUILD_TIMEOUT_MS);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      proc.once('error', reject);
      proc.once('exit', (c) => resolve(c));
    });
    if (code !== 0) throw new Error(`building the web app failed (exit ${code}; killed after ${BUILD_TIMEOUT_MS} ms if null)`);
  } finally {
    clearTimeout(timer);
  }
}

interface WebServer {
  url: string;
  stop(): Promise<void>;
}

/** The real entrypoint with the UI on, in a child started as npm start starts it (on the server CPU when pinned). */
async function startWebServer(env: NodeJS.ProcessEnv, pinning: Pinning): Promise<WebServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mobflow-page-'));
  const { command, args } = pinning.wrap(process.execPath, serverArgs(ROOT, { cpus: pinning.serverCpus }));
  const proc = spawn(command, args, {
    cwd: ROOT,
    env: serverEnv({ ...env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, MOBFLOW_UI: 'on', LOG_LEVEL: 'info' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = async () => {
    await stopChild(proc);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    return { url: await listening(proc, 'mobflow (UI on)'), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Waits for `p` at most `timeoutMs`; cleanup must not hang the run (a failure here is ignored). */
async function bounded(p: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
  clearTimeout(timer);
}
