import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { SessionSnapshot } from '../../lib/snapshot';
import { e2eRig } from '../helpers/e2eRig';

const rig = e2eRig();

async function post<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(rig.server.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A page with a remembered name, so it joins without the dialog; page errors are collected. */
async function open(path: string, name: string | null, errors: string[]): Promise<Page> {
  const ctx = await rig.newContext();
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(`${name}: ${e.message}`));
  if (name) await page.addInitScript((n) => window.localStorage.setItem('mobflow:name', n), name);
  await page.goto(rig.server.url + path);
  await expect.poll(() => page.locator('output[data-status]').getAttribute('data-status')).toBe('live');
  return page;
}

const why = (p: Page) => p.getByRole('textbox', { name: 'Why it matters', exact: true });
const title = (p: Page) => p.getByRole('textbox', { name: 'Task title', exact: true });

/** True when the characters of `word` appear in `text` in order (other people's typing may sit between). */
function hasInOrder(text: string, word: string): boolean {
  let i = 0;
  for (const ch of text) if (ch === word[i]) i++;
  return i === word.length;
}

describe('one task at a time, in two browsers', () => {
  it('types the why together, ticks criteria, completes, and the next task becomes current on both', async () => {
    const s = await post<{ id: string; viewUrl: string }>('/api/sessions', { name: 'Task mob' });
    await post(`/api/sessions/${s.id}/tasks`, { title: 'Checkout form', why: 'Start.', criteria: ['validates the card', 'shows the receipt'] });
    await post(`/api/sessions/${s.id}/tasks`, { title: 'Refunds <img src=x onerror="window.__pwned=1">' });
    await post(`/api/sessions/${s.id}/tasks`, { title: 'Invoices' });
    const errors: string[] = [];
    const a = await open(`/s/${s.id}`, 'Ada', errors);
    const b = await open(`/s/${s.id}`, 'Bob', errors);
    for (const p of [a, b]) await expect.poll(() => title(p).inputValue()).toBe('Checkout form');

    // Both put the caret at the end of the description and type at the same time.
    for (const p of [a, b]) {
      await why(p).click();
      await p.keyboard.press('Control+End');
    }
    const WA = ' alpha one two';
    const WB = ' bravo three four';
    await Promise.all([why(a).pressSequentially(WA, { delay: 15 }), why(b).pressSequentially(WB, { delay: 15 })]);
    const expectedLength = 'Start.'.length + WA.length + WB.length;
    for (const p of [a, b]) await expect.poll(async () => (await why(p).inputValue()).length).toBe(expectedLength);
    const final = await why(a).inputValue();
    expect(await why(b).inputValue()).toBe(final);
    expect(final.startsWith('Start.')).toBe(true);
    expect(hasInOrder(final, WA)).toBe(true);
    expect(hasInOrder(final, WB)).toBe(true);
    await expect
      .poll(async () => (await (await fetch(`${rig.server.url}/api/sessions/${s.id}`)).json()) as SessionSnapshot)
      .toMatchObject({ task: { why: final } });

    // Tick criteria from both sides; progress agrees everywhere.
    await a.getByRole('checkbox', { name: 'Criterion 1 met' }).check();
    await expect.poll(() => b.getByRole('checkbox', { name: 'Criterion 1 met' }).isChecked()).toBe(true);
    await b.getByRole('checkbox', { name: 'Criterion 2 met' }).check();
    for (const p of [a, b]) await expect.poll(() => p.getByTestId('task-progress').textContent()).toContain('2 of 2 criteria met');

    // HTML in a title is text, never markup.
    for (const p of [a, b]) {
      await expect.poll(() => p.getByRole('textbox', { name: 'Next up 1', exact: true }).inputValue()).toBe('Refunds <img src=x onerror="window.__pwned=1">');
      expect(await p.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    }

    // Complete: the queue head becomes current on both; the done list shows the finished task.
    await a.getByRole('button', { name: /Mark done/ }).click();
    for (const p of [a, b]) {
      await expect.poll(() => title(p).inputValue()).toBe('Refunds <img src=x onerror="window.__pwned=1">');
      await expect.poll(() => p.getByRole('list', { name: 'Done tasks' }).textContent()).toContain('Checkout form');
      await expect.poll(() => p.getByRole('list', { name: 'Done tasks' }).textContent()).toMatch(/turns?/);
      await expect.poll(() => p.getByRole('note').textContent()).toMatch(/acceptance criteria first/);
    }

    // Switching asks why; the reason is kept with the task that went back to the queue.
    await b.getByRole('button', { name: 'Switch task…' }).click();
    const dialog = b.getByRole('dialog', { name: 'Switch the current task?' });
    await dialog.getByLabel('Switch to').selectOption({ label: 'Invoices' });
    await dialog.getByLabel('Why switch now?').fill('the auditors come tomorrow');
    await dialog.getByRole('button', { name: 'Switch task' }).click();
    for (const p of [a, b]) await expect.poll(() => title(p).inputValue()).toBe('Invoices');
    const snap = (await (await fetch(`${rig.server.url}/api/sessions/${s.id}`)).json()) as SessionSnapshot;
    expect(snap.queue[0]?.summary?.switchedReason).toBe('the auditors come tomorrow');
    // ...and in the decision log, stamped by the server.
    await expect
      .poll(async () => ((await (await fetch(`${rig.server.url}/api/sessions/${s.id}`)).json()) as SessionSnapshot).decisionCount)
      .toBe(1);

    // A watcher sees everything, as text, with no controls.
    const v = await open(new URL(s.viewUrl).pathname, null, errors);
    await expect.poll(() => v.getByTestId('task-title').textContent()).toBe('Invoices');
    await expect.poll(() => v.getByRole('list', { name: 'Next up' }).textContent()).toContain('Refunds <img src=x');
    expect(await v.locator('.tasks button, .tasks input, .tasks textarea').count()).toBe(0);
    expect(await v.locator('.tasks img').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
