/**
 * CPU per delivered update: for one fan-out size, the server's CPU time (user + system, from
 * /proc/<pid>/stat) over a window of steady load, divided by the updates its clients received in
 * that window. It sums over every event of the window (tens of thousands of deliveries at 100x8),
 * so a stall that moves a p99 moves it by its own share of CPU only.
 *
 * Both servers run through the same rounds in one run, in ABBA order (Mobflow, reference,
 * reference, Mobflow, ...), so a drift of the machine over the size's rounds reaches both; the two
 * rounds of one server are its A/A pair, whose spread says how far apart one run puts a server
 * and itself: a ratio between the servers farther from 1 than that is a real difference.
 */
import { type CpuConfig, cpuWindowSeconds, type FanoutSize, sizeName } from './config';
import { disturbed, FanoutLoad, type WindowResult } from './load';
import { cpuMs, cpuTickMs } from './procstat';
import type { BenchServer, ServerKind } from './servers';
import { delay } from './stats';

/** After the window closes, how long the deliveries its markers owe may take before they count as lost. */
const DRAIN_MS = 10_000;
/** Tries of one round while other processes take a good part of the server core. */
const MAX_ATTEMPTS = 2;

export interface CpuRound extends WindowResult {
  /** Server CPU per delivered update over the window, µs. */
  usPerUpdate: number;
  /**
   * Server CPU over the whole round (rooms created and joined, the writes, the close, the unload and
   * what the server then collects) per update delivered in it, µs: what a session costs beyond the
   * steady state, for comparing builds of one server (the reference does less at join and close).
   */
  roundUsPerUpdate: number;
  /** Rounds run to get this one: more than 1 when an earlier one was disturbed (load.ts). */
  attempts: number;
}

export interface CpuServerFigures {
  rounds: CpuRound[];
  /** Mean of the rounds' µs per delivered update. */
  usPerUpdate: number;
  /** A/A: the larger round over the smaller, minus 1 (0.05 = the same server came out 5 % apart). */
  spread: number;
  /**
   * What /proc's clock tick alone can move one round by, as a share of the smallest round's CPU:
   * a window read as 80 ms may have used anything from 70 to 90.
   */
  resolution: number;
  lost: number;
  duplicates: number;
  closedClients: number;
}

export interface CpuSizeResult {
  name: string;
  size: FanoutSize;
  servers: Partial<Record<ServerKind, CpuServerFigures>>;
  /** Mobflow's µs per update over the reference's; null when either has no figure. */
  ratio: number | null;
}

/** One round: the size's rooms join, write for the warm-up, then the timed window; everything is closed after. */
export async function runCpuRound(server: BenchServer, size: FanoutSize, cfg: CpuConfig): Promise<CpuRound> {
  try {
    return await cpuRound(server, size, cfg);
  } catch (err) {
    // A server that died takes /proc/<pid> with it: say so rather than "no such file".
    const died = server.died();
    throw died ? new Error(died, { cause: err }) : err;
  }
}

async function cpuRound(server: BenchServer, size: FanoutSize, cfg: CpuConfig): Promise<CpuRound> {
  const load = new FanoutLoad(server, size.clients, cfg.updatesPerSecond);
  const cpu0 = cpuMs(server.pid);
  let w: WindowResult;
  let delivered: number;
  try {
    await load.addRooms(size.rooms);
    load.start();
    await delay(cfg.warmupSeconds * 1000);
    load.openWindow();
    await delay(cpuWindowSeconds(size, cfg) * 1000);
    w = await load.closeWindow(DRAIN_MS);
    await load.stop();
    delivered = await load.drained(DRAIN_MS);
  } finally {
    await load.close();
  }
  // The next round, on either server, shares the server core: let this one finish unloading first.
  await server.settle();
  const roundCpu = cpuMs(server.pid) - cpu0;
  return {
    ...w,
    usPerUpdate: w.received > 0 ? round1((w.serverCpuMs * 1000) / w.received) : Number.NaN,
    roundUsPerUpdate: delivered > 0 ? round1((roundCpu * 1000) / delivered) : Number.NaN,
    attempts: 1,
  };
}

/**
 * A round on a server core left to the server: a round in which other processes took a good part
 * of the core (a shared machine) is run once more, and the less disturbed of the two is kept.
 */
export async function runUndisturbedCpuRound(server: BenchServer, size: FanoutSize, cfg: CpuConfig): Promise<CpuRound> {
  const others = (r: CpuRound) => (r.serverCore ? r.serverCore.othersPercent + r.serverCore.stealPercent : 0);
  let kept = await runCpuRound(server, size, cfg);
  for (let attempt = 2; attempt <= MAX_ATTEMPTS && disturbed(kept); attempt++) {
    const r = await runCpuRound(server, size, cfg);
    kept = { ...(others(r) < others(kept) ? r : kept), attempts: attempt };
  }
  return kept;
}

/** ABBA: even rounds in the given order, odd ones reversed. */
export function abbaOrder<T>(round: number, servers: readonly T[]): T[] {
  return round % 2 === 0 ? [...servers] : [...servers].reverse();
}

export function serverFigures(rounds: readonly CpuRound[]): CpuServerFigures {
  const us = rounds.map((r) => r.usPerUpdate);
  const mean = us.reduce((a, b) => a + b, 0) / us.length;
  const last = rounds[rounds.length - 1];
  const flooredUs = rounds.map((r) => (r.usPerUpdate > 0 || !(r.received > 0) ? r.usPerUpdate : (cpuTickMs() * 1000) / r.received));
  return {
    rounds: [...rounds],
    usPerUpdate: round1(mean),
    // A round that used less CPU than one /proc clock tick reads 0 ms: it counts as one tick here,
    // so a tiny round gives a finite spread (as wide as the clock) instead of a division by zero.
    spread: us.length > 1 ? round3(Math.max(...flooredUs) / Math.min(...flooredUs) - 1) : Number.NaN,
    resolution: round3(cpuTickMs() / Math.max(1, Math.min(...rounds.map((r) => r.serverCpuMs)))),
    lost: rounds.reduce((n, r) => n + (r.expected - r.delivered), 0),
    duplicates: last?.duplicates ?? 0,
    closedClients: rounds.reduce((n, r) => n + r.closedClients, 0),
  };
}

export function sizeResult(size: FanoutSize, rounds: ReadonlyMap<ServerKind, CpuRound[]>): CpuSizeResult {
  const servers: Partial<Record<ServerKind, CpuServerFigures>> = {};
  for (const [kind, list] of rounds) if (list.length > 0) servers[kind] = serverFigures(list);
  const m = servers.mobflow?.usPerUpdate;
  const r = servers.reference?.usPerUpdate;
  return { name: sizeName(size), size, servers, ratio: m !== undefined && r !== undefined && r > 0 ? round3(m / r) : null };
}

/** How far apart one run may put a server and itself: its A/A spread, or two clock ticks of its smallest round if that is more. */
export function noiseOf(f: CpuServerFigures): number {
  return Math.max(Number.isFinite(f.spread) ? f.spread : 0, 2 * f.resolution);
}

/**
 * Whether one run tells the ratio from noise: it differs from 1 by more than either server's
 * noise (its A/A spread in this run, or what the clock tick alone could do).
 */
export function decided(r: CpuSizeResult): boolean {
  const figures = [r.servers.mobflow, r.servers.reference].filter((f): f is CpuServerFigures => f !== undefined && Number.isFinite(f.spread));
  if (r.ratio === null || figures.length < 2) return false;
  const noise = Math.max(...figures.map(noiseOf));
  return r.ratio > 1 + noise || r.ratio < 1 / (1 + noise);
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
