/**
 * Fan-out load: rooms of `clientsPerRoom` clients, one writer per room writing markers at a fixed
 * rate into the room's task, every other client counting what it receives. Rooms can be added
 * while the writers run (the capacity steps). Measurement is by window: while a window is open,
 * markers written are tagged with it (their deliveries give its latency and losses), and every
 * delivery received, whenever it was written, is counted with the server's CPU over the same span
 * (CPU per delivered update).
 */
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { type ClientHandlers, connectMany, SessionClient, Writer } from './client';
import { coreTimes, cpuMs } from './procstat';
import type { BenchServer } from './servers';
import { delay, type LatencySummary, summarize, until } from './stats';

/** CLOCK_MONOTONIC, ms (process.hrtime reads it; so does V8's profiler, in every process). */
function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}

/** Other processes' (or the hypervisor's) share of the server core from which a window counts as disturbed, percent. */
export const DISTURBED_PERCENT = 10;

/**
 * Whether other processes or the hypervisor took at least DISTURBED_PERCENT of the server core
 * over the window: then it measured the machine as much as the server (a starved server also
 * batches, so even its CPU per update drops). Never, when the server is not pinned.
 */
export function disturbed(w: Pick<WindowResult, 'serverCore'>): boolean {
  return w.serverCore !== null && w.serverCore.othersPercent + w.serverCore.stealPercent >= DISTURBED_PERCENT;
}

/** Sampling interval of the generator's event-loop delay, ms. */
const LOOP_RESOLUTION_MS = 5;
/** Joins in flight at once while rooms are added. */
const JOIN_CONCURRENCY = 100;

export interface WindowResult {
  rooms: number;
  /** Wall time the window was open, ms. */
  ms: number;
  /** When it opened and closed on the machine's monotonic clock, ms: a server's --cpu-prof samples carry the same clock (bench/profile.ts). */
  monotonicMs: [number, number];
  /** Markers written while the window was open. */
  sent: number;
  /** Deliveries those markers owe: sent x readers per room. */
  expected: number;
  /** Of those, delivered by the end of the drain. */
  delivered: number;
  /** Send -> receipt over those deliveries. */
  latency: LatencySummary;
  /** Deliveries received while the window was open, whenever written: what the server's CPU paid for. */
  received: number;
  /** Server CPU time (user + system) while the window was open, ms. */
  serverCpuMs: number;
  /** This process's CPU over the window, percent of one core: near 100, the generator sets the pace. */
  generatorCpuPercent: number;
  /** This process's event-loop delay over the window, ms (p99 and max): a stalled generator delays every receipt it times. */
  generatorLoopDelay: { p99: number; max: number };
  /**
   * What else ran on the server's core over the window, percent of it: other processes (the busy
   * time the server did not use) and the hypervisor (steal). Null when the server is not pinned.
   */
  serverCore: { othersPercent: number; stealPercent: number } | null;
  /** Clients the server closed so far (their rooms lose updates). */
  closedClients: number;
  /** Deliveries seen twice or out of order so far (should be 0). */
  duplicates: number;
}

interface OpenWindow {
  id: number;
  rooms: number;
  t0: number;
  mono0: number;
  cpu0: number;
  own0: NodeJS.CpuUsage;
  loop: IntervalHistogram;
  core0: { busyMs: number; stealMs: number } | null;
  sent: number;
  delivered: number;
  received: number;
  latencies: number[];
}

interface LoadRoom {
  writer: Writer;
  clients: SessionClient[];
}

export class FanoutLoad {
  private readonly rooms: LoadRoom[] = [];
  private readonly windows: OpenWindow[] = [];
  private current: OpenWindow | null = null;
  private writing = false;
  private closing = false;
  private readonly loops: Promise<void>[] = [];
  private closed = 0;
  private duplicates = 0;
  /** Deliveries of every marker so far, and the markers written. */
  private deliveredTotal = 0;
  private sentTotal = 0;

  constructor(
    private readonly server: BenchServer,
    readonly clientsPerRoom: number,
    readonly updatesPerSecond: number,
  ) {
    if (clientsPerRoom < 2) throw new Error('a fan-out room needs a writer and at least one reader');
  }

  get roomCount(): number {
    return this.rooms.length;
  }

  /** Prepares `n` rooms (each with its task), joins their clients, and starts their writers if the load is running. */
  async addRooms(n: number): Promise<void> {
    if (n <= 0) return;
    const prepared = await this.server.createTaskRooms(n);
    const per = this.clientsPerRoom;
    const added: LoadRoom[] = [];
    const onClose = () => {
      if (!this.closing) this.closed++;
    };
    const { clients } = await connectMany(
      n * per,
      (i) => {
        const r = Math.floor(i / per);
        const { room, taskId } = prepared[r] ?? { room: '', taskId: '' };
        const urls = this.server.joinUrls(room);
        // Joins start in index order, so each room's writer (index 0) exists before its readers.
        if (i % per === 0) {
          const client = new SessionClient(urls, { onClose });
          added[r] = { writer: new Writer(client, taskId), clients: [client] };
          return client;
        }
        const lr = added[r] as LoadRoom;
        const client = new SessionClient(urls, this.readerHandlers(lr.writer, onClose));
        lr.clients.push(client);
        return client;
      },
      JOIN_CONCURRENCY,
    );
    if (clients.length !== n * per) throw new Error('not every client joined');
    await Promise.all(added.map((r) => r.writer.ready()));
    this.rooms.push(...added);
    if (this.writing) for (const r of added) this.loops.push(this.writeLoop(r.writer));
  }

