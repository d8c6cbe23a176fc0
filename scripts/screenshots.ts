/**
 * Takes screenshots of the main pages (light, dark, phone) into ./.shots for a human look:
 *   npx tsx scripts/screenshots.ts [baseUrl] [--out .shots/after]
 * Without baseUrl it starts the production server on a free port with a throwaway DATA_DIR.
 * Besides one shot per page, it takes the session page (editor) with long names as driver and
 * navigator and a long task title at every width the layout must hold (390 … 1920 px), and the
 * timer's states (running near the end, paused, break), and the delivery pipeline (the Delivery
 * panel with a failing canary on the session and watch pages, the integrations dialog, the review
 * page with CI/CD events). `--delivery-only` takes just the delivery shots.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { io } from 'socket.io-client';
import type { SettingsPatch } from '../lib/protocol/timer';
import { launch } from '../test/helpers/browser';
import { startWebServer } from '../test/helpers/e2eServer';
import { rememberMember } from '../test/helpers/identity';

const args = process.argv.slice(2);
const outFlag = args.indexOf('--out');
const out = outFlag >= 0 ? (args[outFlag + 1] ?? '.shots') : '.shots';
const baseArg = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--out');
const deliveryOnly = args.includes('--delivery-only');
mkdirSync(out, { recursive: true });
const child = baseArg ? null : await startWebServer({ MIN_TURN_SECONDS: '1' });
const base = baseArg ?? child?.url ?? '';

const json = { 'content-type': 'application/json' };
const post = async <T>(path: string, body: unknown): Promise<T> => {
  const res = await fetch(base + path, { method: 'POST', headers: json, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};

/** Timer settings go over socket.io (the HTTP API has no call for them). */
async function settings(room: string, patch: SettingsPatch): Promise<void> {
  const socket = io(base, { path: '/socket.io', auth: { room }, transports: ['websocket'] });
  try {
    const reply = await socket.timeout(10_000).emitWithAck('timer:settings', patch);
    if (!reply.ok) throw new Error(`settings: ${reply.error}`);
  } finally {
    socket.close();
  }
}

/** The widths the session page must read at (a phone, a small laptop, laptops, a big screen). */
const WIDTHS = [390, 1024, 1280, 1440, 1920] as const;
const heightFor = (w: number) => (w === 390 ? 844 : w >= 1920 ? 1080 : 900);

interface ShotOptions {
  scheme?: 'light' | 'dark';
  width: number;
  height?: number;
  /** A member who joined this session before (the page knows them by their token). */
  name?: string;
  /** A name the browser remembers but has no token for: the page asks "is that you?". */
  nameOnly?: string;
  fullPage?: boolean;
  /** Something to do on the page before the shot (open a panel, press a button). */
  act?: (page: Page) => Promise<void>;
}

async function shoot(browser: Browser, file: string, path: string, opts: ShotOptions) {
  const ctx = await browser.newContext({ colorScheme: opts.scheme ?? 'light', viewport: { width: opts.width, height: opts.height ?? heightFor(opts.width) } });
  const page = await ctx.newPage();
  const session = path.match(/^\/s\/([^/]+)/)?.[1];
  if (opts.name && session) await rememberMember(page, base, session, opts.name);
  if (opts.nameOnly) await page.addInitScript((n) => window.localStorage.setItem('mobflow:name', n), opts.nameOnly);
  await page.goto(base + path);
  await page.waitForTimeout(1500);
  if (opts.act) await opts.act(page);
  await page.screenshot({ path: `${out}/${file}.png`, fullPage: opts.fullPage ?? true });
  await ctx.close();
}

