/**
 * The benchmark's wait for quiet servers (bench/procstat.ts): it returns once the CPU reading stops
 * growing, and gives up at its timeout while it keeps growing.
 */
import { describe, expect, it } from 'vitest';
import { waitQuiet } from '../../bench/procstat';

describe('waitQuiet', () => {
  it('returns quiet at the first window in which the CPU time grows by less than the threshold', async () => {
    let reads = 0;
    // Busy (a full core) for the first three windows' reads, then flat.
    const cpu = () => {
      reads++;
      return Math.min(reads, 6) * 50;
    };
    const r = await waitQuiet(cpu, { percent: 5, windowMs: 50, timeoutMs: 5_000 });
    expect(r.quiet).toBe(true);
    expect(reads).toBe(8); // three busy windows, then one quiet one: two reads each
  });

  it('gives up after the timeout while the CPU stays busy, and says so', async () => {
    let t = 0;
    const r = await waitQuiet(() => (t += 100), { percent: 5, windowMs: 20, timeoutMs: 100 });
    expect(r.quiet).toBe(false);
    expect(r.waitedMs).toBeGreaterThanOrEqual(100);
  });
});
