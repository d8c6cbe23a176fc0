/**
 * The composition root: wires store, rooms, HTTP API, the Yjs endpoint, socket.io and the Next.js
 * app on one HTTP server. It never listens by itself: call listen() (tests pass port 0).
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloseCode } from '../lib/protocol/closeCodes';
import { SOCKET_PATH } from '../lib/protocol/events';
import type { Config } from './config';
import { createApi } from './http/api';
import { decisionRoutes } from './http/routes/decisions';
import { sessionRoutes } from './http/routes/sessions';
import { taskRoutes } from './http/routes/tasks';
import { timerRoutes } from './http/routes/timer';
import { sendJson, sendText } from './http/respond';
import { createStaticAssets, STATIC_PREFIX } from './http/staticAssets';
import { applyPageCsp, baseSecurityHeaders } from './http/security';
import { type Clock, createLogger, type Logger, systemClock } from './logger';
import { METRIC, Metrics } from './metrics';
import { createRealtime } from './realtime';
import { Rooms } from './rooms';
import { Sessions } from './sessions';
import { TimerService } from './timer/scheduler';
import { openSqliteStore } from './store/sqlite';
import type { Store } from './store/types';
import { createWeb, type Web } from './web';
import { idleMemoryRelease } from './idleMemory';
import { createYjsEndpoint, YJS_PREFIX } from './yjs/endpoint';

export interface ServerDeps {
  store?: Store;
  clock?: Clock;
  logger?: Logger;
}

export interface MobflowServer {
  listen(): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
  readonly rooms: Rooms;
  readonly store: Store;
  readonly metrics: Metrics;
}

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
/**
 * Idle memory release (idleMemory.ts): a full collection a second after the last room unloaded
 * frees the garbage; a second one 6 s later also gives the pages back, since V8 shrinks the young
 * generation only once its allocation rate over the last ~5 s is low.
 */
const IDLE_GC_DELAY_MS = 1_000;
const IDLE_GC_INTERVAL_MS = 6_000;
export const IDLE_GC_ROUNDS = 2;
/**
 * The collection after most rooms unloaded (idleMemory.ts): once the rooms loaded fell to a quarter
 * of at least 50, a second after the last of them unloaded.
 */
const DROP_GC = { minPeak: 50, ratio: 0.25, delayMs: 1_000 };

