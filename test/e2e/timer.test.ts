/**
 * Two browsers, one with its clock 5 minutes ahead: both show the same remaining time (they use
 * the server clock estimate, not their own), and both show the new driver when the turn ends.
 */
import { rememberMember } from '../helpers/identity';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { e2eRig } from '../helpers/e2eRig';
import { api, createSession } from '../helpers/server';

const rig = e2eRig({ MIN_TURN_SECONDS: '1' });

const SKEW_MS = 5 * 60_000;
const TURN_SECONDS = 8;

async function open(id: string, name: string, skewMs = 0): Promise<Page> {
  const ctx = await rig.newContext();
  if (skewMs !== 0) await ctx.clock.install({ time: Date.now() + skewMs });
  const page = await ctx.newPage();
  await rememberMember(page, rig.server.url, id, name);
  await page.goto(`${rig.server.url}/s/${id}`);
  return page;
}

/** Seconds shown by the countdown ("m:ss" or "h:mm:ss"). */
async function shownSeconds(page: Page): Promise<number> {
  const text = (await page.getByTestId('remaining').textContent()) ?? '';
  return text.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
}

describe('rotation timer in two browsers with skewed clocks', () => {
  it('shows the same remaining time within a second, and the new driver at the end', async () => {
    const s = await createSession(rig.server.url, { name: 'Clock mob', turnSeconds: TURN_SECONDS });
    for (const name of ['Ada', 'Bob']) await api(rig.server.url, `/api/sessions/${s.id}/members`, { body: { name } });
    const a = await open(s.id, 'Ada');
    const b = await open(s.id, 'Bob', SKEW_MS);
    // Bob's browser really is 5 minutes ahead.
    expect(await b.evaluate(() => Date.now()) - Date.now()).toBeGreaterThan(SKEW_MS - 10_000);

    for (const page of [a, b]) await expect.poll(() => page.locator('.badge[data-status]').getAttribute('data-status')).toBe('live');
    await a.getByRole('button', { name: 'Start turn' }).click();
    for (const page of [a, b]) await expect.poll(() => page.getByTestId('driver').textContent()).toBe('Ada');

    // Both count down from the same server timestamps (b once its offset estimate is in). The countdown
    // shows the full turn for its first second, so the default 1 s of polling could end before it ticks.
    await expect
      .poll(
        async () => {
          const [x, y] = await Promise.all([shownSeconds(a), shownSeconds(b)]);
          return x > 0 && x < TURN_SECONDS && Math.abs(x - y) <= 1;
        },
        { timeout: 5_000 },
      )
      .toBe(true);
    const [x, y] = await Promise.all([shownSeconds(a), shownSeconds(b)]);
    expect(Math.abs(x - y)).toBeLessThanOrEqual(1);
    expect(y).toBeGreaterThan(0);
    await expect.poll(() => b.getByTestId('next-up').textContent()).toBe('You are driving next');

    // The server ends the turn; both screens show Bob driving.
    for (const page of [a, b]) {
      await expect.poll(() => page.getByTestId('driver').textContent(), { timeout: 20_000 }).toBe('Bob');
      await expect.poll(() => page.getByTestId('navigator').textContent()).toBe('Ada');
    }
    const snap = await api<{ timer: { turn: number; status: string } }>(rig.server.url, `/api/sessions/${s.id}`);
    expect(snap.body.timer).toMatchObject({ turn: 1, status: 'idle' });
    expect(await b.title()).toMatch(/Turn over: Bob drives/);
  });
});
