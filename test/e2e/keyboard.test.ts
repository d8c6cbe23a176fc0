/**
 * The session page from the keyboard: the skip link comes first, timer buttons keep the focus
 * through Start / Pause / Resume / Reset, and every dialog (join, rename, switch task, log a
 * decision) keeps Tab inside, closes on Escape (except the join prompt) and gives the focus back
 * to what opened it. Row actions are one Tab stop each.
 */
import { rememberMember } from '../helpers/identity';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { e2eRig } from '../helpers/e2eRig';
import { api, createSession } from '../helpers/server';

const rig = e2eRig();

async function session() {
  const s = await createSession(rig.server.url, { name: 'Keyboard mob' });
  for (const name of ['Ada', 'Bob']) await api(rig.server.url, `/api/sessions/${s.id}/members`, { body: { name } });
  await api(rig.server.url, `/api/sessions/${s.id}/tasks`, { body: { title: 'Checkout', criteria: ['validates the card', 'shows the receipt'] } });
  await api(rig.server.url, `/api/sessions/${s.id}/tasks`, { body: { title: 'Refunds' } });
  return s;
}

async function open(path: string, name: string | null): Promise<Page> {
  const context = await rig.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  if (name) await rememberMember(page, rig.server.url, path.split('/')[2] as string, name);
  await page.goto(rig.server.url + path);
  if (name) await expect.poll(() => page.locator('output[data-status]').getAttribute('data-status')).toBe('live');
  return page;
}

/** What has the focus: its tag, id, text or label, and whether it is inside the open dialog. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return {
      tag: el?.tagName.toLowerCase() ?? null,
      id: el?.id ?? '',
      name: el?.getAttribute('aria-label') ?? el?.textContent?.trim() ?? '',
      inDialog: Boolean(el?.closest('dialog[open]')),
    };
  });

/** Tabs forwards and backwards through a dialog: the focus never leaves it. */
async function expectTrapped(page: Page, presses = 8) {
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let i = 0; i < presses; i++) {
      await page.keyboard.press(key);
      expect((await focused(page)).inDialog, `${key} #${i + 1}`).toBe(true);
    }
  }
}

describe('the session page from the keyboard', () => {
  it('starts with a skip link to the session, whose first stop is the timer', async () => {
    const s = await session();
    const page = await open(`/s/${s.id}`, 'Ada');
    await page.getByRole('button', { name: 'Start turn' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'a', name: 'Skip to the session' });
    expect(await page.getByRole('link', { name: 'Skip to the session' }).isVisible()).toBe(true);
    await page.keyboard.press('Enter');
    expect(await focused(page)).toMatchObject({ tag: 'main', id: 'main' });
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'button', name: 'Start turn' });
  });

  it('keeps the focus on the timer buttons through start, pause, resume and reset', async () => {
    const s = await session();
    const page = await open(`/s/${s.id}`, 'Ada');
    const panel = page.getByRole('region', { name: 'Rotation' });
    const state = () => panel.getAttribute('data-timer');
    await page.getByRole('button', { name: 'Start turn' }).focus();
    for (const [expected, next] of [
      ['running', 'Pause'],
      ['paused', 'Resume'],
      ['running', 'Pause'],
    ] as const) {
      await page.keyboard.press('Enter');
      await expect.poll(state).toBe(expected);
      await expect.poll(async () => (await focused(page)).name).toBe(next);
    }
    // Reset goes away with the turn: the focus moves to the button that starts the next one.
    await page.getByRole('button', { name: 'Reset' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(state).toBe('idle');
    await expect.poll(async () => (await focused(page)).name).toBe('Start turn');
  });

  it('traps the focus in the rename dialog, closes it on Escape and returns to its button', async () => {
    const s = await session();
    const page = await open(`/s/${s.id}`, 'Ada');
    const you = page.getByRole('button', { name: /^You: Ada/ });
    await you.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Change your name' });
    await dialog.waitFor();
    expect(await focused(page)).toMatchObject({ tag: 'input', inDialog: true });
    await expectTrapped(page);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(async () => (await focused(page)).name).toMatch(/^You: Ada/);
  });

  it('traps the focus in the switch dialog, closes it on Escape and returns to its button', async () => {
    const s = await session();
    const page = await open(`/s/${s.id}`, 'Ada');
    const open_ = page.getByRole('button', { name: 'Switch task…' });
    await open_.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Switch the current task?' });
    await dialog.waitFor();
    expect(await focused(page)).toMatchObject({ tag: 'textarea', inDialog: true });
    await expectTrapped(page);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(async () => (await focused(page)).name).toBe('Switch task…');
  });

  it('traps the focus in the decision dialog, from its button or the D key, and returns it', async () => {
    const s = await session();
    const page = await open(`/s/${s.id}`, 'Ada');
    const logButton = page.getByRole('button', { name: /Log decision/ });
    await logButton.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Log a decision' });
    await dialog.waitFor();
    expect(await focused(page)).toMatchObject({ tag: 'input', inDialog: true });
    await expectTrapped(page, 10);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(async () => (await focused(page)).name).toMatch(/^Log decision/);

    // Opened with D while nothing had the focus: it comes back to the button.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('d');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(async () => (await focused(page)).name).toMatch(/^Log decision/);
  });

  it('keeps the join prompt open on Escape, with the focus inside it', async () => {
    const s = await session();
    const page = await open(`/s/${s.id}`, null);
    const dialog = page.getByRole('dialog', { name: /^Join/ });
    await dialog.getByLabel('Your name').waitFor();
    await expect.poll(async () => (await focused(page)).inDialog).toBe(true);
    // The second Escape may close a dialog whatever the page says (Chrome's anti-abuse rule): it opens again.
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.evaluate((d) => (d as HTMLDialogElement).open && d.matches(':modal'))).toBe(true);
    expect(await dialog.count()).toBe(1);
    await dialog.getByLabel('Your name').focus();
    await expectTrapped(page, 4);
  });

  it('gives each row of actions one Tab stop, with the arrows inside', async () => {
    const s = await session();
    const page = await open(`/s/${s.id}`, 'Ada');
    const first = page.getByRole('textbox', { name: 'Criterion 1', exact: true });
    await first.focus();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ name: 'Move criterion 1 down' });
    await page.keyboard.press('ArrowRight');
    expect(await focused(page)).toMatchObject({ name: 'Remove criterion 1' });
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ name: 'Criterion 2 met' });
  });
});
