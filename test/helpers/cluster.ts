/**
 * A cluster for a test file: N Mobflow instances as child processes (real entrypoint, so kill -9,
 * SIGSTOP and SIGTERM reach them) on one Redis and one PostgreSQL database, each on a fixed port so
 * a restarted instance comes back where its clients look for it.
 */
import { type ChildServer, startChild } from './child';
import { freePort } from './port';
import { tempDir } from './server';

export interface Instance {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly wsUrl: string;
  child: ChildServer | null;
  start(): Promise<void>;
  /** Signals the process and waits for it to exit (SIGKILL: a crash; SIGTERM: a drain). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** SIGSTOP / SIGCONT: a paused process (its sockets stay open, it answers nothing). */
  pause(): void;
  resume(): void;
}

export interface TestCluster {
  instances: Instance[];
  urls: string[];
  wsUrls: string[];
  stop(): Promise<void>;
}

export interface ClusterEnv {
  redisUrl: string;
  databaseUrl: string;
  /** Short leases and ticks make fault tests fast (defaults: 2 s lease, 250 ms tick). */
  env?: Record<string, string>;
}

export async function startCluster(n: number, opts: ClusterEnv): Promise<TestCluster> {
  const instances: Instance[] = [];
  for (let i = 0; i < n; i++) {
    const port = await freePort();
    const name = `mf${i + 1}`;
    const env = {
      REDIS_URL: opts.redisUrl,
      DATABASE_URL: opts.databaseUrl,
      INSTANCE_ID: name,
      CLUSTER_LEASE_TTL_MS: '2000',
      CLUSTER_TICK_MS: '250',
      MIN_TURN_SECONDS: '1',
      UNLOAD_DELAY_MS: '500',
      // Every test client comes from 127.0.0.1: the per-address cap would refuse a fleet.
      MAX_CONNECTIONS_PER_IP: '10000',
      ...opts.env,
    };
    const dataDir = tempDir('mobflow-cluster-');
    const inst: Instance = {
      name,
      port,
      url: `http://127.0.0.1:${port}`,
      wsUrl: `ws://127.0.0.1:${port}/yjs`,
      child: null,
      async start() {
        this.child = await startChild(dataDir, env, port);
      },
      async stop(signal = 'SIGTERM') {
        const c = this.child;
        this.child = null;
        await c?.kill(signal);
      },
      pause() {
        this.child?.proc.kill('SIGSTOP');
      },
      resume() {
        this.child?.proc.kill('SIGCONT');
      },
    };
    instances.push(inst);
  }
  await Promise.all(instances.map((i) => i.start()));
  return {
    instances,
    urls: instances.map((i) => i.url),
    wsUrls: instances.map((i) => i.wsUrl),
    async stop() {
      for (const i of instances) i.resume();
      await Promise.all(instances.map((i) => i.stop('SIGKILL')));
    },
  };
}
