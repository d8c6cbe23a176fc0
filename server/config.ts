/**
 * The server's configuration: parsed once from the environment (in index.ts) into a typed object.
 * Tests build a Config directly with `testConfig`-style overrides; nothing here reads env at import.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import { MAX_WEBHOOK_BODY_BYTES } from '../lib/delivery/body';
import { LIMITS } from '../lib/doc/schema';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const Limits = z.object({
  /** Largest WebSocket frame accepted, bytes. */
  maxFrameBytes: z.number().int().positive().default(1024 * 1024),
  /** Largest HTTP body accepted, bytes. */
  maxBodyBytes: z.number().int().positive().default(64 * 1024),
  /** Queued bytes to one client before it is closed as a slow consumer. */
  maxBufferedBytes: z.number().int().positive().default(8 * 1024 * 1024),
  /** Size a session's document may grow to (stored bytes), before writes are refused. */
  maxDocBytes: z.number().int().positive().default(32 * 1024 * 1024),
  /** Per-connection token buckets: messages and bytes per second, with bursts. */
  messagesPerSecond: z.number().positive().default(100),
  messageBurst: z.number().positive().default(400),
  bytesPerSecond: z.number().positive().default(1024 * 1024),
  byteBurst: z.number().positive().default(4 * 1024 * 1024),
  /** One awareness update's size, and awareness updates per second per connection. */
  maxAwarenessBytes: z.number().int().positive().default(16 * 1024),
  awarenessPerSecond: z.number().positive().default(10),
  awarenessBurst: z.number().positive().default(30),
  /** HTTP writes (POST) per second from one IP address, with a burst; past it: 429. */
  httpWritesPerSecond: z.number().positive().default(20),
  httpWriteBurst: z.number().positive().default(200),
  /** Open WebSocket connections (Yjs) from one IP address. */
  maxConnectionsPerIp: z.number().int().positive().default(256),
  /** Largest CI/CD webhook body accepted, bytes (GitHub pushes of many commits are large). */
  maxHookBodyBytes: z.number().int().positive().default(MAX_WEBHOOK_BODY_BYTES),
  /**
   * Webhook and mob.sh requests per second from one IP address, with a burst; past it: 429. A
   * budget of their own: CI providers send from a few shared addresses, for every session at once.
   */
  integrationWritesPerSecond: z.number().positive().default(20),
  integrationWriteBurst: z.number().positive().default(200),
  /**
   * How long a connection may keep sending edits that build on changes the server lacks (each
   * answered with a resync request) before it is closed with 4412, ms. Longer than a cluster
   * instance takes to read a gap back from the store; a client that answers its resync is never near it.
   */
  unresolvedGraceMs: z.number().int().positive().default(20_000),
});
export type Limits = z.infer<typeof Limits>;

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  PUBLIC_URL: z.url().optional(),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  MAX_FRAME_BYTES: z.coerce.number().int().positive().optional(),
  MAX_BODY_BYTES: z.coerce.number().int().positive().optional(),
  MAX_DOC_BYTES: z.coerce.number().int().positive().optional(),
  MAX_CONNECTIONS_PER_IP: z.coerce.number().int().positive().optional(),
  /** Per-connection message budget (token bucket): sustained rate and burst. */
  RATE_MESSAGES_PER_SECOND: z.coerce.number().positive().optional(),
  RATE_MESSAGE_BURST: z.coerce.number().positive().optional(),
  /** HTTP writes per second per address, and burst. */
  RATE_HTTP_WRITES_PER_SECOND: z.coerce.number().positive().optional(),
  RATE_HTTP_WRITE_BURST: z.coerce.number().positive().optional(),
  MAX_HOOK_BODY_BYTES: z.coerce.number().int().positive().optional(),
  /** Webhook and mob.sh requests per second per address, and burst. */
  RATE_INTEGRATION_WRITES_PER_SECOND: z.coerce.number().positive().optional(),
  RATE_INTEGRATION_WRITE_BURST: z.coerce.number().positive().optional(),
  UNRESOLVED_GRACE_MS: z.coerce.number().int().positive().optional(),
  /** 'on' lets chat destinations point at private addresses (an on-premises Mattermost). */
  CHAT_ALLOW_PRIVATE_URLS: z.enum(['on', 'off']).default('off'),
  /** Comma-separated origins allowed to open sockets and write, besides the server's own origin. */
  ALLOWED_ORIGINS: z.string().optional(),
  /** Comma-separated host names this server answers to, besides IP literals, localhost and PUBLIC_URL's host. */
  ALLOWED_HOSTS: z.string().optional(),
  /** 'off' serves the API and sockets without the Next.js UI (load tests, crash tests). */
  MOBFLOW_UI: z.enum(['on', 'off']).default('on'),
  /** Next's build directory under the project (next.config.js reads the same variable). */
  MOBFLOW_DIST_DIR: z.string().min(1).default('.next'),
  UNLOAD_DELAY_MS: z.coerce.number().int().min(0).default(5_000),
  /** Shortest turn the API accepts; lowered only by tests that need 1–2 s turns. */
  MIN_TURN_SECONDS: z.coerce.number().int().min(1).default(LIMITS.turnSecondsMin),
  /** Cluster mode: both set (server/cluster/). Neither: the embedded server on SQLite. */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  /** This instance's name in the cluster (logs, leases); unique per process. */
  INSTANCE_ID: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
  /** Cluster timing, lowered by fault tests: lease length and the renew/sweep period, ms. */
  CLUSTER_LEASE_TTL_MS: z.coerce.number().int().min(500).optional(),
  CLUSTER_TICK_MS: z.coerce.number().int().min(100).optional(),
});

