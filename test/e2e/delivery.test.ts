/**
 * The delivery pipeline in chromium, against the production build: an editor's session page and a
 * watcher's page (two contexts) show CI/CD events live as signed webhooks arrive, each attached to
 * the task current when it arrived; a run's status updates in place; a failure is loud (the panel,
 * the tab title); the review page lists the events beside the decisions. Only the editor can set
 * integrations up, and a secret is shown once.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { CreatedIntegration } from '../../lib/protocol/integrations';
import { e2eRig } from '../helpers/e2eRig';
import { join } from '../helpers/page';
import { api, createSession } from '../helpers/server';
import { fixtureBytes, githubSignature } from '../helpers/webhooks';

const rig = e2eRig();

let delivery = 0;
/** A GitHub delivery of a fixture, signed as GitHub signs it. */
async function github(hook: CreatedIntegration, event: string, fixture: string): Promise<number> {
  const body = fixtureBytes(fixture);
  const res = await fetch(rig.server.url + new URL(hook.url ?? '').pathname, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': `e2e-${++delivery}`, 'x-hub-signature-256': githubSignature(hook.secret ?? '', body) },
    body: new Uint8Array(body),
  });
  return res.status;
}

const panel = (page: Page) => page.getByRole('region', { name: 'Delivery' });
const row = (page: Page, name: string) => panel(page).locator(`.delivery-row[data-name="${name}"]`);
const events = (page: Page) => panel(page).getByRole('list', { name: 'Recent delivery events' }).locator('> li');

describe('delivery in the browser', () => {
  it('shows events live on the session and watch pages, with the task they came in under', async () => {
    const s = await createSession(rig.server.url, { name: 'Release mob' });
    await api(rig.server.url, `/api/sessions/${s.id}/tasks`, { body: { title: 'Invoice totals' } });
    await api(rig.server.url, `/api/sessions/${s.id}/tasks`, { body: { title: 'Refunds' } });
    const hook = (await api<CreatedIntegration>(rig.server.url, `/api/sessions/${s.id}/integrations`, { body: { provider: 'github' } })).body;

    const editor = await rig.newContext();
    const watcher = await rig.newContext();
    const a = await editor.newPage();
    const w = await watcher.newPage();
    await a.goto(`${rig.server.url}/s/${s.id}`);
    await join(a, 'Ada');
    await w.goto(`${rig.server.url}/v/${s.viewToken}`);
    for (const page of [a, w]) await expect.poll(() => panel(page).textContent()).toContain('No pipeline has reported yet.');

    expect(await github(hook, 'workflow_run', 'github/workflow_run.in_progress.json')).toBe(202);
    for (const page of [a, w]) {
      await expect.poll(() => row(page, 'CI').getAttribute('data-status')).toBe('running');
      expect(await row(page, 'CI').textContent()).toContain('during “Invoice totals”');
    }
    expect(await a.title()).not.toContain('failing');

    // The same run fails: its row changes in place on both pages, and the failure is loud.
    expect(await github(hook, 'workflow_run', 'github/workflow_run.completed.failure.json')).toBe(202);
    for (const page of [a, w]) {
      await expect.poll(() => row(page, 'CI').getAttribute('data-status')).toBe('failure');
      expect(await row(page, 'CI').textContent()).toContain('Failed');
      await expect.poll(() => page.getByTestId('delivery-alarm').textContent()).toBe('✗ CI failing');
      await expect.poll(() => page.title()).toBe('✗ CI failing · Release mob');
      expect(await panel(page).getAttribute('data-alarm')).toBe('on');
    }
    expect(await events(w).count()).toBe(2);
    expect(await events(w).first().getAttribute('data-status')).toBe('failure');
    // Links go out to the provider, in a new tab.
    expect(await row(w, 'CI').getByRole('link').getAttribute('href')).toMatch(/^https:\/\/github\.com\/acme\/payments\/actions\/runs\//);

    // The task moves on; the next event is filed under the new one, the earlier ones keep theirs.
    await api(rig.server.url, `/api/sessions/${s.id}/tasks/complete`, { body: {} });
    expect(await github(hook, 'deployment_status', 'github/deployment_status.success.json')).toBe(202);
    for (const page of [a, w]) {
      await expect.poll(() => row(page, 'canary').getAttribute('data-status')).toBe('success');
      expect(await row(page, 'canary').textContent()).toContain('during “Refunds”');
      expect(await row(page, 'CI').textContent()).toContain('during “Invoice totals”');
    }
    expect(await events(a).first().textContent()).toContain('task “Refunds”');

    // A decision logged now records what delivery showed; the review page has events and stamp.
    await api(rig.server.url, `/api/sessions/${s.id}/decisions`, { body: { title: 'Fix the build before the canary goes wider', rationale: 'CI is red' } });
    await w.goto(`${rig.server.url}/v/${s.viewToken}/log`);
    const list = w.getByRole('list', { name: 'CI/CD events' }).locator('> li');
    await expect.poll(() => list.count()).toBe(3);
    expect(await w.locator('#decision-1').textContent()).toContain('canary: passing · CI: failing');
    await w.getByRole('combobox', { name: 'Filter by task' }).selectOption({ label: 'Refunds (1)' });
    await expect.poll(() => list.count()).toBe(1);
    for (const ctx of [editor, watcher]) await ctx.close();
  });

  it('lets an editor create an endpoint (the secret once) and set up mob.sh; a watcher sees no way to', async () => {
    const s = await createSession(rig.server.url, { name: 'Setup mob' });
    const editor = await rig.newContext();
    const watcher = await rig.newContext();
    const a = await editor.newPage();
    const w = await watcher.newPage();
    await a.goto(`${rig.server.url}/s/${s.id}`);
    await join(a, 'Ada');
    await a.getByRole('button', { name: 'Connect CI, chat, mob.sh' }).click();
    const dialog = a.getByRole('dialog', { name: 'Connect CI, chat and mob.sh' });
    await dialog.getByLabel('Sender').selectOption('gitlab');
    await dialog.getByLabel(/^Name/).first().fill('payments project');
    await dialog.getByRole('button', { name: 'Create endpoint' }).click();
    const secret = await dialog.getByTestId('hook-secret').textContent();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await dialog.getByTestId('created-hook').textContent()).toContain('shown only this once');
    await expect.poll(async () => (await dialog.getByTestId('mob-env').textContent()) ?? '').toMatch(new RegExp(`^MOB_TIMER_URL=${rig.server.url}/mob/\\nMOB_TIMER_ROOM=[A-Za-z0-9_-]{22}$`));
    await dialog.getByRole('button', { name: 'Close' }).click();

    // Opened again, it lists the endpoint but never its secret.
    await a.getByRole('button', { name: 'Connect CI, chat, mob.sh' }).click();
    await expect.poll(() => dialog.getByRole('list', { name: 'Webhook endpoints' }).textContent()).toContain('payments project');
    expect(await dialog.textContent()).not.toContain(secret);

    await w.goto(`${rig.server.url}/v/${s.viewToken}`);
    await panel(w).waitFor();
    expect(await w.getByRole('button', { name: 'Connect CI, chat, mob.sh' }).count()).toBe(0);
    for (const ctx of [editor, watcher]) await ctx.close();
  });
});
