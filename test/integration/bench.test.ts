/**
 * The benchmark itself runs on a tiny grid against both servers and loses nothing.
 * Counts only: timings on a shared machine are not asserted.
 */
import { describe, expect, it } from 'vitest';
import { runBenchmark } from '../../bench/bench';
import { benchConfig } from '../../bench/config';
import { SERVER_KINDS } from '../../bench/servers';

describe('benchmark (tiny grid)', () => {
  it('delivers every update and presence state on Mobflow and on the reference server', async () => {
    const cfg = benchConfig({ BENCH_SCALE: 'tiny' }, { seconds: 1 });
    const result = await runBenchmark(cfg);
    for (const kind of SERVER_KINDS) {
      const s = result.servers[kind];
      expect(s.errors, `${kind} scenarios`).toEqual([]);
      expect(s.fanout.map((f) => f.name)).toEqual(cfg.fanout.map((f) => `fan-out ${f.rooms}x${f.clients}`));
      for (const f of s.fanout) {
        expect(f.expected, `${kind} ${f.name}`).toBeGreaterThan(0);
        expect(f.delivered, `${kind} ${f.name} lost updates`).toBe(f.expected);
        expect(f.duplicates, `${kind} ${f.name} duplicates`).toBe(0);
        expect(f.roundsP99, `${kind} ${f.name} rounds`).toHaveLength(cfg.rounds);
      }
      expect(s.presence?.delivered, `${kind} presence`).toBe(s.presence?.expected);
      expect(s.join?.decisionsSeen, `${kind} seeded decisions`).toBe(cfg.decisions);
      expect(s.storm?.joined, `${kind} join storm`).toBe(cfg.concurrentJoins);
      // The other server is frozen while this one's scenarios run: it used none of the shared core.
      expect(s.othersCpuMs, `CPU the other server used during ${kind}'s scenarios`).toBe(0);
    }
    // Mobflow's idle-memory GCs would land in the reference's rounds on the shared core.
    expect(result.servers.mobflow.idleCollectionsDuringLatency, 'Mobflow idle GCs during the latency scenarios').toBe(0);
    expect(result.servers.mobflow.closed?.roomsLeft, 'Mobflow rooms left after the memory scenario').toBe(0);
  }, 120_000);
});
