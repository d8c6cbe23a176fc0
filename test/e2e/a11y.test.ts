/**
 * axe-core on every page a team sees: no serious or critical violation. The pages have a nonce
 * CSP, so axe is not added as a <script>: its source is evaluated through the DevTools protocol
 * (page.evaluate), which the page's CSP does not govern. Every load must also find its favicon
 * (no 404 on any request).
 */
import { rememberMember } from '../helpers/identity';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { e2eRig } from '../helpers/e2eRig';
import { api, createSession } from '../helpers/server';

const rig = e2eRig();

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

let s: { id: string; viewToken: string };

beforeAll(async () => {
  s = await createSession(rig.server.url, { name: 'Accessible mob' });
  for (const name of ['Ada', 'Grace', 'Linus']) await api(rig.server.url, `/api/sessions/${s.id}/members`, { body: { name } });
  await api(rig.server.url, `/api/sessions/${s.id}/tasks`, { body: { title: 'Pay by card', why: 'Keep customers in the checkout.', criteria: ['Validates the card', 'Shows the receipt'] } });
  await api(rig.server.url, `/api/sessions/${s.id}/tasks`, { body: { title: 'Refunds' } });
  const first = await api<{ id: string }>(rig.server.url, `/api/sessions/${s.id}/decisions`, { body: { title: 'Keep REST', rationale: 'Clients speak it.' } });
  await api(rig.server.url, `/api/sessions/${s.id}/decisions`, { body: { title: 'REST under /v2', rationale: 'Old apps stay on /v1.', supersedes: first.body.id } });
  await api(rig.server.url, `/api/sessions/${s.id}/timer`, { body: { action: 'start' } });
  // The delivery pipeline: a passing production, a failing canary, a running CI (panel, alarm, events).
  const hook = await api<{ url: string; secret: string }>(rig.server.url, `/api/sessions/${s.id}/integrations`, { body: { provider: 'cloudevents' } });
  for (const [id, data] of [
    ['1', { pipeline: 'Deploy to production', status: 'success', environment: 'production', url: 'https://ci.example.com/1' }],
    ['2', { pipeline: 'Deploy to canary', status: 'failed', environment: 'canary', url: 'https://ci.example.com/2' }],
    ['3', { pipeline: 'CI #12: Pay by card', status: 'running', ref: 'main', sha: 'abcdef1234567' }],
  ] as const) {
    const body = JSON.stringify({ specversion: '1.0', id, source: 'https://ci.example.com/', type: 'mobflow.ci.status', data });
    const res = await fetch(rig.server.url + new URL(hook.body.url).pathname, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json', authorization: `Bearer ${hook.body.secret}` }, body });
    expect(res.status).toBe(202);
  }
});

/** Serious and critical violations on the page as it is now (experimental rules included). */
async function seriousViolations(page: Page): Promise<Violation[]> {
  await page.evaluate(AXE_SOURCE);
  const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'], rules: { 'label-content-name-mismatch': { enabled: true } } })`)) as { violations: Violation[] };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

const describeViolations = (vs: Violation[]) => vs.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary ?? ''}`).join('\n  ')}`).join('\n');

