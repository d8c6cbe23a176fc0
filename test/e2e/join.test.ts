import type { Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { scriptSources } from '../../scripts/check-bundle.mjs';
import { e2eRig } from '../helpers/e2eRig';
import { join } from '../helpers/page';

const rig = e2eRig();

async function newSession(name: string): Promise<string> {
  const created = await fetch(`${rig.server.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
  return `${rig.server.url}/s/${((await created.json()) as { id: string }).id}`;
}

/** Paths of the scripts the HTML of `link` loads itself; every other script is the session chunk's. */
async function firstLoadScripts(link: string): Promise<Set<string>> {
  const sources = scriptSources(await (await fetch(link)).text(), link);
  return new Set(sources.map((s) => new URL(s.src).pathname));
}

/** Hands `page`'s requests for the session chunk to `handle`. */
async function routeSessionChunk(page: Page, link: string, handle: (route: Route) => unknown): Promise<void> {
  const firstLoad = await firstLoadScripts(link);
  await page.route('**/_next/static/chunks/*.js', (route) => (firstLoad.has(new URL(route.request().url()).pathname) ? route.continue() : handle(route)));
}

const member = (page: Page, name: string) => page.getByRole('list', { name: 'Members' }).locator(`li[data-member="${name}"]`);

describe('joining a session by link', () => {
  it('creates a session on /, and two browsers see each other in the roster, online', async () => {
    const ada = await rig.newContext();
    const bob = await rig.newContext();
    const a = await ada.newPage();
    const cspErrors: string[] = [];
    a.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) cspErrors.push(m.text());
    });
    const home = await a.goto(rig.server.url);
    const csp = home?.headers()['content-security-policy'] ?? '';
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    await a.getByLabel('Session name').fill('Payments mob');
    await a.getByRole('button', { name: 'Start a session' }).click();
    await a.waitForURL(/\/s\/[A-Za-z0-9_-]{22}$/);
    const link = a.url();
    await join(a, 'Ada');
    // Joining wrote to the doc; the badge says so only once the server stored it.
    await expect.poll(() => a.locator('[data-status]').getAttribute('data-saved')).toBe('true');

    const b = await bob.newPage();
    await b.goto(link);
    await expect.poll(() => b.getByRole('heading', { level: 1 }).textContent()).toBe('Payments mob');
    await join(b, 'Bob');

    for (const page of [a, b]) {
      await expect.poll(() => member(page, 'Ada').getAttribute('data-online')).toBe('true');
      await expect.poll(() => member(page, 'Bob').getAttribute('data-online')).toBe('true');
      await expect.poll(() => page.locator('[data-status]').getAttribute('data-status')).toBe('live');
    }

    // The name is remembered per browser: a reload rejoins without asking, as the same member.
    await b.reload();
    await expect.poll(() => member(b, 'Bob').getAttribute('data-online')).toBe('true');
    expect(await b.getByRole('dialog', { name: /join/i }).count()).toBe(0);
    expect(await b.getByRole('list', { name: 'Members' }).locator('li').count()).toBe(2);

    expect(cspErrors).toEqual([]);
    // A closed tab drops out of presence.
    await bob.close();
    await expect.poll(() => member(a, 'Bob').getAttribute('data-online'), { timeout: 15_000 }).toBe('false');
    await ada.close();
  });

  it('asks for a name before the session has loaded, and keeps what is typed while it arrives', async () => {
    const link = await newSession('Slow network');

    /** A page whose session chunk waits until `release`. */
    async function held() {
      const context = await rig.newContext();
      const page = await context.newPage();
      const waiting: Route[] = [];
      let released = false;
      await routeSessionChunk(page, link, (route) => (released ? route.continue() : waiting.push(route)));
      // Not until "load": the held chunk is requested before the load event.
      await page.goto(link, { waitUntil: 'commit' });
      const dialog = page.getByRole('dialog', { name: 'Join the session' });
      await expect.poll(() => dialog.getByLabel('Your name').evaluate((el) => el === document.activeElement)).toBe(true);
      const release = async () => {
        // Requested once the prompt is on screen (the chunk waits behind it for a new visitor).
        await expect.poll(() => waiting.length).toBeGreaterThan(0);
        released = true;
        await Promise.all(waiting.map((r) => r.continue()));
      };
      return { context, page, release };
    }

    // Half a name typed, then the session arrives: the prompt takes its name, the text stays.
    const cleo = await held();
    await cleo.page.keyboard.type('Cl');
    await cleo.release();
    const prompt = cleo.page.getByRole('dialog', { name: 'Join Slow network' });
    await prompt.waitFor();
    expect(await prompt.getByLabel('Your name').inputValue()).toBe('Cl');
    await cleo.page.keyboard.type('eo');
    await cleo.page.keyboard.press('Enter');
    await expect.poll(() => member(cleo.page, 'Cleo').getAttribute('data-online')).toBe('true');

    // A name submitted before the session arrives: the prompt closes, and the join follows the sync.
    const dan = await held();
    await dan.page.keyboard.type('Dan');
    await dan.page.keyboard.press('Enter');
    await expect.poll(() => dan.page.getByRole('dialog').count()).toBe(0);
    expect(await dan.page.getByRole('status').textContent()).toBe('Connecting…');
    await dan.release();
    await expect.poll(() => member(dan.page, 'Dan').locator('.tag', { hasText: 'you' }).count()).toBe(1);
    await expect.poll(() => member(cleo.page, 'Dan').getAttribute('data-online')).toBe('true');
    expect(await dan.page.getByRole('list', { name: 'Members' }).locator('li').count()).toBe(2);
    await cleo.context.close();
    await dan.context.close();
  });

  it("puts a new visitor's prompt on screen before fetching the session, and a returning member's session while the page hydrates", async () => {
    const link = await newSession('Order of arrival');
    const firstLoad = await firstLoadScripts(link);
    const context = await rig.newContext();
    const page = await context.newPage();
    // Two moments in the page's clock: when the prompt's field first takes the focus (it does in the
    // commit that shows it), and when the page first reads the member id (in the commit that ends
    // hydration). A string: no helpers of the test's bundler in the page.
    await page.addInitScript(`document.addEventListener('focusin', (e) => {
      if (window.__promptAt === undefined && e.target.matches('[role="dialog"] input[name="displayName"]')) window.__promptAt = performance.now();
    }, true);
    const getItem = Storage.prototype.getItem;
    Storage.prototype.getItem = function (key) {
      if (window.__hydratedAt === undefined && String(key).startsWith('mobflow:member:')) window.__hydratedAt = performance.now();
      return getItem.call(this, key);
    };`);
    /** Start times of the session's scripts (those the HTML does not load), and the two moments above. */
    const timings = () =>
      page.evaluate((first) => {
        const scripts = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.js') && !first.includes(new URL(e.name).pathname));
        const marks = window as unknown as { __promptAt?: number; __hydratedAt?: number };
        return { starts: scripts.map((e) => e.startTime), promptAt: marks.__promptAt, hydratedAt: marks.__hydratedAt };
      }, [...firstLoad]);

    await page.goto(link);
    await join(page, 'Nia');
    await expect.poll(() => member(page, 'Nia').getAttribute('data-online')).toBe('true');
    const visitor = await timings();
    expect(visitor.starts.length).toBeGreaterThan(0);
    expect(visitor.promptAt).toBeGreaterThan(0);
    for (const start of visitor.starts) expect(start).toBeGreaterThanOrEqual(visitor.promptAt as number);

    // The name is remembered now: the reload asks for nothing, so the session is fetched at once.
    await page.reload();
    await expect.poll(() => member(page, 'Nia').getAttribute('data-online')).toBe('true');
    const returning = await timings();
    expect(returning.promptAt).toBeUndefined();
    expect(returning.starts.length).toBeGreaterThan(0);
    expect(returning.hydratedAt).toBeGreaterThan(0);
    for (const start of returning.starts) expect(start).toBeLessThan(returning.hydratedAt as number);
    await context.close();
  });

  it('says so when the session chunk cannot load, and asks for no name it could not use', async () => {
    const link = await newSession('Offline');
    const context = await rig.newContext();
    const page = await context.newPage();
    let refused = 0;
    await routeSessionChunk(page, link, (route) => {
      refused++;
      return route.abort('internetdisconnected');
    });
    await page.goto(link, { waitUntil: 'commit' });
    // (Next's route announcer is an alert too, an empty one.)
    await page.getByRole('alert').filter({ hasText: 'This page could not load the session. Check your connection and reload the page.' }).waitFor();
    expect(refused).toBeGreaterThan(0);
    expect(await page.getByRole('status').textContent()).toBe('Disconnected');
    expect(await page.getByRole('dialog').count()).toBe(0);
    await context.close();
  });

  it('shows a real 404 page for unknown and malformed session links', async () => {
    const ctx = await rig.newContext();
    const page = await ctx.newPage();
    for (const path of ['/s/AAAAAAAAAAAAAAAAAAAAAA', '/s/not-a-session', '/v/AAAAAAAAAAAAAAAAAAAAAA']) {
      const res = await page.goto(rig.server.url + path);
      expect(res?.status(), path).toBe(404);
      expect(await page.getByRole('heading', { name: 'No such session' }).count()).toBe(1);
    }
    await ctx.close();
  });
});