  private readerHandlers(writer: Writer, onClose: () => void): ClientHandlers {
    let last = -1;
    return {
      onUpdate: (m, at) => {
        if (m.client !== writer.clientId) return;
        const i = writer.indexOf(m.clock);
        if (i < 0) return;
        // One writer's updates reach a reader in order over one socket: anything else is a duplicate.
        if (i <= last) {
          this.duplicates++;
          return;
        }
        last = i;
        this.deliveredTotal++;
        const w = this.windows[writer.tagOf(i)];
        if (w) {
          w.delivered++;
          w.latencies.push(at - writer.sentAt(i));
        }
        if (this.current) this.current.received++;
      },
      onClose,
    };
  }

  /** Starts every writer (each room's first write at a random point of one period, so the server sees a steady rate). */
  start(): void {
    if (this.writing) return;
    this.writing = true;
    for (const r of this.rooms) this.loops.push(this.writeLoop(r.writer));
  }

  private async writeLoop(writer: Writer): Promise<void> {
    const periodMs = 1000 / this.updatesPerSecond;
    await delay(Math.random() * periodMs);
    const start = performance.now();
    for (let k = 1; this.writing; k++) {
      const w = this.current;
      writer.write(w ? w.id : -1);
      this.sentTotal++;
      if (w) w.sent++;
      await delay(Math.max(0, start + k * periodMs - performance.now()));
    }
  }

  openWindow(): void {
    if (this.current) throw new Error('a window is already open');
    this.current = {
      id: this.windows.length,
      rooms: this.rooms.length,
      t0: performance.now(),
      mono0: monotonicMs(),
      cpu0: cpuMs(this.server.pid),
      own0: process.cpuUsage(),
      loop: monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS }),
      core0: this.server.core === null ? null : coreTimes(this.server.core),
      sent: 0,
      delivered: 0,
      received: 0,
      latencies: [],
    };
    this.current.loop.enable();
    this.windows.push(this.current);
  }

  /** Closes the open window and waits up to `drainMs` for the deliveries its markers owe. */
  async closeWindow(drainMs: number): Promise<WindowResult> {
    const w = this.current;
    if (!w) throw new Error('no open window');
    this.current = null;
    const ms = performance.now() - w.t0;
    const mono1 = monotonicMs();
    const serverCpuMs = cpuMs(this.server.pid) - w.cpu0;
    const own = process.cpuUsage(w.own0);
    const core1 = this.server.core === null ? null : coreTimes(this.server.core);
    const pct = (part: number) => Math.max(0, Math.round((part / ms) * 1000) / 10);
    const serverCore = w.core0 && core1 ? { othersPercent: pct(core1.busyMs - w.core0.busyMs - serverCpuMs), stealPercent: pct(core1.stealMs - w.core0.stealMs) } : null;
    w.loop.disable();
    const loopMs = (ns: number) => Math.round(ns / 1e5) / 10;
    const expected = w.sent * (this.clientsPerRoom - 1);
    await until(() => w.delivered >= expected, drainMs);
    const result: WindowResult = {
      rooms: w.rooms,
      ms: Math.round(ms),
      monotonicMs: [w.mono0, mono1],
      sent: w.sent,
      expected,
      delivered: w.delivered,
      latency: summarize(w.latencies),
      received: w.received,
      serverCpuMs,
      generatorCpuPercent: Math.round(((own.user + own.system) / 1000 / ms) * 1000) / 10,
      generatorLoopDelay: { p99: loopMs(w.loop.percentile(99)), max: loopMs(w.loop.max) },
      serverCore,
      closedClients: this.closed,
      duplicates: this.duplicates,
    };
    w.latencies = [];
    return result;
  }

  /** Once the writers stopped: waits up to `drainMs` for every marker's deliveries; returns how many arrived in all. */
  async drained(drainMs: number): Promise<number> {
    await until(() => this.deliveredTotal >= this.sentTotal * (this.clientsPerRoom - 1), drainMs);
    return this.deliveredTotal;
  }

  /** Stops the writers (their last writes still arrive). */
  async stop(): Promise<void> {
    this.writing = false;
    await Promise.all(this.loops.splice(0));
  }

  async close(): Promise<void> {
    await this.stop();
    this.closing = true;
    await Promise.all(this.rooms.flatMap((r) => r.clients.map((c) => c.close())));
    for (const r of this.rooms) r.writer.destroy();
  }
}
