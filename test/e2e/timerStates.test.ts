/**
 * What the timer panel says and how it looks in each state: the warning of a 30 s turn (none at
 * its start, one near its end, none in a break or a pause), a break and a pause with their own look
 * and tab title, turn lengths down to the server's minimum in the settings, and the phone's order.
 */
import { rememberMember } from '../helpers/identity';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { SessionSnapshot } from '../../lib/snapshot';
import { e2eRig } from '../helpers/e2eRig';
import { api, createSession } from '../helpers/server';

// The server's minimum turn is 1 s here: the page must offer exactly that.
const rig = e2eRig({ MIN_TURN_SECONDS: '1' });

async function open(id: string, name: string, width = 1280): Promise<Page> {
  const context = await rig.newContext({ viewport: { width, height: width < 600 ? 844 : 900 } });
  const page = await context.newPage();
  await rememberMember(page, rig.server.url, id, name);
  await page.goto(`${rig.server.url}/s/${id}`);
  await expect.poll(() => page.locator('output[data-status]').getAttribute('data-status')).toBe('live');
  return page;
}

const panel = (page: Page) => page.getByRole('region', { name: 'Rotation' });
const timerStyle = (page: Page) =>
  panel(page).evaluate((el) => {
    const cs = getComputedStyle(el);
    const clock = el.querySelector('[data-testid="remaining"]');
    return { background: cs.backgroundColor, border: cs.borderTopStyle, clockColor: clock ? getComputedStyle(clock).color : '' };
  });
const snapshot = async (id: string) => (await api<SessionSnapshot>(rig.server.url, `/api/sessions/${id}`)).body;

/** Saves turn and break lengths through the settings form (as a person would). */
async function saveSettings(page: Page, values: { turn?: [number, number]; breakEvery?: number; break?: [number, number] }) {
  const settings = page.locator('details.timer-settings');
  if (!(await settings.evaluate((d) => (d as HTMLDetailsElement).open))) await settings.locator('summary').click();
  const group = (name: string) => settings.getByRole('group', { name });
  if (values.turn) {
    await group('Turn length').getByLabel('min').fill(String(values.turn[0]));
    await group('Turn length').getByLabel('sec').fill(String(values.turn[1]));
  }
  if (values.break) {
    await group('Break length').getByLabel('min').fill(String(values.break[0]));
    await group('Break length').getByLabel('sec').fill(String(values.break[1]));
  }
  if (values.breakEvery !== undefined) await settings.getByLabel(/Break every/).fill(String(values.breakEvery));
  await settings.getByRole('button', { name: 'Save timer settings' }).click();
  await settings.getByText('Saved — applies from the next turn').waitFor();
}