async function open(path: string, opts: { width?: number; name?: string | null; scheme?: 'light' | 'dark' } = {}) {
  const width = opts.width ?? 1280;
  const context = await rig.newContext({ viewport: { width, height: width < 600 ? 844 : 900 }, colorScheme: opts.scheme ?? 'light' });
  const page = await context.newPage();
  const missing: string[] = [];
  page.on('response', (r) => {
    if (r.status() === 404) missing.push(r.url());
  });
  if (opts.name && /^\/s\//.test(path)) await rememberMember(page, rig.server.url, path.split('/')[2] as string, opts.name);
  else if (opts.name) await page.addInitScript((n) => window.localStorage.setItem('mobflow:name', n), opts.name);
  await page.goto(rig.server.url + path);
  return { page, missing, close: () => context.close() };
}

const live = (page: Page) => expect.poll(() => page.locator('output[data-status]').getAttribute('data-status')).toBe('live');

describe('accessibility (axe-core): no serious or critical violations', () => {
  for (const scheme of ['light', 'dark'] as const) {
    it(`on the home page (${scheme})`, async () => {
      const { page, missing, close } = await open('/', { scheme });
      await page.getByRole('button', { name: 'Start a session' }).waitFor();
      expect(describeViolations(await seriousViolations(page))).toBe('');
      expect(missing).toEqual([]);
      // The favicon: linked from the page, and there for clients that ask for /favicon.ico.
      expect(await page.locator('link[rel~="icon"]').count()).toBeGreaterThan(0);
      for (const href of await page.locator('link[rel~="icon"]').evaluateAll((els) => els.map((e) => (e as HTMLLinkElement).href))) {
        expect((await fetch(href)).status, href).toBe(200);
      }
      expect((await fetch(`${rig.server.url}/favicon.ico`)).status).toBe(200);
      await close();
    });

    it(`on the join prompt (${scheme})`, async () => {
      const { page, missing, close } = await open(`/s/${s.id}`, { scheme });
      await page.getByRole('dialog', { name: /Join/ }).getByLabel('Your name').waitFor();
      await live(page);
      expect(describeViolations(await seriousViolations(page))).toBe('');
      expect(missing).toEqual([]);
      await close();
    });

    for (const width of [1280, 390]) {
      it(`on the session page for an editor at ${width} px (${scheme})`, async () => {
        const { page, missing, close } = await open(`/s/${s.id}`, { width, name: 'Ada', scheme });
        await live(page);
        await page.getByRole('list', { name: 'Latest decisions' }).waitFor();
        await page.getByRole('list', { name: 'Latest pipeline and deploys' }).waitFor();
        await expect.poll(() => page.getByTestId('driver').textContent()).toBe('Ada');
        // Open the disclosures too: the timer settings and the roster controls are part of the page.
        for (const summary of await page.locator('summary').all()) await summary.click();
        expect(describeViolations(await seriousViolations(page))).toBe('');
        expect(missing).toEqual([]);
        await close();
      });
    }

    for (const width of [1280, 390]) {
      it(`on the integrations dialog at ${width} px (${scheme})`, async () => {
        const { page, missing, close } = await open(`/s/${s.id}`, { width, name: 'Ada', scheme });
        await live(page);
        await page.getByRole('button', { name: 'Connect CI, chat, mob.sh' }).click();
        const dialog = page.getByRole('dialog', { name: 'Connect CI, chat and mob.sh' });
        await dialog.getByRole('button', { name: 'Create endpoint' }).click();
        await dialog.getByTestId('hook-secret').waitFor();
        await dialog.getByTestId('mob-env').waitFor();
        await dialog.getByRole('button', { name: 'Revoke CI (CloudEvents)' }).click();
        expect(describeViolations(await seriousViolations(page))).toBe('');
        expect(missing).toEqual([]);
        await close();
      });
    }

    it(`on the watch link (${scheme})`, async () => {
      const { page, missing, close } = await open(`/v/${s.viewToken}`, { scheme });
      await live(page);
      await page.getByRole('list', { name: 'Latest decisions' }).waitFor();
      await page.getByTestId('delivery-alarm').filter({ hasText: 'canary' }).waitFor();
      expect(describeViolations(await seriousViolations(page))).toBe('');
      expect(missing).toEqual([]);
      await close();
    });

    it(`on the decision log (${scheme})`, async () => {
      const { page, missing, close } = await open(`/s/${s.id}/log`, { scheme });
      await expect.poll(() => page.getByRole('list', { name: 'Decisions' }).locator('> li').count()).toBe(2);
      await expect.poll(() => page.getByRole('list', { name: 'CI/CD events' }).locator('> li').count()).toBe(3);
      expect(describeViolations(await seriousViolations(page))).toBe('');
      await page.getByRole('searchbox', { name: 'Search decisions' }).fill('nothing like this');
      await page.getByTestId('no-match').waitFor();
      expect(describeViolations(await seriousViolations(page))).toBe('');
      expect(missing).toEqual([]);
      await close();
    });
  }
});