export async function createServer(config: Config, deps: ServerDeps = {}): Promise<MobflowServer> {
  const logger = deps.logger ?? createLogger(config.logLevel);
  const clock = deps.clock ?? systemClock;
  const onMergeError = (id: string, err: unknown) =>
    logger.warn("could not merge a session's log entries; they stay in the log", { session: id, err: String(err) });
  const store = deps.store ?? openSqliteStore(config.dataDir, { onMergeError });
  const metrics = new Metrics();
  const idleMemory = idleMemoryRelease({
    gc: (globalThis as { gc?: () => void }).gc,
    release: () => store.releaseMemory(),
    delayMs: IDLE_GC_DELAY_MS,
    intervalMs: IDLE_GC_INTERVAL_MS,
    rounds: IDLE_GC_ROUNDS,
    logger,
    onCollected: () => metrics.inc(METRIC.idleCollections, 'Full garbage collections run after the last room unloaded'),
    drop: { ...DROP_GC, onCollected: () => metrics.inc(METRIC.dropCollections, 'Full garbage collections run after most rooms unloaded') },
    onScheduled: (scheduled) => metrics.set(METRIC.collectionScheduled, 'Whether a full garbage collection is scheduled (1) or not (0)', scheduled ? 1 : 0),
  });
  const rooms = new Rooms({
    store,
    logger,
    metrics,
    limits: config.limits,
    compactAfterUpdates: config.compactAfterUpdates,
    unloadDelayMs: config.unloadDelayMs,
    onCountChanged: (count) => idleMemory.roomsLoaded(count),
  });
  const sessions = new Sessions(store, rooms, clock);
  const timer = new TimerService({ rooms, store, clock, logger });
  await timer.start(); // resolves turns that ended while the server was down
  const api = createApi({ config, sessions, rooms, clock }, [sessionRoutes, taskRoutes, decisionRoutes, timerRoutes(timer)]);
  const yjs = createYjsEndpoint({ rooms, sessions, logger, metrics, limits: config.limits, allowedOrigins: config.allowedOrigins, clock });
  const web: Web | null = config.web === 'none' ? null : await createWeb(config.web, PROJECT_ROOT, config.host, config.port);
  // The build's hashed assets from memory (development builds them on demand: Next serves those).
  const assets = config.web === 'production' ? createStaticAssets(join(PROJECT_ROOT, config.distDir, 'static')) : null;
  assets
    ?.warm()
    .then((count) => logger.debug('static assets loaded', { count }))
    .catch((err: unknown) => logger.warn('could not preload static assets', { err: String(err) }));

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = pathOf(req.url);
    metrics.inc(METRIC.httpRequests, 'HTTP requests', { method: req.method ?? '' });
    baseSecurityHeaders(res);
    if (pathname === '/healthz') return sendJson(res, 200, { ok: true });
    if (pathname === '/readyz') {
      const ok = await store.ping();
      return sendJson(res, ok ? 200 : 503, { ok });
    }
    if (pathname === '/metrics') {
      const mem = process.memoryUsage();
      metrics.set(METRIC.rss, 'Resident set size of the server process, bytes', mem.rss);
      metrics.set(METRIC.heapUsed, 'V8 heap in use, bytes', mem.heapUsed);
      return sendText(res, 200, metrics.render(), 'text/plain; version=0.0.4');
    }
    if (await api(req, res, pathname)) return;
    if (assets && pathname.startsWith(STATIC_PREFIX) && (await assets.handle(req, res, pathname))) return;
    if (web) {
      if (!pathname.startsWith('/_next/')) applyPageCsp(req, res, config.web === 'development');
      // Session pages for ids that look right but do not exist get Next's real 404 page.
      const page = /^\/(s|v)\/([^/]+)(\/log)?\/?$/.exec(pathname);
      if (page?.[2]) {
        const found = await sessions.resolve(page[2]);
        if (!found || found.readOnly !== (page[1] === 'v')) req.url = '/_mobflow/not-found';
      }
      return web.handle(req, res);
    }
    sendJson(res, 404, { error: 'not found' });
  }

  const http = createHttpServer((req, res) => {
    onRequest(req, res).catch((err: unknown) => {
      logger.error('request failed', { url: req.url, err: String(err) });
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  http.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });

  const realtime = createRealtime(http, { sessions, clock, logger, maxPayloadBytes: config.limits.maxBodyBytes, decisions: { rooms, clock, logger }, allowedOrigins: config.allowedOrigins, timer: { timer, rooms, logger, minTurnSeconds: config.minTurnSeconds } });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = pathOf(req.url);
    if (pathname.startsWith(`${SOCKET_PATH}/`)) return; // engine.io's own listener takes it
    socket.on('error', () => socket.destroy());
    if (pathname.startsWith(YJS_PREFIX)) return yjs.handleUpgrade(req, socket, head, pathname);
    if (web) return web.upgrade(req, socket, head);
    socket.destroy();
  });

  let closing: Promise<void> | null = null;
  return {
    rooms,
    store,
    metrics,
    listen: () =>
      new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(config.port, config.host, () => {
          const { port } = http.address() as AddressInfo;
          const host = config.host.includes(':') ? `[${config.host}]` : config.host;
          resolve({ port, url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}` });
        });
      }),
    close: () => {
      closing ??= (async () => {
        timer.close();
        idleMemory.close();
        // Stop accepting, then close what holds connections open, Yjs sockets first: socket.io's
        // close waits for the HTTP server, which waits for every upgraded socket to end.
        http.close();
        await rooms.closeAll(); // flushes every room, closes sockets with GoingAway so clients reconnect
        await yjs.close();
        http.closeAllConnections();
        await realtime.close();
        await web?.close();
        await store.close();
        logger.info('server closed', { code: CloseCode.GoingAway });
      })();
      return closing;
    },
  };
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q === -1 ? raw : raw.slice(0, q);
}
