/**
 * What a Cluster is given and what it asks of the rest of the server: its timings, its
 * dependencies, and the bindings (rooms, the timer service, the server writes it may run for a
 * peer) that exist only once the server around it is built.
 */
import type { SessionId } from '../../lib/ids';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { Rooms } from '../rooms';
import { LEASE_TIMES, type LeaseTimes } from './leases';
import type { ClusterStore } from './types';

export interface ClusterTimes {
  lease: LeaseTimes;
  /** Lease renewal, orphaned-timer sweep and heartbeat period, ms. */
  tickMs: number;
  /** How often every loaded room is checked against the store's last sequence number, ms. */
  pollMs: number;
  /** Timers due within this much of now are adopted by a peer when their owner is gone, ms. */
  horizonMs: number;
  /** A forwarded server write's wait for the owner's reply, ms. */
  callTimeoutMs: number;
  /** A peer whose heartbeat is older than this is gone (its members offline), ms. */
  beatLapseMs: number;
  /** A gap in the records waits this long for the bus before it is read from the store, ms. */
  gapWaitMs: number;
}

export const CLUSTER_TIMES: ClusterTimes = { lease: LEASE_TIMES, tickMs: 2_000, pollMs: 5_000, horizonMs: 15_000, callTimeoutMs: 5_000, beatLapseMs: 6_000, gapWaitMs: 250 };

/** A server write the owner runs: the session id first, then v8-serialisable arguments. */
export type Operation = (id: SessionId, ...args: never[]) => Promise<unknown>;

/** What the cluster asks of the timer service for the sessions it owns. */
export interface OwnedTimers {
  /** This instance became the owner: arm the session's timer from its document (resolving a due turn). */
  adopt(id: SessionId): Promise<void>;
  /** No longer the owner: drop the wake-up. */
  forget(id: SessionId): void;
  hasWakeup(id: SessionId): boolean;
}

export interface ClusterDeps {
  instanceId: string;
  redisUrl: string;
  store: ClusterStore;
  logger: Logger;
  metrics: Metrics;
  times?: Partial<ClusterTimes>;
}

export interface ClusterBindings {
  rooms: Rooms;
  timers: OwnedTimers;
  operations: Record<string, Operation>;
  /** Closes the Yjs connections a replaced link opened on this instance (socket.io's go through its adapter). */
  closeLink(id: SessionId, token: string): void;
}
