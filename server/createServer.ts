/**
 * The composition root: wires store, rooms, HTTP API, the Yjs endpoint, socket.io and the Next.js
 * app on one HTTP server. It never listens by itself: call listen() (tests pass port 0).
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSessionName } from '../lib/doc/schema';
import { getMember } from '../lib/members';
import { CloseCode } from '../lib/protocol/closeCodes';
import { SOCKET_PATH } from '../lib/protocol/events';
import { MIN_TURN_HEADER } from '../lib/protocol/http';
import { boardNeedsSettling, settleBoard } from '../lib/task';
import type { SessionId } from '../lib/ids';
import { createActions } from './actions';
import { openCluster } from './cluster/mode';
import { routedWrites, type ServerWrites, writeOperations } from './cluster/routing';
import type { Cluster } from './cluster/cluster';
import type { ClusterStore } from './cluster/types';
import { AddressBook } from './addressBook';
import { settleAfterClientChange } from './boardSettling';
import type { Config } from './config';
import { apiContext, createApi, type Route } from './http/api';
import { decisionRoutes } from './http/routes/decisions';
import { hookRoutes } from './http/routes/hooks';
import { integrationRoutes } from './http/routes/integrations';
import { mobRoutes } from './http/routes/mob';
import { sessionRoutes } from './http/routes/sessions';
import { taskRoutes } from './http/routes/tasks';
import { timerRoutes } from './http/routes/timer';
import { sendJson, sendText } from './http/respond';
import { createStaticAssets, STATIC_PREFIX } from './http/staticAssets';
import { applyPageCsp, baseSecurityHeaders, isHostAllowed, type SiteRules } from './http/security';
import { type Clock, createLogger, type Logger, systemClock } from './logger';
import { METRIC, Metrics } from './metrics';
import { createRealtime } from './realtime';
import { Rooms } from './rooms';
import { Sessions } from './sessions';
import { TimerService } from './timer/scheduler';
import { systemTimers, type TimerSource } from './timer/timerSource';
import { openSqliteStore, type RecoveryReport } from './store/sqlite';
import type { Store } from './store/types';
import { createWeb, type Web } from './web';
import { idleMemoryRelease } from './idleMemory';
import { ChatNotices, rotationNotice } from './integrations/notifications';
import { Notifier } from './integrations/outbound';
import { Integrations } from './integrations/registry';
import { createYjsEndpoint, YJS_PREFIX } from './yjs/endpoint';
import type { Room } from './yjs/room';

export interface ServerDeps {
  store?: Store;
  /** Cluster mode with this store instead of opening DATABASE_URL's (tests). */
  clusterStore?: ClusterStore;
  clock?: Clock;
  timers?: TimerSource;
  logger?: Logger;
}

