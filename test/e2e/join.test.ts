import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch } from '../helpers/browser';
import type { ChildServer } from '../helpers/child';
import { startWebServer } from '../helpers/e2eServer';
import { join } from '../helpers/page';

let server: ChildServer;
let browser: Browser;

beforeAll(async () => {
  server = await startWebServer();
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await server?.kill('SIGTERM');
});


const member = (page: Page, name: string) => page.getByRole('list', { name: 'Members' }).locator(`li[data-member="${name}"]`);

describe('joining a session by link', () => {
  it('creates a session on /, and two browsers see each other in the roster, online', async () => {
    const ada = await browser.newContext();
    const bob = await browser.newContext();
    const a = await ada.newPage();
    const cspErrors: string[] = [];
    a.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) cspErrors.push(m.text());
    });
    const home = await a.goto(server.url);
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

  it('shows a real 404 page for unknown and malformed session links', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    for (const path of ['/s/AAAAAAAAAAAAAAAAAAAAAA', '/s/not-a-session', '/v/AAAAAAAAAAAAAAAAAAAAAA']) {
      const res = await page.goto(server.url + path);
      expect(res?.status(), path).toBe(404);
      expect(await page.getByRole('heading', { name: 'No such session' }).count()).toBe(1);
    }
    await ctx.close();
  });
});