describe('timer states', () => {
  it('warns in the last 10 % of a 30 s turn only, and never in a break or a pause', async () => {
    const s = await createSession(rig.server.url, { name: 'Warning mob', turnSeconds: 30 });
    for (const name of ['Ada', 'Bob']) await api(rig.server.url, `/api/sessions/${s.id}/members`, { body: { name } });
    const page = await open(s.id, 'Ada');
    // A 5 s break after every turn.
    await saveSettings(page, { breakEvery: 1, break: [0, 5] });
    await page.getByRole('button', { name: 'Start turn' }).click();
    await expect.poll(() => panel(page).getAttribute('data-timer')).toBe('running');
    // The start of the turn: no warning (the old fixed 30 s window warned for the whole turn).
    expect(await panel(page).getAttribute('data-warning')).toBe('false');
    expect(await page.getByTestId('timer-warning').count()).toBe(0);
    const turn = await timerStyle(page);

    // Near its end, the warning says how long is left: 10 % of 30 s.
    await expect.poll(() => panel(page).getAttribute('data-warning'), { timeout: 40_000, interval: 200 }).toBe('true');
    expect(await page.getByTestId('timer-warning').textContent()).toBe('Less than 3 seconds left — get ready to switch');
    expect(Number((await page.getByTestId('remaining').textContent())?.split(':')[1])).toBeLessThanOrEqual(3);
    expect((await timerStyle(page)).clockColor).not.toBe(turn.clockColor);

    // The turn ends into the break: it looks different, its title says so, and it never warns.
    await expect.poll(() => panel(page).getAttribute('data-mode'), { timeout: 10_000, interval: 100 }).toBe('break');
    const onBreak = await timerStyle(page);
    expect(onBreak.background).not.toBe(turn.background);
    expect(await page.getByTestId('break-note').textContent()).toContain('Break');
    expect(await page.getByText(/^Up next:/).count()).toBe(0);
    expect(await page.getByTestId('next-up').count()).toBe(0);
    // The tab first flashes the news ("⏰ Break time") until someone looks; then it counts the break down.
    await expect.poll(() => page.title()).toBe('⏰ Break time');
    await page.bringToFront();
    await page.mouse.click(5, 600);
    await expect.poll(() => page.title()).toMatch(/^Break · 0:0\d$/);
    // Sampled through the break, down to its last seconds.
    let samples = 0;
    while ((await panel(page).getAttribute('data-mode')) === 'break') {
      expect(await panel(page).getAttribute('data-warning')).toBe('false');
      expect(await page.getByTestId('timer-warning').count()).toBe(0);
      samples++;
      await page.waitForTimeout(200);
    }
    expect(samples).toBeGreaterThan(5);
  });

  it('looks paused when paused, with the state in the tab title', async () => {
    const s = await createSession(rig.server.url, { name: 'Pause mob', turnSeconds: 300 });
    for (const name of ['Ada', 'Bob']) await api(rig.server.url, `/api/sessions/${s.id}/members`, { body: { name } });
    const page = await open(s.id, 'Ada');
    await page.getByRole('button', { name: 'Start turn' }).click();
    await expect.poll(() => page.title()).toMatch(/^\d:\d\d · Ada driving$/);
    const running = await timerStyle(page);
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => panel(page).getAttribute('data-mode')).toBe('paused-turn');
    expect(await page.getByTestId('timer-state').textContent()).toBe('Paused');
    const paused = await timerStyle(page);
    expect(paused.border).toBe('dashed');
    expect(paused.clockColor).not.toBe(running.clockColor);
    await expect.poll(() => page.title()).toMatch(/^Paused · \d:\d\d · Ada driving$/);
    expect(await panel(page).getAttribute('data-warning')).toBe('false');
  });

  it('takes any whole number of seconds from the server minimum in the settings', async () => {
    const s = await createSession(rig.server.url, { name: 'Settings mob' });
    await api(rig.server.url, `/api/sessions/${s.id}/members`, { body: { name: 'Ada' } });
    const page = await open(s.id, 'Ada');
    await saveSettings(page, { turn: [0, 45] });
    await expect.poll(async () => (await snapshot(s.id)).timer.turnSeconds).toBe(45);
    await saveSettings(page, { turn: [1, 1] });
    await expect.poll(async () => (await snapshot(s.id)).timer.turnSeconds).toBe(61);
    // The page knows the server's minimum (1 s here) and says so; below it, a clear message.
    const settings = page.locator('details.timer-settings');
    expect(await settings.getByText('Any length from 1 s to 4 h.').count()).toBe(1);
    await settings.getByRole('group', { name: 'Turn length' }).getByLabel('min').fill('0');
    await settings.getByRole('group', { name: 'Turn length' }).getByLabel('sec').fill('0');
    await settings.getByRole('button', { name: 'Save timer settings' }).click();
    expect(await settings.getByRole('alert').textContent()).toBe('Turn length must be at least 1 s.');
    expect((await snapshot(s.id)).timer.turnSeconds).toBe(61);
  });
});

describe('on a phone', () => {
  it('shows roles and the clock, then the task, then the rest; a header that scrolls away; no shortcut badges', async () => {
    const s = await createSession(rig.server.url, { name: 'A session with a rather long name for a phone' });
    for (const name of ['Maximilian', 'Anne-Sophie Lefèvre', 'Carol']) await api(rig.server.url, `/api/sessions/${s.id}/members`, { body: { name } });
    await api(rig.server.url, `/api/sessions/${s.id}/tasks`, { body: { title: 'PaymentGateway retries with idempotency keys', criteria: ['A retry returns the first result'] } });
    await api(rig.server.url, `/api/sessions/${s.id}/tasks`, { body: { title: 'Settlement report' } });
    await api(rig.server.url, `/api/sessions/${s.id}/timer`, { body: { action: 'start' } });
    const page = await open(s.id, 'Carol', 390);
    await expect.poll(() => page.getByTestId('driver').textContent()).toBe('Maximilian');

    const top = (selector: string) => page.locator(selector).first().evaluate((el) => el.getBoundingClientRect().top + window.scrollY);
    const order = ['.roles', '[data-testid="remaining"]', '.task-now .task-title', '.rotation-details', '.task-queue', '.roster', '.decision-log'];
    const tops = [];
    for (const selector of order) tops.push(await top(selector));
    expect(tops).toEqual([...tops].sort((a, b) => a - b));
    // In the page's order too (the keyboard and screen readers follow it).
    const domOrder = await page.evaluate((selectors) => {
      const els = selectors.map((sel) => document.querySelector(sel) as Element);
      return els.every((el, i) => i === 0 || (els[i - 1] as Element).compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
    }, order);
    expect(domOrder).toBe(true);

    // The current task's title is on the first screen.
    const title = await page.locator('.task-now .task-title').evaluate((el) => el.getBoundingClientRect().bottom);
    expect(title).toBeLessThan(844);
    // The header is at most two rows (under 15 % of the screen) and does not stay on top.
    const header = await page.locator('header.topbar').evaluate((el) => ({ height: el.getBoundingClientRect().height, position: getComputedStyle(el).position }));
    expect(header.height).toBeLessThan(844 * 0.15);
    expect(header.position).not.toBe('sticky');
    expect(await page.locator('kbd').evaluateAll((els) => els.filter((e) => e.getClientRects().length > 0).length)).toBe(0);
    expect(await page.getByText('(press D)').isVisible()).toBe(false);
  });
});
