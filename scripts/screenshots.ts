/**
 * Takes screenshots of the main pages (light, dark, phone) into ./.shots for a human look:
 *   npx tsx scripts/screenshots.ts [baseUrl]
 * Without baseUrl it starts the production server on a free port with a throwaway DATA_DIR.
 */
import { mkdirSync } from 'node:fs';
import { launch } from '../test/helpers/browser';
import { startWebServer } from '../test/helpers/e2eServer';

const out = '.shots';
mkdirSync(out, { recursive: true });
const child = process.argv[2] ? null : await startWebServer();
const base = process.argv[2] ?? child?.url ?? '';
const browser = await launch();
try {
  const res = await fetch(`${base}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Checkout refactor mob' }) });
  const s = (await res.json()) as { id: string; viewUrl: string };
  for (const name of ['Ada', 'Grace', 'Linus']) {
    await fetch(`${base}/api/sessions/${s.id}/members`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
  }
  // Tasks: one done, one current with criteria, a few waiting (issue 4's panel).
  const task = (body: unknown, path = 'tasks') =>
    fetch(`${base}/api/sessions/${s.id}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await task({ title: 'Spike: card tokenisation library' });
  await task({ title: 'Pay by card on the checkout page', why: 'Half of our customers abandon checkout at the redirect to the bank page; paying in place keeps them.', criteria: ['Card form validates number, expiry and CVC', 'Declined cards show a clear message', '<script>alert("not markup")</script>'] });
  for (const title of ['Apple Pay button', 'Refund from the order page', 'Receipt e-mail in the customer’s language']) await task({ title });
  await task({}, 'tasks/complete');
  // A few decisions (one corrected by a later one) for the decision panel and the review page.
  const logDecision = async (body: Record<string, unknown>) =>
    (await (await fetch(`${base}/api/sessions/${s.id}/decisions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as { id: string };
  const rest = await logDecision({ title: 'Keep the checkout API as REST', rationale: 'Mobile clients already speak REST; GraphQL would add a second stack.', alternatives: 'GraphQL, gRPC' });
  await logDecision({ title: 'Store prices in minor units (cents)', rationale: 'Floats rounded wrongly in the refund path.', consequences: 'Migrate the orders table.' });
  await logDecision({ title: 'REST, versioned under /v2', rationale: 'Old apps stay on /v1 until they update.', supersedes: rest.id });
  const shots: { file: string; path: string; scheme: 'light' | 'dark'; width: number; height: number; name?: string }[] = [
    { file: 'home-light', path: '/', scheme: 'light', width: 1280, height: 800 },
    { file: 'session-light', path: `/s/${s.id}`, scheme: 'light', width: 1440, height: 900, name: 'Ada' },
    { file: 'session-dark', path: `/s/${s.id}`, scheme: 'dark', width: 1440, height: 900, name: 'Grace' },
    { file: 'session-phone', path: `/s/${s.id}`, scheme: 'light', width: 390, height: 844, name: 'Linus' },
    { file: 'view-light', path: new URL(s.viewUrl).pathname, scheme: 'light', width: 1280, height: 800 },
    { file: 'join-dialog', path: `/s/${s.id}`, scheme: 'light', width: 1280, height: 800 },
    { file: 'decisions-review', path: `/s/${s.id}/log`, scheme: 'light', width: 1280, height: 900 },
    { file: 'decisions-review-dark', path: `/s/${s.id}/log`, scheme: 'dark', width: 390, height: 844 },
    { file: 'not-found', path: '/s/AAAAAAAAAAAAAAAAAAAAAA', scheme: 'dark', width: 1280, height: 800 },
  ];
  for (const shot of shots) {
    const ctx = await browser.newContext({ colorScheme: shot.scheme, viewport: { width: shot.width, height: shot.height } });
    const page = await ctx.newPage();
    if (shot.name) await page.addInitScript((n) => window.localStorage.setItem('mobflow:name', n), shot.name);
    await page.goto(base + shot.path);
    await page.waitForTimeout(1200);
    await page.screenshot({ path: `${out}/${shot.file}.png`, fullPage: true });
    await ctx.close();
  }
  console.log(`screenshots in ${out}/`);
} finally {
  await browser.close();
  await child?.kill('SIGTERM');
}
