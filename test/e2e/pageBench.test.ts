/**
 * The benchmark's page scenario (bench/page.ts) on the production build, with two loads: it finds
 * every mark it reports (a new visitor's focused name field, the live badge, React's validation
 * error on the empty form, a returning member in the roster). Timings are reported, not asserted.
 */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runPageLoad } from '../../bench/page';

describe('the benchmark page scenario', () => {
  it('measures new visitors and a returning member on the session page', async () => {
    const r = await runPageLoad({ loads: 2 });
    if (r.skipped !== undefined) throw new Error(`the page scenario was skipped: ${r.skipped}`);
    expect(r.loads).toBe(2);
    expect(r.warm.count).toBe(1);
    expect(r.browserCpus).toBe(availableParallelism());
    const { cold } = r;
    // The dialog's input is in the page no later than it has the focus, and both after the response.
    expect(cold.dialogMs).toBeLessThanOrEqual(cold.interactiveMs);
    expect(cold.ttfbMs).toBeGreaterThan(0);
    expect(cold.ttfbMs).toBeLessThan(cold.dialogMs);
    expect(cold.syncedMs).toBeGreaterThan(cold.ttfbMs);
    expect(r.warm.interactive.p50).toBeGreaterThan(0);
    expect(r.live.liveMs).toBeGreaterThanOrEqual(r.live.syncedMs);
  });
});
