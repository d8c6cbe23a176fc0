/**
 * The cluster's bus: Redis pub/sub between instances, carrying nothing durable. PostgreSQL holds
 * every record (types.ts); a message lost here (Redis restarting, a subscriber cut off) costs
 * latency, never data: peers find gaps in the sequence numbers and read them back from the store.
 *
 * Channels: one per loaded session (records, presence batches, "the lease is free"), one per
 * instance (commands forwarded to the session's owner, and their replies), and one for everyone
 * (heartbeats with who is online where, replaced links). Payloads are v8-serialised: Uint8Arrays
 * and nested objects cross as they are, without base64 or JSON.
 *
 * Two connections, as Redis requires: one subscribed, one publishing. The publisher has no offline
 * queue, so a publish while Redis is away fails at once instead of piling up in memory; the
 * subscriber re-subscribes every wanted channel each time it is ready again, and `onReady` tells
 * the cluster to catch up from the store.
 */
import { deserialize, serialize } from 'node:v8';
import { Redis } from 'ioredis';
import type { SessionId } from '../../lib/ids';
import type { Logger } from '../logger';

export type BusMessage =
  /** A durable record: seq and its updates per document code (1 shared, 2 server). */
  | { k: 'record'; from: string; session: SessionId; seq: number; updates: [number, Uint8Array][]; at: number }
  /** One presence batch (an encoded awareness update). */
  | { k: 'awareness'; from: string; session: SessionId; update: Uint8Array }
  /** The owner gave the session's lease up (drain, unload): a peer with the room may take it at once. */
  | { k: 'lease-free'; from: string; session: SessionId }
  /** Every instance, every beat: it is alive, and who is online in each of its rooms. */
  | { k: 'beat'; from: string; online: Record<string, string[]> }
  /** A link was replaced: every instance closes what the old token opened. */
  | { k: 'link'; from: string; session: SessionId; token: string; link: 'edit' | 'view' }
  /** A forwarded server write and its reply (instance channels). */
  | { k: 'call'; from: string; id: number; session: SessionId; op: string; args: unknown[] }
  /** `seq`: the owner's last record after the write, so the caller reads its own write. */
  | { k: 'reply'; from: string; id: number; ok: true; value: unknown; seq: number }
  | { k: 'reply'; from: string; id: number; ok: false; error: { name: string; message: string }; notOwner?: boolean };

export const channel = {
  session: (id: SessionId) => `mf:s:${id}`,
  instance: (id: string) => `mf:i:${id}`,
  all: 'mf:all',
} as const;

export interface BusOptions {
  url: string;
  logger: Logger;
  onMessage(msg: BusMessage, channel: string): void;
  /** The subscriber is (again) connected and subscribed: anything may have been missed meanwhile. */
  onReady(): void;
  /** A Redis error (counted and shown by the caller). */
  onError(err: Error): void;
}

export class Bus {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly wanted = new Set<string>();
  private closed = false;
  private connected = false;
  private readonly extra: Redis[] = [];
  private readonly outbox: { ch: string; payload: Buffer; resolve(sent: boolean): void }[] = [];

