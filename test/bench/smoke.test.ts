/**
 * The benchmark itself, on its tiny grid against both servers: nothing is lost, and every headline
 * figure (CPU per delivered update, capacity) is there and finite. Counts only: timings on a
 * shared machine are not asserted.
 */
import { describe, expect, it } from 'vitest';
import { runBenchmark } from '../../bench/bench';
import { benchConfig, sizeName } from '../../bench/config';
import { checkTargets } from '../../bench/report';
import { SERVER_KINDS } from '../../bench/servers';

describe('benchmark (tiny grid)', () => {
  it('measures CPU per update and capacity on both servers and loses nothing', async () => {
    const cfg = benchConfig({ BENCH_SCALE: 'tiny' });
    const result = await runBenchmark(cfg);
    expect(result.errors).toEqual([]);

    expect(result.cpu?.sizes.map((s) => s.name)).toEqual(cfg.cpu.sizes.map(sizeName));
    for (const size of result.cpu?.sizes ?? []) {
      for (const kind of SERVER_KINDS) {
        const f = size.servers[kind];
        expect(f?.rounds, `${kind} ${size.name} rounds`).toHaveLength(cfg.cpu.rounds);
        for (const r of f?.rounds ?? []) {
          expect(r.expected, `${kind} ${size.name} markers`).toBeGreaterThan(0);
          expect(r.delivered, `${kind} ${size.name} lost updates`).toBe(r.expected);
          expect(r.received, `${kind} ${size.name} deliveries in the window`).toBeGreaterThan(0);
        }
        expect(f?.lost).toBe(0);
        expect(f?.duplicates).toBe(0);
        expect(f?.closedClients).toBe(0);
        expect(Number.isFinite(f?.usPerUpdate), `${kind} ${size.name} µs per update`).toBe(true);
        expect(f?.usPerUpdate).toBeGreaterThan(0);
        expect(Number.isFinite(f?.spread), `${kind} ${size.name} A/A spread`).toBe(true);
      }
      expect(Number.isFinite(size.ratio), `${size.name} ratio`).toBe(true);
    }

    for (const kind of SERVER_KINDS) {
      const c = result.capacity?.[kind];
      expect(c?.steps.length, `${kind} capacity steps`).toBeGreaterThan(0);
      for (const step of c?.steps ?? []) {
        expect(step.delivered, `${kind} capacity ${step.rooms} rooms lost updates`).toBe(step.expected);
        expect(step.closedClients).toBe(0);
        expect(Number.isFinite(step.latency.p99)).toBe(true);
      }
      // A tiny step can be slow on a busy machine, but the capacity is a number of rooms either way.
      expect(cfg.capacity.steps.concat(0)).toContain(c?.rooms);

      const s = result.sessions?.[kind];
      expect(s?.presence?.delivered, `${kind} presence`).toBe(s?.presence?.expected);
      expect(s?.join?.decisionsSeen, `${kind} seeded decisions`).toBe(cfg.decisions);
      expect(s?.storm?.joined, `${kind} join storm`).toBe(cfg.concurrentJoins);
      expect(s?.idle?.closedClients, `${kind} idle sessions closed by the server`).toBe(0);
    }
    expect(result.sessions?.mobflow?.closed?.roomsLeft, 'Mobflow rooms left after the memory scenario').toBe(0);

    const targets = checkTargets(result).map((t) => t.target);
    expect(targets.filter((t) => t.startsWith('CPU per delivered update'))).toHaveLength(cfg.cpu.sizes.length);
    expect(targets.some((t) => t.startsWith('capacity'))).toBe(true);
  }, 240_000);
});
