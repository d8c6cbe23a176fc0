/**
 * Long names as driver and navigator and a long task title, at every width the session page must
 * read at: no word is cut across lines, nothing sticks out of its card, the names stay big enough to
 * read, and the progress line never starts a line with "·". Both for an editor (the title is a
 * textarea) and on the watch link (the title is a heading).
 */
import { rememberMember } from '../helpers/identity';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { e2eRig } from '../helpers/e2eRig';
import { textLayout } from '../helpers/layout';
import { api, createSession } from '../helpers/server';

const rig = e2eRig();

const WIDTHS = [390, 1024, 1280, 1440, 1920] as const;
const DRIVER = 'Maximilian';
const NAVIGATOR = 'Anne-Sophie Lefèvre';
const TITLE = 'PaymentGateway retries with idempotency keys';

let session: { id: string; viewToken: string };

beforeAll(async () => {
  session = await createSession(rig.server.url, { name: 'Payments platform mob' });
  for (const name of [DRIVER, NAVIGATOR, 'Carol', 'Alice']) await api(rig.server.url, `/api/sessions/${session.id}/members`, { body: { name } });
  await api(rig.server.url, `/api/sessions/${session.id}/tasks`, { body: { title: TITLE, why: 'A retried charge must never pay twice.', criteria: ['A retry with the same key returns the first result'] } });
  await api(rig.server.url, `/api/sessions/${session.id}/timer`, { body: { action: 'start' } });
});

async function open(path: string, width: number, name: string | null): Promise<Page> {
  const context = await rig.newContext({ viewport: { width, height: width === 390 ? 844 : 900 } });
  const page = await context.newPage();
  if (name) await rememberMember(page, rig.server.url, path.split('/')[2] as string, name);
  await page.goto(rig.server.url + path);
  await expect.poll(() => page.getByTestId('driver').textContent()).toBe(DRIVER);
  await expect.poll(() => page.getByTestId('navigator').textContent()).toBe(NAVIGATOR);
  return page;
}

async function expectWholeWords(page: Page, selector: string, label: string) {
  // Fitting runs after layout (and again when the field's value arrives): wait until it has settled.
  await expect.poll(async () => (await textLayout(page, selector)).overflowX, { message: `${label}: sticks out` }).toBeLessThanOrEqual(1);
  const layout = await textLayout(page, selector);
  expect(layout.brokenWords, `${label}: ${JSON.stringify(layout.lines)}`).toEqual([]);
  expect(layout.outsideCard, `${label}: outside its card`).toBeLessThanOrEqual(1);
  expect(layout.fit, label).not.toBe('truncated');
  return layout;
}

describe('long names and titles at every width', () => {
  for (const width of WIDTHS) {
    it(`read at ${width} px, for an editor and a watcher`, async () => {
      const editor = await open(`/s/${session.id}`, width, 'Carol');
      await expect.poll(() => editor.getByRole('textbox', { name: 'Task title', exact: true }).inputValue()).toBe(TITLE);

      const driver = await expectWholeWords(editor, '[data-testid="driver"]', `driver at ${width}`);
      const navigator = await expectWholeWords(editor, '[data-testid="navigator"]', `navigator at ${width}`);
      expect(driver.lines).toEqual([DRIVER]);
      expect(navigator.lines.length).toBeLessThanOrEqual(2);
      // Shrunk to fit, still the biggest text in the panel (phones show the two roles side by side, compact).
      const readable = width === 390 ? 20 : 28;
      expect(driver.fontSizePx).toBeGreaterThanOrEqual(readable);
      expect(navigator.fontSizePx).toBeGreaterThanOrEqual(readable);

      const title = await expectWholeWords(editor, '.task-now textarea.task-title', `editor title at ${width}`);
      expect(title.lines.join(' ')).toBe(TITLE);
      expect(title.fontSizePx).toBeGreaterThanOrEqual(20);

      const progress = await textLayout(editor, '.task-now .progress-text');
      for (const line of progress.lines) expect(line.startsWith('·'), JSON.stringify(progress.lines)).toBe(false);
      expect(progress.brokenWords).toEqual([]);
      await editor.context().close();

      const watcher = await open(`/v/${session.viewToken}`, width, null);
      await expect.poll(() => watcher.getByTestId('task-title').textContent()).toBe(TITLE);
      await expectWholeWords(watcher, '[data-testid="driver"]', `watch driver at ${width}`);
      await expectWholeWords(watcher, '[data-testid="navigator"]', `watch navigator at ${width}`);
      const heading = await expectWholeWords(watcher, '[data-testid="task-title"] .fit', `watch title at ${width}`);
      expect(heading.lines.join(' ')).toBe(TITLE);
      await watcher.context().close();
    });
  }

  it('fits the roster field\'s placeholder, and keeps hyphenated names whole in the roster, at every width', async () => {
    for (const width of WIDTHS) {
      const page = await open(`/s/${session.id}`, width, 'Carol');
      await page.locator('details.roster-controls summary').click();
      const fit = await page.getByLabel('Name to add').evaluate((el) => {
        const input = el as HTMLInputElement;
        const cs = getComputedStyle(input);
        const ctx = document.createElement('canvas').getContext('2d') as CanvasRenderingContext2D;
        ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
        const room = input.clientWidth - Number.parseFloat(cs.paddingLeft) - Number.parseFloat(cs.paddingRight);
        return { text: ctx.measureText(input.placeholder).width, room };
      });
      expect(fit.text, `placeholder at ${width}`).toBeLessThanOrEqual(fit.room);
      const name = await textLayout(page, `.roster li[data-member="${NAVIGATOR}"] .name`);
      expect(name.brokenWords, `roster name at ${width}`).toEqual([]);
      await page.context().close();
    }
  });

  it('cuts a name too long for any size with an ellipsis, and keeps it whole in the title', async () => {
    const s = await createSession(rig.server.url, { name: 'Long' });
    const long = 'Wolfeschlegelsteinhausenbergerdorffvoralternwarengewisse';
    for (const name of [long.slice(0, 40), 'Bo']) await api(rig.server.url, `/api/sessions/${s.id}/members`, { body: { name } });
    await api(rig.server.url, `/api/sessions/${s.id}/timer`, { body: { action: 'start' } });
    const context = await rig.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${rig.server.url}/v/${s.viewToken}`);
    const driver = page.getByTestId('driver');
    await expect.poll(() => driver.getAttribute('data-fit')).toBe('truncated');
    expect(await driver.getAttribute('title')).toBe(long.slice(0, 40));
    const layout = await textLayout(page, '[data-testid="driver"]');
    expect(layout.brokenWords).toEqual([]);
    expect(layout.outsideCard).toBeLessThanOrEqual(1);
    await context.close();
  });
});