export type WebMode = 'production' | 'development' | 'none';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  logLevel: LogLevel;
  /** Base for links in API responses; by default taken from the request's Host header. */
  publicUrl?: string;
  /** 'none' serves only the API and sockets (integration tests). */
  web: WebMode;
  /** The production build's directory, relative to the project root (next.config.js's distDir). */
  distDir: string;
  limits: Limits;
  /** How long an empty room stays loaded before it is unloaded. */
  unloadDelayMs: number;
  /** Compact a room's update log into a snapshot past this many updates. */
  compactAfterUpdates: number;
  /** Origins (scheme://host[:port]) allowed to open sockets and write besides same-origin; browsers only. */
  allowedOrigins: string[];
  /** Host names (no port) the server answers to besides IP literals and localhost (DNS rebinding). */
  allowedHosts: string[];
  /** Compact a session's log after this long without a write while anything is pending, ms. */
  compactQuietMs: number;
  /** Compact a session's log once its oldest record not in a snapshot is this old, ms. */
  compactMaxAgeMs: number;
  /** Shortest turn (and break) length accepted, seconds; LIMITS.turnSecondsMin unless a test lowers it. */
  minTurnSeconds: number;
  /** Chat destinations may be private or loopback addresses (on-premises chat; tests). */
  chatAllowPrivate: boolean;
  /** Cluster mode (REDIS_URL and DATABASE_URL); absent: the embedded server. */
  cluster?: ClusterConfig;
}

export interface ClusterConfig {
  redisUrl: string;
  databaseUrl: string;
  instanceId: string;
  leaseTtlMs?: number;
  tickMs?: number;
}

export function configFromEnv(env: NodeJS.ProcessEnv): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (Boolean(e.REDIS_URL) !== Boolean(e.DATABASE_URL)) {
    throw new Error('Invalid environment:\n  cluster mode needs both REDIS_URL and DATABASE_URL (set neither for the embedded server on SQLite)');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    logLevel: e.LOG_LEVEL,
    publicUrl: e.PUBLIC_URL,
    web: e.MOBFLOW_UI === 'off' ? 'none' : e.NODE_ENV === 'development' ? 'development' : 'production',
    distDir: e.MOBFLOW_DIST_DIR,
    limits: Limits.parse({
      maxFrameBytes: e.MAX_FRAME_BYTES,
      maxBodyBytes: e.MAX_BODY_BYTES,
      maxDocBytes: e.MAX_DOC_BYTES,
      maxConnectionsPerIp: e.MAX_CONNECTIONS_PER_IP,
      messagesPerSecond: e.RATE_MESSAGES_PER_SECOND,
      messageBurst: e.RATE_MESSAGE_BURST,
      httpWritesPerSecond: e.RATE_HTTP_WRITES_PER_SECOND,
      httpWriteBurst: e.RATE_HTTP_WRITE_BURST,
      maxHookBodyBytes: e.MAX_HOOK_BODY_BYTES,
      integrationWritesPerSecond: e.RATE_INTEGRATION_WRITES_PER_SECOND,
      integrationWriteBurst: e.RATE_INTEGRATION_WRITE_BURST,
      unresolvedGraceMs: e.UNRESOLVED_GRACE_MS,
    }),
    allowedOrigins: list(e.ALLOWED_ORIGINS),
    allowedHosts: [...list(e.ALLOWED_HOSTS).map((h) => h.toLowerCase()), ...hostsOf(e.PUBLIC_URL, e.HOST)],
    unloadDelayMs: e.UNLOAD_DELAY_MS,
    compactAfterUpdates: 500,
    compactQuietMs: COMPACT_QUIET_MS,
    compactMaxAgeMs: COMPACT_MAX_AGE_MS,
    minTurnSeconds: e.MIN_TURN_SECONDS,
    chatAllowPrivate: e.CHAT_ALLOW_PRIVATE_URLS === 'on',
    ...(e.REDIS_URL && e.DATABASE_URL
      ? {
          cluster: {
            redisUrl: e.REDIS_URL,
            databaseUrl: e.DATABASE_URL,
            instanceId: e.INSTANCE_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
            leaseTtlMs: e.CLUSTER_LEASE_TTL_MS,
            tickMs: e.CLUSTER_TICK_MS,
          },
        }
      : {}),
  };
}

const list = (raw: string | undefined) =>
  (raw ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);

/** PUBLIC_URL's host and a listen HOST that is a name (not an address) are this server's own names. */
function hostsOf(publicUrl: string | undefined, host: string): string[] {
  const out: string[] = [];
  if (publicUrl) out.push(new URL(publicUrl).hostname.toLowerCase().replace(/^\[|\]$/g, ''));
  if (!/^[\d.:]+$/.test(host) && host !== '0.0.0.0') out.push(host.toLowerCase());
  return out;
}

/** A room quiet this long with records pending compacts them, so a quiet room never pins old log segments. */
const COMPACT_QUIET_MS = 30_000;
/** ...and a room that never goes quiet compacts its oldest pending record within this long. */
const COMPACT_MAX_AGE_MS = 10 * 60_000;

export function defaultConfig(overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    dataDir: './data',
    logLevel: 'info',
    web: 'none',
    distDir: '.next',
    limits: Limits.parse({}),
    allowedOrigins: [],
    allowedHosts: [],
    unloadDelayMs: 5_000,
    compactAfterUpdates: 500,
    compactQuietMs: COMPACT_QUIET_MS,
    compactMaxAgeMs: COMPACT_MAX_AGE_MS,
    minTurnSeconds: LIMITS.turnSecondsMin,
    chatAllowPrivate: false,
    ...overrides,
  };
}
