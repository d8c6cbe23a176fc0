/**
 * Opening cluster mode: the PostgreSQL store (migrated on start) and the Redis bus. Either engine
 * unreachable at start is a StartupError with a line a person can act on; the entry point prints
 * it and exits with EXIT_UNREACHABLE.
 */
import type { ClusterConfig } from '../config';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { Cluster } from './cluster';
import type { ClusterStore } from './types';

/** Exit code when Redis or PostgreSQL cannot be reached at start (2 is a configuration error). */
export const EXIT_UNREACHABLE = 3;

export class EngineUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineUnreachable';
  }
}

export async function openCluster(config: ClusterConfig, deps: { logger: Logger; metrics: Metrics; store?: ClusterStore }): Promise<Cluster> {
  let store: ClusterStore;
  try {
    // Loaded only in cluster mode: the embedded server never loads the PostgreSQL client.
    store = deps.store ?? (await (await import('./pgStore')).openPgStore(config.databaseUrl));
  } catch (err) {
    throw new EngineUnreachable((err as Error).message);
  }
  const times = {
    ...(config.tickMs ? { tickMs: config.tickMs } : {}),
    ...(config.leaseTtlMs ? { lease: { ttlMs: config.leaseTtlMs, marginMs: Math.round(config.leaseTtlMs / 8) } } : {}),
  };
  const cluster = new Cluster({ instanceId: config.instanceId, redisUrl: config.redisUrl, store, logger: deps.logger, metrics: deps.metrics, times });
  try {
    await cluster.start();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw new EngineUnreachable((err as Error).message);
  }
  deps.logger.info('cluster mode: PostgreSQL and Redis reached');
  return cluster;
}
