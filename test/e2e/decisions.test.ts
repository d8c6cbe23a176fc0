import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { e2eRig } from '../helpers/e2eRig';
import { join } from '../helpers/page';
import { api, createSession } from '../helpers/server';

const rig = e2eRig();

const latest = (page: Page) => page.getByRole('list', { name: 'Latest decisions' }).locator('li');

describe('decision log in the browser', () => {
  it('logs with the keyboard in one browser, shows it live in the other, then reviews, filters and downloads', async () => {
    const s = await createSession(rig.server.url, { name: 'Ledger mob' });
    const ada = await rig.newContext();
    const bob = await rig.newContext({ acceptDownloads: true });
    const a = await ada.newPage();
    const b = await bob.newPage();
    await a.goto(`${rig.server.url}/s/${s.id}`);
    await join(a, 'Ada');
    await b.goto(`${rig.server.url}/s/${s.id}`);
    await join(b, 'Bob');

    // "d" outside a field opens the form.
    await a.locator('body').press('d');
    const form = a.getByRole('dialog', { name: 'Log a decision' });
    await form.getByLabel('What did we decide?').fill('Use Postgres for the ledger');
    await form.getByLabel('Why?').fill('We need transactions <b>and</b> JSONB');
    await form.getByLabel(/Alternatives considered/).fill('SQLite, DynamoDB');
    await form.getByRole('button', { name: 'Log decision' }).click();
    await expect.poll(() => form.count()).toBe(0);

    await expect.poll(() => latest(b).first().textContent()).toContain('Use Postgres for the ledger');
    expect(await latest(b).first().textContent()).toContain('Ada');

    // A second decision under a task, logged by Bob with the Ctrl+Shift+D chord.
    await api(rig.server.url, `/api/sessions/${s.id}/tasks`, { body: { title: 'Refund flow' } });
    // The form files under the task current when it opens: wait until Bob's page has it.
    await expect.poll(() => b.getByRole('textbox', { name: 'Task title' }).inputValue()).toBe('Refund flow');
    await b.keyboard.press('Control+Shift+D');
    const bform = b.getByRole('dialog', { name: 'Log a decision' });
    await bform.getByLabel('What did we decide?').fill('Refunds are idempotent by key');
    await bform.getByLabel('Why?').fill('Retries must not pay twice');
    await bform.getByRole('button', { name: 'Log decision' }).click();
    await expect.poll(() => latest(a).count()).toBe(2);
    await expect.poll(() => latest(a).first().textContent()).toContain('Refunds are idempotent');

    // Review page: everything in order, filter by task, search, download the Markdown.
    await b.getByRole('link', { name: /Review the whole log/ }).click();
    await b.waitForURL(/\/log$/);
    const entries = b.getByRole('list', { name: 'Decisions' }).locator('> li');
    await expect.poll(() => entries.count()).toBe(2);
    expect(await entries.first().getAttribute('data-decision')).toBe('1');
    expect(await entries.nth(1).textContent()).toContain('Refund flow');

    await b.getByRole('combobox', { name: 'Filter by task' }).selectOption({ label: 'Refund flow (1)' });
    await expect.poll(() => entries.count()).toBe(1);
    expect(await entries.first().textContent()).toContain('Refunds are idempotent by key');
    await b.getByRole('combobox', { name: 'Filter by task' }).selectOption({ label: 'All tasks (2)' });
    await b.getByRole('searchbox', { name: 'Search decisions' }).fill('jsonb');
    await expect.poll(() => entries.count()).toBe(1);
    expect(await entries.first().textContent()).toContain('Use Postgres');

    const [download] = await Promise.all([b.waitForEvent('download'), b.getByRole('link', { name: 'Download Markdown' }).click()]);
    expect(download.suggestedFilename()).toBe('decisions-ledger-mob.md');
    const md = await readFile(await download.path(), 'utf8');
    expect(md).toContain('## 1\\. Use Postgres for the ledger');
    expect(md).toContain('## 2\\. Refunds are idempotent by key');
    expect(md).toContain('&lt;b&gt;and&lt;/b&gt;');
    expect(md).not.toContain('<b>');

    // A correction supersedes an earlier entry; both show it, with links both ways.
    await a.getByRole('button', { name: 'Supersede decision 1' }).click();
    const fix = a.getByRole('dialog', { name: 'Correct a decision' });
    expect(await fix.getByTestId('supersedes-note').textContent()).toContain('#1');
    await fix.getByLabel('What did we decide?').fill('Use Postgres 16 for the ledger');
    await fix.getByLabel('Why?').fill('Logical replication');
    await fix.getByRole('button', { name: 'Log decision' }).click();
    await expect.poll(() => a.locator('[data-decision="1"]').getAttribute('data-status')).toBe('superseded');
    await b.getByRole('searchbox', { name: 'Search decisions' }).fill('');
    await expect.poll(() => entries.count()).toBe(3);
    await expect.poll(() => b.locator('#decision-1').textContent()).toContain('Superseded by #3: Use Postgres 16 for the ledger');
    expect(await b.locator('#decision-3').textContent()).toContain('Supersedes #1: Use Postgres for the ledger');

    // The view link's review page reads the same log and offers no way to write.
    const watcher = await rig.newContext();
    const w = await watcher.newPage();
    await w.goto(`${rig.server.url}/v/${s.viewToken}/log`);
    await expect.poll(() => w.getByRole('list', { name: 'Decisions' }).locator('> li').count()).toBe(3);
    await w.goto(`${rig.server.url}/v/${s.viewToken}`);
    await expect.poll(() => latest(w).count()).toBe(3);
    expect(await w.getByRole('button', { name: /Log decision/ }).count()).toBe(0);
    for (const ctx of [ada, bob, watcher]) await ctx.close();
  });

  it('shows the 404 page for unknown log links', async () => {
    const ctx = await rig.newContext();
    const page = await ctx.newPage();
    for (const path of ['/s/AAAAAAAAAAAAAAAAAAAAAA/log', '/v/not-a-token/log']) {
      const res = await page.goto(rig.server.url + path);
      expect(res?.status(), path).toBe(404);
    }
    await ctx.close();
  });
});
