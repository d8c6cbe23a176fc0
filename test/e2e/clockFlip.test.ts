/**
 * Two screens whose clocks are 10 minutes apart (one 5 min behind, one 5 min ahead) show the same
 * countdown and tab title at the same moments: each re-renders when its estimate of the server
 * clock crosses a second, not on an interval of its own. Sampled back to back over several flips;
 * the test counts agreeing samples (at most two per flip may disagree).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { e2eRig } from '../helpers/e2eRig';
import { api, createSession } from '../helpers/server';

const rig = e2eRig();

const SKEW_MS = 5 * 60_000;
/** Seconds to watch flip; samples are taken back to back (a few ms each) all along. */
const FLIPS = 6;
const MAX_SAMPLES = 6_000;

async function open(id: string, name: string, skewMs: number): Promise<Page> {
  const context = await rig.newContext();
  await context.clock.install({ time: Date.now() + skewMs });
  const page = await context.newPage();
  await page.addInitScript((n) => window.localStorage.setItem('mobflow:name', n), name);
  await page.goto(`${rig.server.url}/s/${id}`);
  return page;
}

/** The countdown and the tab title, read in the page in one go. */
const read = (page: Page) => page.evaluate(() => `${document.querySelector('[data-testid="remaining"]')?.textContent} | ${document.title}`);

describe('two screens with clocks 10 minutes apart', () => {
  it('flip the countdown and the tab title together', async () => {
    const s = await createSession(rig.server.url, { name: 'Flip mob', turnSeconds: 600 });
    for (const name of ['Ada', 'Bob']) await api(rig.server.url, `/api/sessions/${s.id}/members`, { body: { name } });
    const behind = await open(s.id, 'Ada', -SKEW_MS);
    await api(rig.server.url, `/api/sessions/${s.id}/timer`, { body: { action: 'start' } });
    // The second screen comes in during the turn, at a moment of its own (as a late joiner does):
    // its rendering is not in step with the first one's by accident.
    await new Promise((r) => setTimeout(r, 300 + Math.random() * 700));
    const ahead = await open(s.id, 'Bob', SKEW_MS);
    expect((await ahead.evaluate(() => Date.now())) - (await behind.evaluate(() => Date.now()))).toBeGreaterThan(2 * SKEW_MS - 10_000);
    // Both know the server clock (their estimate is in) and count down.
    for (const page of [behind, ahead]) {
      await expect.poll(() => page.getByText(/^Clock synced ±\d+ ms$/).count()).toBe(1);
      await expect.poll(() => page.title()).toMatch(/^\d+:\d\d · Ada driving$/);
    }

    let samples = 0;
    let agree = 0;
    const seen = new Set<string>();
    while (seen.size <= FLIPS && samples < MAX_SAMPLES) {
      const [a, b] = await Promise.all([read(behind), read(ahead)]);
      samples++;
      if (a === b) agree++;
      seen.add(a);
    }
    // A flip can fall between the two reads of a sample, or inside the clock estimates' error (a
    // few ms here): at most two disagreeing samples per flip. Screens that flip on an interval of
    // their own (250 ms) disagree for many samples after each flip: about 100 over 6 flips here.
    const flips = seen.size - 1;
    expect(flips).toBeGreaterThanOrEqual(FLIPS);
    expect(agree, `${agree} of ${samples} samples agree over ${flips} flips`).toBeGreaterThanOrEqual(samples - 2 * flips);
  });
});
