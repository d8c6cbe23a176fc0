/**
 * The benchmark's verdicts (bench/cpu.ts, capacity.ts, report.ts): the A/A spread, whether a ratio
 * is told apart from it, when a capacity step holds, and the target lines built from them.
 */
import { describe, expect, it } from 'vitest';
import type { CapacityResult } from '../../bench/capacity';
import { judgeStep, stepVerdict } from '../../bench/capacity';
import { benchConfig } from '../../bench/config';
import { abbaOrder, type CpuRound, decided, serverFigures, sizeResult } from '../../bench/cpu';
import type { WindowResult } from '../../bench/load';
import { capacityDetail, cpuDetail } from '../../bench/report';
import type { ServerKind } from '../../bench/servers';

function window(over: Partial<WindowResult> = {}): WindowResult {
  return {
    rooms: 1,
    ms: 1000,
    monotonicMs: [0, 1000],
    sent: 10,
    expected: 70,
    delivered: 70,
    latency: { count: 70, p50: 1, p95: 2, p99: 3, max: 4 },
    received: 70,
    serverCpuMs: 1000,
    generatorCpuPercent: 5,
    generatorLoopDelay: { p99: 1, max: 2 },
    serverCore: null,
    closedClients: 0,
    duplicates: 0,
    ...over,
  };
}

const round = (usPerUpdate: number, over: Partial<WindowResult> = {}): CpuRound => ({ ...window(over), usPerUpdate, roundUsPerUpdate: usPerUpdate * 2, attempts: 1 });

function size(mobflow: number[], reference: number[]) {
  return sizeResult(
    { rooms: 100, clients: 8 },
    new Map<ServerKind, CpuRound[]>([
      ['mobflow', mobflow.map((us) => round(us))],
      ['reference', reference.map((us) => round(us))],
    ]),
  );
}

describe('CPU per delivered update', () => {
  it('runs the servers in ABBA order', () => {
    expect([0, 1, 2, 3].flatMap((r) => abbaOrder(r, ['m', 'r']))).toEqual(['m', 'r', 'r', 'm', 'm', 'r', 'r', 'm']);
  });

  it('takes the mean of the rounds, and the larger over the smaller as the A/A spread', () => {
    const f = serverFigures([round(40), round(44, { delivered: 60 })]);
    expect(f.usPerUpdate).toBe(42);
    expect(f.spread).toBe(0.1);
    expect(f.lost).toBe(10);
  });

  it('tells a ratio from noise only when it is farther from 1 than either A/A spread', () => {
    const clear = size([50, 51], [40, 40.8]);
    expect(clear.ratio).toBe(1.25);
    expect(decided(clear)).toBe(true);
    expect(cpuDetail(clear)).toContain('a real difference');
    // Mobflow 5 % below the reference, but the reference came out 10 % apart from itself.
    const noisy = size([38, 38], [38, 41.8]);
    expect(decided(noisy)).toBe(false);
    expect(cpuDetail(noisy)).toContain('not decided');
    expect(cpuDetail(noisy)).not.toContain('clock tick');
    // Below 1 by more than the noise is decided too.
    expect(decided(size([30, 30.3], [40, 40.4]))).toBe(true);
  });

  it('counts the clock tick as noise where the rounds used little CPU', () => {
    // 80 ms of CPU in each reference round: /proc's 10 ms tick alone could move a round by 12.5 %.
    const few = sizeResult(
      { rooms: 1, clients: 10 },
      new Map<ServerKind, CpuRound[]>([
        ['mobflow', [round(200, { serverCpuMs: 90 }), round(200, { serverCpuMs: 90 })]],
        ['reference', [round(170, { serverCpuMs: 80 }), round(170, { serverCpuMs: 80 })]],
      ]),
    );
    expect(few.servers.reference?.spread).toBe(0);
    expect(few.servers.reference?.resolution).toBe(0.125);
    expect(decided(few)).toBe(false);
    expect(cpuDetail(few)).toContain('clock tick 11.1 % / 12.5 %: within the noise');
  });

  it('has no ratio without both servers', () => {
    const only = sizeResult({ rooms: 1, clients: 10 }, new Map([['mobflow', [round(100), round(101)]]]));
    expect(only.ratio).toBeNull();
    expect(decided(only)).toBe(false);
  });
});

describe('capacity', () => {
  const cfg = benchConfig({}).capacity;

  it('holds a step within the p99 bound with nothing lost and no client closed', () => {
    expect(judgeStep(window({ latency: { count: 1, p50: 1, p95: 40, p99: 50, max: 90 } }), cfg, 0)).toEqual({ held: true, why: '', onlySlow: false });
  });

  it('misses a slow step (which may run again) and a lossy one (which may not)', () => {
    const slow = judgeStep(window({ latency: { count: 1, p50: 1, p95: 40, p99: 50.1, max: 90 } }), cfg, 0);
    expect(slow).toMatchObject({ held: false, onlySlow: true });
    const lossy = judgeStep(window({ delivered: 69 }), cfg, 0);
    expect(lossy).toMatchObject({ held: false, onlySlow: false, why: '1 of 70 deliveries lost' });
    expect(judgeStep(window({ closedClients: 3 }), cfg, 1).why).toBe('2 clients closed by the server');
    expect(judgeStep(window({ latency: { count: 0, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN } }), cfg, 0).held).toBe(false);
  });

  it('runs a slow step again, does not count windows of a disturbed core, and stops at a loss', () => {
    const held = { held: true, onlySlow: false, disturbed: false };
    const slow = { held: false, onlySlow: true, disturbed: false };
    const slowDisturbed = { ...slow, disturbed: true };
    const lossy = { held: false, onlySlow: false, disturbed: false };
    expect(stepVerdict([])).toBe('again');
    expect(stepVerdict([held])).toBe('held');
    expect(stepVerdict([slow])).toBe('again');
    expect(stepVerdict([slow, held])).toBe('held');
    expect(stepVerdict([slow, slow])).toBe('missed');
    expect(stepVerdict([slowDisturbed, slow])).toBe('again');
    expect(stepVerdict([slowDisturbed, slow, slowDisturbed])).toBe('again');
    expect(stepVerdict([slowDisturbed, slowDisturbed, slowDisturbed, slowDisturbed])).toBe('missed');
    expect(stepVerdict([lossy])).toBe('missed');
    expect(stepVerdict([slowDisturbed, lossy])).toBe('missed');
  });

  it('reports both last held steps and their ratio, marking a run that never missed', () => {
    const result = (rooms: number, top = false): CapacityResult => ({ server: 'x', steps: [], rooms, top });
    expect(capacityDetail(result(700), result(600))).toBe('700 vs 600 rooms (1.17x)');
    expect(capacityDetail(result(2000, true), result(0))).toBe('>= 2000 vs 0 rooms (the reference held no step)');
  });
});