/** CI/CD events as a CI script would send them: `mobflow.ci.status` CloudEvents with a bearer token. */
async function deliveryShots(browser: Browser) {
  const s = await post<{ id: string; viewUrl: string }>('/api/sessions', { name: 'Checkout release mob' });
  for (const name of ['Ada', 'Grace', 'Linus']) await post(`/api/sessions/${s.id}/members`, { name });
  await post(`/api/sessions/${s.id}/tasks`, { title: 'Pay by card on the checkout page', criteria: ['Card form validates number, expiry and CVC'] });
  const hook = await post<{ url: string; secret: string }>(`/api/sessions/${s.id}/integrations`, { provider: 'cloudevents', label: 'Jenkins' });
  await post(`/api/sessions/${s.id}/integrations`, { provider: 'github', label: 'acme/payments' });
  const path = new URL(hook.url).pathname;
  let n = 0;
  const send = async (data: Record<string, unknown>) => {
    const body = JSON.stringify({ specversion: '1.0', id: `shot-${++n}`, source: 'https://jenkins.example.com/', type: 'mobflow.ci.status', data: { ref: 'main', sha: '4f2c9e1d7a3b5c6d8e9f0a1b2c3d4e5f6a7b8c9d', actor: 'Ada', ...data } });
    const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json', authorization: `Bearer ${hook.secret}` }, body });
    if (!res.ok) throw new Error(`delivery: ${res.status} ${await res.text()}`);
  };
  await send({ pipeline: 'payments CI #412: Fix rounding in invoice totals', status: 'running', url: 'https://jenkins.example.com/job/payments/412/', run: 'ci-412' });
  await send({ pipeline: 'payments CI #412: Fix rounding in invoice totals', status: 'success', url: 'https://jenkins.example.com/job/payments/412/', run: 'ci-412' });
  await send({ pipeline: 'Deploy to production', status: 'success', environment: 'production', url: 'https://jenkins.example.com/job/deploy/88/', run: 'prod-88' });
  await post(`/api/sessions/${s.id}/decisions`, { title: 'Ship the card form behind a flag', rationale: 'The canary was green.' });
  await send({ pipeline: 'Deploy to canary: error rate 4.2% over 5 min', status: 'failed', environment: 'canary', url: 'https://jenkins.example.com/job/deploy/89/', run: 'canary-89' });
  await post(`/api/sessions/${s.id}/decisions`, { title: 'Hold the release to everyone', rationale: 'The canary is failing: error rate up after the card form.' });
  await post(`/api/sessions/${s.id}/timer`, { action: 'start' });
  const view = new URL(s.viewUrl).pathname;
  for (const w of [390, 1280]) {
    await shoot(browser, `delivery-session-${w}`, `/s/${s.id}`, { width: w, name: 'Ada' });
    await shoot(browser, `delivery-view-${w}`, view, { width: w });
    await shoot(browser, `delivery-review-${w}`, `/s/${s.id}/log`, { width: w });
    await shoot(browser, `delivery-integrations-${w}`, `/s/${s.id}`, {
      width: w,
      name: 'Ada',
      fullPage: false,
      act: async (page) => {
        await page.getByRole('button', { name: 'Connect CI, chat, mob.sh' }).click();
        await page.getByRole('button', { name: 'Create endpoint' }).click();
        await page.waitForTimeout(500);
      },
    });
  }
  // A phone's first screen (the alarm banner), and its Delivery panel scrolled into view.
  await shoot(browser, 'delivery-session-390-top', `/s/${s.id}`, { width: 390, name: 'Ada', fullPage: false });
  await shoot(browser, 'delivery-view-390-panel', view, { width: 390, fullPage: false, act: (page) => page.locator('#delivery').scrollIntoViewIfNeeded() });
  await shoot(browser, 'delivery-session-dark-1280', `/s/${s.id}`, { width: 1280, name: 'Grace', scheme: 'dark' });
  await shoot(browser, 'delivery-integrations-dark-390', `/s/${s.id}`, {
    width: 390,
    name: 'Grace',
    scheme: 'dark',
    fullPage: false,
    act: (page) => page.getByRole('button', { name: 'Connect CI, chat, mob.sh' }).click(),
  });
}

const browser = await launch();
try {
  await deliveryShots(browser);
  if (!deliveryOnly) await otherShots(browser);
  console.log(`screenshots in ${out}/`);
} finally {
  await browser.close();
  await child?.kill('SIGTERM');
}

