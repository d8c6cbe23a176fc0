
import { describe, expect, it } from 'vitest';
import { e2eRig } from '../helpers/e2eRig';
import { api, createSession } from '../helpers/server';

const rig = e2eRig();

describe('details', () => {
  it('brings copy buttons back to their label after "Copied ✓", also after quick repeated clicks', async () => {
    const s = await createSession(rig.server.url, { name: 'Copy mob' });
    const context = await rig.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: rig.server.url });
    const page = await context.newPage();
    await page.addInitScript(() => window.localStorage.setItem('mobflow:name', 'Ada'));
    await page.goto(`${rig.server.url}/s/${s.id}`);
    const invite = page.locator('button.copy').first();
    await expect.poll(() => invite.textContent()).toBe('Copy invite linkCopied ✓');
    const shown = () => invite.evaluate((b) => [...b.children].filter((c) => getComputedStyle(c).visibility !== 'hidden').map((c) => c.textContent).join(''));
    expect(await shown()).toBe('Copy invite link');
    await invite.click();
    await invite.click();
    expect(await shown()).toBe('Copied ✓');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${rig.server.url}/s/${s.id}`);
    await expect.poll(shown, { timeout: 5_000 }).toBe('Copy invite link');
    await context.close();
  });

  it('heads the rationale "Why" on the log page, and says when a search matches nothing', async () => {
    const s = await createSession(rig.server.url, { name: 'Log mob' });
    await api(rig.server.url, `/api/sessions/${s.id}/decisions`, { body: { title: 'Use Postgres', rationale: 'Transactions.' } });
    const context = await rig.newContext();
    const page = await context.newPage();
    await page.goto(`${rig.server.url}/s/${s.id}/log`);
    const entries = page.getByRole('list', { name: 'Decisions' }).locator('> li');
    await expect.poll(() => entries.count()).toBe(1);
    expect(await entries.first().locator('h3').allTextContents()).toEqual(['Why']);
    await page.getByRole('searchbox', { name: 'Search decisions' }).fill('mongodb');
    await page.getByTestId('no-match').waitFor();
    expect(await page.getByTestId('no-match').textContent()).toContain('No decision matches “mongodb”');
    await page.getByRole('button', { name: 'Show all 1 decision' }).click();
    await expect.poll(() => entries.count()).toBe(1);
    expect(await page.getByRole('searchbox', { name: 'Search decisions' }).inputValue()).toBe('');
    await context.close();
  });
});
