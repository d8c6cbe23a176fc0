/**
 * The session page tells the truth and forgives mistakes (issue 29, and links from issue 27), in
 * chromium with several browsers at once: an offline badge within seconds (and others see the
 * member go), the same name is a question and not a takeover, undo after someone else typed,
 * "Undo" for destructive actions and "Reopen" for finished tasks, settings being edited survive a
 * colleague's save, a decision filed under the task its author picks, and a replaced link stops.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { SessionSnapshot } from '../../lib/snapshot';
import { e2eRig } from '../helpers/e2eRig';
import { rememberMember } from '../helpers/identity';
import { join } from '../helpers/page';
import { api, createSession } from '../helpers/server';

const rig = e2eRig();

async function context(): Promise<BrowserContext> {
  const c = await rig.newContext({ viewport: { width: 1280, height: 900 } });
  return c;
}

/** A browser that is `name` in the session already (its token in storage), on the live page. */
async function member(id: string, name: string): Promise<Page> {
  const page = await (await context()).newPage();
  await rememberMember(page, rig.server.url, id, name);
  await page.goto(`${rig.server.url}/s/${id}`);
  await live(page);
  return page;
}

const live = (page: Page) => expect.poll(() => page.locator('output[data-status]').getAttribute('data-status'), { timeout: 15_000 }).toBe('live');
const badge = (page: Page) => page.locator('output[data-status]').textContent();
const roster = (page: Page) => page.getByRole('list', { name: 'Members' }).locator('li');
const onlineOf = (page: Page, name: string) => page.getByRole('list', { name: 'Members' }).locator('li', { hasText: name }).first().getAttribute('data-online');
const why = (p: Page) => p.getByRole('textbox', { name: 'Why it matters', exact: true });
const snap = async (id: string) => (await api<SessionSnapshot>(rig.server.url, `/api/sessions/${id}`)).body;

async function session(name: string, members: string[] = ['Ada', 'Bob']) {
  const s = await createSession(rig.server.url, { name });
  for (const m of members) await api(rig.server.url, `/api/sessions/${s.id}/members`, { body: { name: m } });
  await api(rig.server.url, `/api/sessions/${s.id}/tasks`, { body: { title: 'Checkout', why: '', criteria: ['validates the card'] } });
  await api(rig.server.url, `/api/sessions/${s.id}/tasks`, { body: { title: 'Refunds' } });
  return s;
}