async function otherShots(browser: Browser) {
  const s = await post<{ id: string; viewUrl: string }>('/api/sessions', { name: 'Checkout refactor mob' });
  for (const name of ['Ada', 'Grace', 'Linus']) await post(`/api/sessions/${s.id}/members`, { name });
  // Tasks: one done, one current with criteria, a few waiting.
  const task = (body: unknown, path = 'tasks') => post(`/api/sessions/${s.id}/${path}`, body);
  await task({ title: 'Spike: card tokenisation library' });
  await task({ title: 'Pay by card on the checkout page', why: 'Half of our customers abandon checkout at the redirect to the bank page; paying in place keeps them.', criteria: ['Card form validates number, expiry and CVC', 'Declined cards show a clear message', '<script>alert("not markup")</script>'] });
  for (const title of ['Apple Pay button', 'Refund from the order page', 'Receipt e-mail in the customer’s language']) await task({ title });
  await task({}, 'tasks/complete');
  // A few decisions (one corrected by a later one) for the decision panel and the review page.
  const rest = await post<{ id: string }>(`/api/sessions/${s.id}/decisions`, { title: 'Keep the checkout API as REST', rationale: 'Mobile clients already speak REST; GraphQL would add a second stack.', alternatives: 'GraphQL, gRPC' });
  await post(`/api/sessions/${s.id}/decisions`, { title: 'Store prices in minor units (cents)', rationale: 'Floats rounded wrongly in the refund path.', consequences: 'Migrate the orders table.' });
  await post(`/api/sessions/${s.id}/decisions`, { title: 'REST, versioned under /v2', rationale: 'Old apps stay on /v1 until they update.', supersedes: rest.id });
  const view = new URL(s.viewUrl).pathname;
  await shoot(browser, 'home-light', '/', { width: 1280, height: 800 });
  await shoot(browser, 'session-light', `/s/${s.id}`, { width: 1440, name: 'Ada' });
  await shoot(browser, 'session-dark', `/s/${s.id}`, { scheme: 'dark', width: 1440, name: 'Grace' });
  await shoot(browser, 'session-phone', `/s/${s.id}`, { width: 390, name: 'Linus' });
  await shoot(browser, 'view-light', view, { width: 1280, height: 800 });
  await shoot(browser, 'join-dialog', `/s/${s.id}`, { width: 1280, height: 800, fullPage: false });
  await shoot(browser, 'decisions-review', `/s/${s.id}/log`, { width: 1280 });
  await shoot(browser, 'decisions-review-dark', `/s/${s.id}/log`, { scheme: 'dark', width: 390 });
  await shoot(browser, 'same-name-1280', `/s/${s.id}`, { width: 1280, height: 800, nameOnly: 'Ada', fullPage: false });
  await shoot(browser, 'same-name-390', `/s/${s.id}`, { width: 390, nameOnly: 'Ada', fullPage: false });
  for (const w of [1280, 390]) {
    await shoot(browser, `replace-link-${w}`, `/s/${s.id}`, {
      width: w,
      name: 'Ada',
      fullPage: false,
      act: (page) => page.getByText('Replace a link…').click(),
    });
  }
  await shoot(browser, 'qr-390', `/s/${s.id}`, { width: 390, name: 'Ada', fullPage: false, act: (page) => page.getByRole('button', { name: 'QR code' }).click() });
  await shoot(browser, 'not-found', '/s/AAAAAAAAAAAAAAAAAAAAAA', { scheme: 'dark', width: 1280, height: 800 });

  // Long names as driver and navigator, a long task title, the timer running.
  const long = await post<{ id: string; viewUrl: string }>('/api/sessions', { name: 'Payments platform mob', turnSeconds: 420 });
  for (const name of ['Maximilian', 'Anne-Sophie Lefèvre', 'Carol', 'Alice']) await post(`/api/sessions/${long.id}/members`, { name });
  await post(`/api/sessions/${long.id}/tasks`, { title: 'PaymentGateway retries with idempotency keys', why: 'A retried charge must never pay twice.', criteria: ['A retry with the same key returns the first result', 'Keys expire after 24 h'] });
  await post(`/api/sessions/${long.id}/tasks`, { title: 'Settlement report' });
  await post(`/api/sessions/${long.id}/timer`, { action: 'start' });
  for (const w of WIDTHS) {
    await shoot(browser, `session-long-${w}`, `/s/${long.id}`, { width: w, name: 'Carol', fullPage: false });
    await shoot(browser, `session-long-${w}-full`, `/s/${long.id}`, { width: w, name: 'Carol' });
    await shoot(browser, `view-long-${w}`, new URL(long.viewUrl).pathname, { width: w, fullPage: false });
  }
  await shoot(browser, 'log-390', `/s/${s.id}/log`, { width: 390 });
  await shoot(browser, 'home-390', '/', { width: 390 });

  // Mark done: the toast with Undo (the task is reopened right after, for the shots below).
  for (const w of [1280, 390]) {
    await shoot(browser, `done-undone-${w}`, `/s/${long.id}`, {
      width: w,
      name: 'Carol',
      fullPage: false,
      act: async (page) => {
        await page.getByRole('button', { name: /Mark done/ }).click();
        await page.waitForTimeout(500);
        await page.screenshot({ path: `${out}/done-toast-${w}.png` });
        await page.getByRole('button', { name: 'Undo' }).click();
        await page.waitForTimeout(500);
      },
    });
  }

  // Timer states: paused, and a break (1 s turns, a break after every turn).
  await post(`/api/sessions/${long.id}/timer`, { action: 'pause' });
  await shoot(browser, 'timer-paused-1280', `/s/${long.id}`, { width: 1280, name: 'Carol', fullPage: false });
  const brk = await post<{ id: string }>('/api/sessions', { name: 'Break mob', turnSeconds: 30 });
  for (const name of ['Maximilian', 'Anne-Sophie Lefèvre', 'Carol']) await post(`/api/sessions/${brk.id}/members`, { name });
  await post(`/api/sessions/${brk.id}/tasks`, { title: 'PaymentGateway retries with idempotency keys' });
  await settings(brk.id, { breakEvery: 1, breakSeconds: 300 });
  await post(`/api/sessions/${brk.id}/timer`, { action: 'start' });
  await post(`/api/sessions/${brk.id}/timer`, { action: 'skip' });
  await shoot(browser, 'timer-break-1280', `/s/${brk.id}`, { width: 1280, name: 'Carol', fullPage: false });
  await shoot(browser, 'timer-break-390', `/s/${brk.id}`, { width: 390, name: 'Carol', fullPage: false });
  // Skipping the break starts the next 30 s turn: a second in, no warning yet.
  await post(`/api/sessions/${brk.id}/timer`, { action: 'skip' });
  await shoot(browser, 'timer-30s-turn-1280', `/s/${brk.id}`, { width: 1280, name: 'Carol', fullPage: false });
}
