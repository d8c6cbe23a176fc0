/**
 * The server's configuration: parsed once from the environment (in index.ts) into a typed object.
 * Tests build a Config directly with `testConfig`-style overrides; nothing here reads env at import.
 */
import { z } from 'zod';
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
  /** Comma-separated origins allowed to open sockets, besides the server's own origin. */
  ALLOWED_ORIGINS: z.string().optional(),
  /** 'off' serves the API and sockets without the Next.js UI (load tests, crash tests). */
  MOBFLOW_UI: z.enum(['on', 'off']).default('on'),
  /** Next's build directory under the project (next.config.js reads the same variable). */
  MOBFLOW_DIST_DIR: z.string().min(1).default('.next'),
  UNLOAD_DELAY_MS: z.coerce.number().int().min(0).default(5_000),
  /** Shortest turn the API accepts; lowered only by tests that need 1–2 s turns. */
  MIN_TURN_SECONDS: z.coerce.number().int().min(1).default(LIMITS.turnSecondsMin),
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
  /** Origins (scheme://host[:port]) allowed to open sockets besides same-origin; browsers only. */
  allowedOrigins: string[];
  /** Shortest turn (and break) length accepted, seconds; LIMITS.turnSecondsMin unless a test lowers it. */
  minTurnSeconds: number;
}

export function configFromEnv(env: NodeJS.ProcessEnv): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
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
    }),
    allowedOrigins: (e.ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    unloadDelayMs: e.UNLOAD_DELAY_MS,
    compactAfterUpdates: 500,
    minTurnSeconds: e.MIN_TURN_SECONDS,
  };
}

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
    unloadDelayMs: 5_000,
    compactAfterUpdates: 500,
    minTurnSeconds: LIMITS.turnSecondsMin,
    ...overrides,
  };
}