export interface MobflowServer {
  listen(): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
  readonly rooms: Rooms;
  readonly store: Store;
  readonly metrics: Metrics;
  readonly timer: TimerService;
  readonly sessions: Sessions;
  /** Cluster mode only. */
  readonly cluster: Cluster | null;
  /** Outbound chat messages (tests read its counters and wait for it to go idle). */
  readonly notifier: Notifier;
  readonly notices: ChatNotices;
  /** The HTTP API's routes (the capability matrix test walks them). */
  readonly routes: readonly Route[];
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
  const timers = deps.timers ?? systemTimers;
  const metrics = new Metrics();
  // Cluster mode: PostgreSQL holds everything, Redis tells the peers (server/cluster/).
  const cluster = config.cluster ? await openCluster(config.cluster, { logger, metrics, ...(deps.clusterStore ? { store: deps.clusterStore } : {}) }) : null;
  const store: Store = cluster?.store ?? deps.store ?? openSqliteStore(config.dataDir, { onRecovery: (r) => logRecovery(logger, r) });
  const site: SiteRules = { allowedOrigins: config.allowedOrigins, allowedHosts: config.allowedHosts };
  const addresses = new AddressBook(config.limits.maxConnectionsPerIp, (n) => metrics.set(METRIC.connections, 'Open WebSocket and socket.io connections', n));
  const idleMemory = idleMemoryRelease({
    gc: (globalThis as { gc?: () => void }).gc,
    release: () => store.releaseMemory?.(),
    delayMs: IDLE_GC_DELAY_MS,
    intervalMs: IDLE_GC_INTERVAL_MS,
    rounds: IDLE_GC_ROUNDS,
    logger,
    onCollected: () => metrics.inc(METRIC.idleCollections, 'Full garbage collections run after the last room unloaded'),
    drop: { ...DROP_GC, onCollected: () => metrics.inc(METRIC.dropCollections, 'Full garbage collections run after most rooms unloaded') },
    onScheduled: (scheduled) => metrics.set(METRIC.collectionScheduled, 'Whether a full garbage collection is scheduled (1) or not (0)', scheduled ? 1 : 0),
  });
  // A client added or removed a task: when nothing is current any more, the queue head becomes current
  // (on the session's owner in a cluster: writes.settleBoard).
  const afterClientChange = settleAfterClientChange((room) =>
    writes.settleBoard(room.id).catch((err: unknown) => {
      logger.warn('could not settle the board', { room: room.id, err: String(err) });
      throw err;
    }),
  );
  const rooms = new Rooms({
    store,
    logger,
    metrics,
    limits: config.limits,
    log: { compactAfter: config.compactAfterUpdates, quietMs: config.compactQuietMs, maxAgeMs: config.compactMaxAgeMs, clock, timers },
    afterClientChange,
    unloadDelayMs: config.unloadDelayMs,
    onCountChanged: (count) => idleMemory.roomsLoaded(count),
    ...(cluster
      ? { peers: cluster, beforeLoad: (id: SessionId) => cluster.beforeLoad(id), afterLoad: (room: Room) => cluster.afterLoad(room), afterUnload: (id: SessionId) => cluster.afterUnload(id) }
      : {}),
  });
  const integrations = new Integrations({ store, clock, allowPrivate: config.chatAllowPrivate });
  // Chat runs on the server's clock and timers, so tests drive its backoff on a fake clock too.
  const notifier = new Notifier({
    fetch: (url, init) => globalThis.fetch(url, init),
    now: () => clock.now(),
    timers,
    logger,
    onSent: () => metrics.inc(METRIC.chatSent, 'Chat notifications delivered'),
    onDropped: (reason) => metrics.inc(METRIC.chatDropped, 'Chat notifications given up on, by reason', { reason }),
  });
  // Notices go out where the write happens: on the session's owner in a cluster, so once.
  const notices = new ChatNotices({ store, integrations, notifier, logger, publicUrl: config.publicUrl });
  const timer = new TimerService({
    rooms,
    store,
    clock,
    timers,
    logger,
    ...(cluster ? { owns: (id: SessionId) => cluster.leases.owns(id) } : {}),
    // Names are read as the transition lands; the message goes out without the session waiting.
    onTransition: (id, { before, after, docs }) => {
      const notice = rotationNotice(before, after, (m) => (m ? (getMember(docs, m)?.name ?? null) : null));
      if (notice) notices.send(id, readSessionName(docs), notice);
    },
  });
  const local: ServerWrites = {
    actions: createActions({ rooms, clock, notices }),
    timer,
    settleBoard: async (id) => {
      await rooms.with(id, (room) => (boardNeedsSettling(room.docs) ? room.transact('task', (docs) => settleBoard(docs, clock.now())) : undefined));
    },
  };
  const writes = cluster ? routedWrites(cluster, local) : local;
  const actions = writes.actions;
  const sessions = new Sessions(store, actions.initSession, clock);
  await timer.start(); // resolves turns that ended while the server was down (a cluster adopts them by lease)
  const ctx = apiContext({ config, sessions, rooms, actions, clock, site });
  const routes = [
    sessionRoutes,
    taskRoutes,
    decisionRoutes,
    timerRoutes(writes.timer),
    integrationRoutes(integrations),
    hookRoutes({ integrations, store, actions, clock, metrics }),
    mobRoutes({ store, rooms, actions, timer: writes.timer, metrics }),
  ].flatMap((m) => m(ctx));
  const api = createApi(ctx, routes);
  const yjs = createYjsEndpoint({ rooms, sessions, logger, metrics, limits: config.limits, site, addresses, clock, timers });
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
    // A name this server does not answer to (DNS rebinding): nothing is served under it.
    if (!isHostAllowed(req, site)) return sendJson(res, 421, { error: 'this server does not answer to that host name (set PUBLIC_URL or ALLOWED_HOSTS)' });
    if (pathname === '/readyz') {
      const stored = await store.health();
      const health = stored.ok && cluster ? cluster.health() : stored;
      metrics.set(METRIC.storeReady, 'Whether the store can take writes (1) or not (0)', health.ok ? 1 : 0);
      return sendJson(res, health.ok ? 200 : 503, health);
    }
    if (pathname === '/metrics') return sendText(res, 200, await metrics.render(), metrics.contentType);
    if (await api(req, res, pathname)) return;
    if (assets && pathname.startsWith(STATIC_PREFIX) && (await assets.handle(req, res, pathname))) return;
    if (web) {
      if (!pathname.startsWith('/_next/')) {
        applyPageCsp(req, res, config.web === 'development');
        req.headers[MIN_TURN_HEADER] = String(config.minTurnSeconds);
      }
      // Session pages for ids that look right but do not exist get Next's real 404 page.
      const page = /^\/(s|v)\/([^/]+)(\/log)?\/?$/.exec(pathname);
      if (page?.[2]) {
        const found = await sessions.resolve(page[2]);
        if (!found || found.kind !== (page[1] === 'v' ? 'view' : 'edit')) req.url = '/_mobflow/not-found';
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

  const realtime = createRealtime(http, {
    sessions,
    clock,
    logger,
    maxPayloadBytes: config.limits.maxBodyBytes,
    site,
    addresses,
    actions,
    timer: writes.timer,
    rooms,
    minTurnSeconds: config.minTurnSeconds,
    ...(cluster ? { adapter: cluster.socketAdapter() } : {}),
  });

  // A replaced link stops at once: its sockets are closed (the page says the link was replaced), on
  // every instance of a cluster (Yjs sockets through the bus, socket.io through its adapter).
  const closeLink = (id: SessionId, oldToken: string) => rooms.closeLink(id, oldToken, CloseCode.LinkReplaced, 'this link was replaced: ask your team for the new one');
  sessions.onLinkReplaced((session, kind, oldToken) => {
    closeLink(session.id, oldToken);
    realtime.disconnectLink(oldToken, kind);
    cluster?.linkReplaced(session.id, oldToken, kind);
  });
  cluster?.bind({ rooms, timers: timer, operations: writeOperations(local), closeLink });

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
    timer,
    sessions,
    notifier,
    notices,
    routes,
    cluster,
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
        // A cluster instance drains first: not ready, each owned session flushed and its lease
        // handed over at once (peers take them), then clients are closed with 1001 and reconnect
        // to another instance.
        await cluster?.drain();
        timer.close();
        notifier.close();
        idleMemory.close();
        // Stop accepting, then close what holds connections open, Yjs sockets first: socket.io's
        // close waits for the HTTP server, which waits for every upgraded socket to end.
        http.close();
        await rooms.closeAll(); // flushes every room, closes sockets with GoingAway so clients reconnect
        await yjs.close();
        http.closeAllConnections();
        await realtime.close();
        await web?.close();
        await cluster?.close();
        await store.close();
        logger.info('server closed', { code: CloseCode.GoingAway });
      })();
      return closing;
    },
  };
}

function logRecovery(logger: Logger, r: RecoveryReport): void {
  const fields = { segments: r.segments, recovered: r.recovered, lost: r.lost, sessions: r.sessions.length, bad: r.bad, quarantined: r.quarantined };
  if (r.bad.length > 0) logger.error(`log recovery: ${r.recovered} updates recovered, ${r.lost} lost; unreadable bytes kept in quarantine`, fields);
  else logger.info(`log recovery: ${r.recovered} updates recovered from ${r.segments} segments`, fields);
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q === -1 ? raw : raw.slice(0, q);
}
