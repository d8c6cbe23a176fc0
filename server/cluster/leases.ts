/**
 * The leases this instance holds: for each session it owns, the fencing epoch and the moment it
 * stops counting itself the owner. The store decides who holds a lease (on the database's clock);
 * this side only ever errs towards "not the owner": its deadline is measured from when it *asked*
 * (the lease started at or after that, on the database's clock), on its own monotonic clock, so a
 * paused or partitioned instance stops writing before anyone else can take over — and should it
 * still try, the store refuses the write (the fence).
 */
import type { SessionId } from '../../lib/ids';
import type { Logger } from '../logger';
import { METRIC, type Metrics } from '../metrics';
import type { ClusterStore } from './types';

export interface LeaseTimes {
  /** How long a lease lasts unless renewed, ms. */
  ttlMs: number;
  /** Taken off the local deadline for clock-rate differences and scheduling, ms. */
  marginMs: number;
}

export const LEASE_TIMES: LeaseTimes = { ttlMs: 6_000, marginMs: 750 };

export interface LeasesDeps {
  store: ClusterStore;
  instanceId: string;
  times: LeaseTimes;
  /** Monotonic ms (performance.now): a wall-clock jump must not extend a lease. */
  monotonic: () => number;
  metrics: Metrics;
  logger: Logger;
  /** This instance became the owner of a session (a new epoch, or one it had not known of). */
  onGained(id: SessionId): void;
  /** This instance is no longer the owner (lost, expired, or released). */
  onLost(id: SessionId): void;
}

interface Held {
  epoch: number;
  deadline: number;
}

export class Leases {
  private readonly held = new Map<SessionId, Held>();

  constructor(private readonly deps: LeasesDeps) {}

  owns(id: SessionId): boolean {
    const h = this.held.get(id);
    return h !== undefined && this.deps.monotonic() < h.deadline;
  }

  /** The epoch to fence a write with, while this instance owns the session; else null. */
  epoch(id: SessionId): number | null {
    return this.owns(id) ? (this.held.get(id)?.epoch ?? null) : null;
  }

  ids(): SessionId[] {
    return [...this.held.keys()];
  }

  /** Takes (or renews) the session's lease; false when another instance holds it. */
  async acquire(id: SessionId): Promise<boolean> {
    const asked = this.deps.monotonic();
    const lease = await this.deps.store.acquireLease(id, this.deps.instanceId, this.deps.times.ttlMs);
    if (!lease) {
      if (this.held.has(id)) this.lose(id, 'taken');
      return false;
    }
    const before = this.held.get(id);
    this.held.set(id, { epoch: lease.epoch, deadline: asked + this.deps.times.ttlMs - this.deps.times.marginMs });
    if (before?.epoch !== lease.epoch) {
      this.deps.metrics.inc(METRIC.leaseChanges, 'Session leases this instance took', { change: 'gained' });
      this.deps.logger.info('lease taken', { room: id, epoch: lease.epoch });
      this.deps.onGained(id);
    }
    return true;
  }

  /** Renews every held lease in one statement; the ones the store no longer grants are lost. */
  async renewAll(): Promise<void> {
    this.expireLocal();
    if (this.held.size === 0) return;
    const asked = this.deps.monotonic();
    const list = [...this.held].map(([sessionId, h]) => ({ sessionId, epoch: h.epoch }));
    const granted = await this.deps.store.renewLeases(this.deps.instanceId, list, this.deps.times.ttlMs);
    const kept = new Set(granted.map((l) => l.sessionId));
    for (const { sessionId, epoch } of list) {
      const h = this.held.get(sessionId);
      if (!h || h.epoch !== epoch) continue; // changed meanwhile
      if (kept.has(sessionId)) h.deadline = asked + this.deps.times.ttlMs - this.deps.times.marginMs;
      else this.lose(sessionId, 'not renewed');
    }
  }

  /** Leases whose local deadline passed (renewals failed: the store or the network is away). */
  expireLocal(): void {
    const now = this.deps.monotonic();
    for (const [id, h] of this.held) if (now >= h.deadline) this.lose(id, 'expired');
  }

  /** Gives a lease up at once so another instance can take it (drain, unload). */
  async release(id: SessionId): Promise<void> {
    const h = this.held.get(id);
    if (!h) return;
    this.lose(id, 'released');
    await this.deps.store.releaseLease(id, this.deps.instanceId, h.epoch);
  }

  private lose(id: SessionId, why: string): void {
    if (!this.held.delete(id)) return;
    this.deps.metrics.inc(METRIC.leaseChanges, 'Session leases this instance took', { change: 'lost' });
    this.deps.logger.info('lease given up', { room: id, why });
    this.deps.onLost(id);
  }
}