describe('the session page tells the truth', () => {
  it('says offline within seconds when the network goes, keeps the edits, and others see the member go and come back', async () => {
    const s = await session('Offline mob');
    const a = await member(s.id, 'Ada');
    const b = await member(s.id, 'Bob');
    await expect.poll(() => onlineOf(b, 'Ada')).toBe('true');
    await a.context().setOffline(true);
    // The heartbeat notices, whatever the socket says (before, it took the 30 s message timeout).
    await expect.poll(() => badge(a), { timeout: 5_000 }).toMatch(/^Offline/);
    await why(a).click();
    await a.keyboard.type('typed offline');
    await expect.poll(() => badge(a)).toBe('Offline — your changes will sync');
    // The server drops a silent connection after a few seconds: the others see Ada go.
    await expect.poll(() => onlineOf(b, 'Ada'), { timeout: 10_000 }).toBe('false');
    await a.context().setOffline(false);
    await expect.poll(() => a.locator('output[data-status]').getAttribute('data-saved'), { timeout: 15_000 }).toBe('true');
    await expect.poll(() => why(b).inputValue()).toBe('typed offline');
    await expect.poll(() => onlineOf(b, 'Ada'), { timeout: 10_000 }).toBe('true');
  });

  it('asks when a name is already in the roster: a second Carol joins as herself; the same person takes her place; her own tab is not asked', async () => {
    const s = await session('Names mob', ['Carol']);
    const other = await (await context()).newPage();
    await other.goto(`${rig.server.url}/s/${s.id}`);
    await join(other, 'Carol', 'other');
    await expect.poll(() => roster(other).count()).toBe(2);
    const same = await (await context()).newPage();
    await same.goto(`${rig.server.url}/s/${s.id}`);
    await join(same, 'Carol', 'me');
    expect(await roster(same).count()).toBe(2);
    // The second Carol's other tab: recognised by its token, no question.
    const tab = await other.context().newPage();
    await tab.goto(`${rig.server.url}/s/${s.id}`);
    await live(tab);
    await expect.poll(() => tab.getByRole('button', { name: /^You: Carol/ }).count()).toBe(1);
    expect(await tab.getByRole('dialog').count()).toBe(0);
    expect((await snap(s.id)).members.map((m) => m.name)).toEqual(['Carol', 'Carol']);
  });

  it('undoes one’s own typing with Ctrl+Z after someone else typed, and leaves theirs', async () => {
    const s = await session('Undo mob');
    const a = await member(s.id, 'Ada');
    const b = await member(s.id, 'Bob');
    await why(a).click();
    await a.keyboard.type('mine ');
    await expect.poll(() => why(b).inputValue()).toBe('mine ');
    await why(b).click();
    await b.keyboard.press('End');
    await b.keyboard.type('theirs');
    await expect.poll(() => why(a).inputValue()).toBe('mine theirs');
    await why(a).focus();
    await a.keyboard.press('Control+z');
    await expect.poll(() => why(a).inputValue()).toBe('theirs');
    await expect.poll(() => why(b).inputValue()).toBe('theirs');
    await a.keyboard.press('Control+Shift+z');
    await expect.poll(() => why(b).inputValue()).toBe('mine theirs');
  });

  it('offers Undo after Mark done, removing a task or a criterion, and Reopen on finished tasks', async () => {
    const s = await session('Forgiving mob');
    const a = await member(s.id, 'Ada');
    const b = await member(s.id, 'Bob');
    const toast = (p: Page) => p.getByRole('status').filter({ hasText: /Undo|done|Removed/ });
    await a.getByRole('button', { name: /Mark done/ }).click();
    await expect.poll(async () => (await snap(s.id)).task?.title).toBe('Refunds');
    await toast(a).getByRole('button', { name: 'Undo' }).click();
    await expect.poll(async () => (await snap(s.id)).task?.title).toBe('Checkout');
    expect((await snap(s.id)).queue.map((t) => t.title)).toEqual(['Refunds']);

    await a.getByRole('button', { name: 'Remove “Refunds”' }).click();
    await expect.poll(async () => (await snap(s.id)).queue.length).toBe(0);
    await toast(a).getByRole('button', { name: 'Undo' }).click();
    await expect.poll(async () => (await snap(s.id)).queue.map((t) => t.title)).toEqual(['Refunds']);
    await expect.poll(() => b.getByRole('button', { name: 'Remove “Refunds”' }).count()).toBe(1);

    await a.getByRole('button', { name: 'Remove criterion 1' }).click();
    await expect.poll(async () => (await snap(s.id)).task?.criteria.length).toBe(0);
    await toast(a).getByRole('button', { name: 'Undo' }).click();
    await expect.poll(async () => (await snap(s.id)).task?.criteria.map((c) => c.text)).toEqual(['validates the card']);

    await a.getByRole('button', { name: /Mark done/ }).click();
    await expect.poll(async () => (await snap(s.id)).done.length).toBe(1);
    await b.getByRole('button', { name: 'Reopen “Checkout”' }).click();
    await expect.poll(async () => (await snap(s.id)).done.length).toBe(0);
    expect((await snap(s.id)).queue.map((t) => t.title)).toContain('Checkout');
  });

  it('keeps a setting being edited when someone else saves a different one', async () => {
    const s = await session('Settings mob');
    const a = await member(s.id, 'Ada');
    const b = await member(s.id, 'Bob');
    for (const p of [a, b]) await p.locator('details.timer-settings summary').click();
    const field = (p: Page, name: string) => p.locator(`details.timer-settings input[name="${name}"]`);
    await field(a, 'turnMinutes').fill('12');
    await field(b, 'breakEvery').fill('4');
    await b.getByRole('button', { name: 'Save timer settings' }).click();
    await expect.poll(async () => (await snap(s.id)).timer.turnSeconds).toBe(7 * 60);
    await expect.poll(() => field(a, 'breakEvery').inputValue()).toBe('4');
    expect(await field(a, 'turnMinutes').inputValue()).toBe('12');
    await a.getByRole('button', { name: 'Save timer settings' }).click();
    await expect.poll(async () => (await snap(s.id)).timer.turnSeconds).toBe(12 * 60);
    const json = await api<{ settings?: unknown }>(rig.server.url, `/api/sessions/${s.id}`);
    expect(json.status).toBe(200);
    await expect.poll(() => field(b, 'turnMinutes').inputValue()).toBe('12');
    expect(await field(b, 'breakEvery').inputValue()).toBe('4');
  });

  it('files a decision under the task its author picks, and a switch under the task switched away from', async () => {
    const s = await session('Filing mob');
    const a = await member(s.id, 'Ada');
    await a.getByRole('button', { name: 'Log decision' }).first().click();
    const dialog = a.getByRole('dialog', { name: 'Log a decision' });
    await dialog.getByLabel('What did we decide?').fill('Refund to the card');
    await dialog.getByLabel('Why?').fill('Least surprise');
    await dialog.getByLabel('For the task').selectOption({ label: 'Next up: Refunds' });
    await dialog.getByRole('button', { name: 'Log decision' }).click();
    await expect.poll(() => a.getByRole('dialog').count()).toBe(0);
    await a.getByRole('button', { name: 'Switch task…' }).click();
    const sw = a.getByRole('dialog', { name: 'Switch the current task?' });
    await sw.getByLabel('Why switch now?').fill('Refunds are blocking support');
    await sw.getByRole('button', { name: 'Switch task' }).click();
    await expect.poll(async () => (await snap(s.id)).task?.title).toBe('Refunds');
    const log = await api<{ decisions: { title: string; taskTitle: string | null; author: string }[] }>(rig.server.url, `/api/sessions/${s.id}/decisions.json`);
    expect(log.body.decisions.map((d) => [d.taskTitle, d.author])).toEqual([
      ['Refunds', 'Ada'],
      ['Checkout', 'Ada'],
    ]);
  });

  it('replaces the watch link: the watcher is told and the old link is gone; the new one works', async () => {
    const s = await session('Watched mob');
    const a = await member(s.id, 'Ada');
    const watcher = await (await context()).newPage();
    await watcher.goto(`${rig.server.url}/v/${s.viewToken}`);
    await live(watcher);
    // A watcher saves nothing: the badge reads plain "Live", not an edit page's "saving".
    expect(await watcher.locator('output[data-status]').getAttribute('class')).not.toContain('saving');
    expect(await watcher.locator('output[data-status]').textContent()).toBe('Live');
    await a.getByText('Replace a link…').click();
    await a.getByRole('button', { name: 'New watch link' }).click();
    await a.getByRole('button', { name: 'Replace it' }).click();
    await expect.poll(() => watcher.getByRole('alert').filter({ hasText: /link was replaced/ }).count(), { timeout: 10_000 }).toBe(1);
    const old = await fetch(`${rig.server.url}/v/${s.viewToken}`);
    expect(old.status).toBe(404);
    const links = await api<{ viewUrl: string }>(rig.server.url, `/api/sessions/${s.id}/links`);
    expect(links.body.viewUrl).not.toContain(s.viewToken);
    const fresh = await (await context()).newPage();
    await fresh.goto(links.body.viewUrl);
    await live(fresh);
  });
});