  constructor(private readonly opts: BusOptions) {
    const common = {
      lazyConnect: true,
      // Reconnect for ever, backing off to 2 s: service resumes by itself when Redis is back.
      retryStrategy: (times: number) => Math.min(100 * times, 2_000),
      // A dead TCP peer is noticed within seconds, not the OS's minutes (a lease depends on it).
      keepAlive: 1_000,
      connectTimeout: 3_000,
    };
    this.pub = new Redis(opts.url, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    this.sub = new Redis(opts.url, { ...common, autoResubscribe: false, maxRetriesPerRequest: null });
    for (const c of [this.pub, this.sub]) c.on('error', (err: Error) => opts.onError(err));
    this.sub.on('messageBuffer', (ch: Buffer, payload: Buffer) => {
      let msg: BusMessage;
      try {
        msg = deserialize(payload) as BusMessage;
      } catch {
        return; // not ours
      }
      opts.onMessage(msg, ch.toString());
    });
    this.sub.on('ready', () => {
      this.connected = true;
      void this.resubscribe();
    });
    this.sub.on('close', () => {
      this.connected = false;
    });
  }

  /** Connects both connections; rejects with a readable error when Redis cannot be reached. */
  async connect(): Promise<void> {
    try {
      await Promise.all([this.pub.connect(), this.sub.connect()]);
      await this.pub.ping();
    } catch (err) {
      this.pub.disconnect();
      this.sub.disconnect();
      throw new Error(`cannot reach Redis at ${redactUrl(this.opts.url)}: ${(err as Error).message}. Is REDIS_URL right and the server running?`);
    }
  }

  get isConnected(): boolean {
    return this.connected && this.pub.status === 'ready';
  }

  /** Subscribes (or keeps subscribed) `ch`; the subscription is renewed after every reconnect. */
  async subscribe(ch: string): Promise<void> {
    this.wanted.add(ch);
    if (this.sub.status === 'ready') await this.sub.subscribe(ch).catch(() => undefined);
  }

  async unsubscribe(ch: string): Promise<void> {
    this.wanted.delete(ch);
    if (this.sub.status === 'ready') await this.sub.unsubscribe(ch).catch(() => undefined);
  }

  /** Publishes at most once; false when Redis is away (the store is the truth: peers catch up). */
  publish(ch: string, msg: BusMessage): Promise<boolean> {
    if (this.closed || this.pub.status !== 'ready') return Promise.resolve(false);
    return new Promise((resolve) => {
      this.outbox.push({ ch, payload: serialize(msg), resolve });
      if (this.outbox.length === 1) setImmediate(this.flush);
    });
  }

  /**
   * Publishes go out once per event-loop turn, together, as one pipeline: one write to Redis for
   * every record that became durable in this turn, not one each. What it buys: on this 2-core VM
   * every write that wakes the sleeping Redis costs the writer ~200 µs of CPU (the wake-up crosses
   * vCPUs); batched, a busy instance pays that once per turn (bench/NOTES.md, the cluster run).
   */
  private readonly flush = (): void => {
    const batch = this.outbox.splice(0);
    if (batch.length === 0) return;
    const pipeline = this.pub.pipeline();
    for (const m of batch) pipeline.publish(m.ch, m.payload);
    pipeline.exec().then(
      (replies) => {
        batch.forEach((m, i) => {
          m.resolve(!replies?.[i]?.[0]);
        });
      },
      () => {
        for (const m of batch) m.resolve(false);
      },
    );
  };

  /**
   * A connection of its own for socket.io's Redis streams adapter (it blocks on XREAD). Errors are
   * reported like the bus's own; it reconnects by itself and is closed with the bus.
   */
  adapterClient(): Redis {
    const client = new Redis(this.opts.url, { retryStrategy: (times: number) => Math.min(100 * times, 2_000), keepAlive: 1_000, connectTimeout: 3_000 });
    client.on('error', (err: Error) => this.opts.onError(err));
    this.extra.push(client);
    return client;
  }

  /** The Redis server's CPU seconds (user + sys) from INFO, for the benchmark. */
  async redisCpuSeconds(): Promise<number | null> {
    try {
      const info = await this.pub.info('cpu');
      const user = Number(/used_cpu_user:([0-9.]+)/.exec(info)?.[1]);
      const sys = Number(/used_cpu_sys:([0-9.]+)/.exec(info)?.[1]);
      return Number.isFinite(user + sys) ? user + sys : null;
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.extra) c.disconnect();
    this.sub.disconnect();
    await this.pub.quit().catch(() => this.pub.disconnect());
  }

  private async resubscribe(): Promise<void> {
    try {
      if (this.wanted.size > 0) await this.sub.subscribe(...this.wanted);
    } catch (err) {
      this.opts.logger.warn('could not subscribe to Redis channels', { err: String(err) });
      return;
    }
    this.opts.onReady();
  }
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.host ? `${u.protocol}//${u.host}` : u.toString();
  } catch {
    return '(a malformed URL)';
  }
}
