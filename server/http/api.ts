/**
 * The JSON API router (DESIGN.md's public surface). Every route states what its first path
 * parameter must grant (lib/capability.ts); the router resolves that token and enforces it before
 * the handler runs, so a route cannot forget: a watch link on an edit route, an edit link on a
 * watch route, an unknown or malformed token all get the same 404. Writes are budgeted per address
 * and must be same-site JSON (security.ts). Feature routes live in ./routes/*.ts.
 *
 * Server-to-server routes (CI webhooks under /api/hooks, mob.sh under /mob) name no session link:
 * they carry their own credential (a signature, a room key), accept the bodies their senders send,
 * and spend a budget of their own ('integration').
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { grants, type LinkKind, type Need } from '../../lib/capability';
import { type SessionSnapshot, sessionSnapshot } from '../../lib/snapshot';
import type { Actions } from '../actions';
import type { Config } from '../config';
import type { Clock } from '../logger';
import type { Rooms } from '../rooms';
import type { Sessions } from '../sessions';
import type { SessionRecord } from '../store/types';
import { RoomUnavailable, SessionFull } from '../yjs/room';
import { PerAddressLimiter } from './rateLimit';
import { HttpError, sendJson } from './respond';
import { type SiteRules, writeRefusal } from './security';

export interface ApiDeps {
  config: Config;
  sessions: Sessions;
  rooms: Rooms;
  actions: Actions;
  clock: Clock;
  site: SiteRules;
}

/** What a route's token resolved to. */
export interface Capability {
  kind: LinkKind;
  session: SessionRecord;
  token: string;
}

export interface RouteArgs {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  /** The resolved token of params[0] (null for routes with need 'none'). */
  cap: Capability;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Route {
  method: Method;
  pattern: RegExp;
  /** What the first path parameter must grant; 'none' when the path names no session. */
  need: Need | 'none';
  /** Body types a write accepts (JSON unless said otherwise; 'any' for senders we do not control). */
  accepts?: readonly string[] | 'any';
  /** Which per-address write budget it spends: the browser/API one, or the integrations' own. */
  budget?: 'api' | 'integration';
  handler(args: RouteArgs): Promise<void>;
}

export interface ApiContext extends ApiDeps {
  /** Base URL for links in responses (PUBLIC_URL, else the request's Host). */
  baseUrl(req: IncomingMessage): string;
  snapshot(session: SessionRecord): Promise<SessionSnapshot>;
}

export type RouteModule = (ctx: ApiContext) => Route[];

const isWrite = (method: string | undefined) => method !== 'GET' && method !== 'HEAD';

/** Paths the router owns: the JSON API, and the timer.mob.sh-compatible routes. */
export const ROUTED_PREFIXES = ['/api/', '/mob/'] as const;

export function apiContext(deps: ApiDeps): ApiContext {
  const { config, rooms, clock } = deps;
  return {
    ...deps,
    baseUrl(req) {
      if (config.publicUrl) return config.publicUrl.replace(/\/+$/, '');
      const host = req.headers.host ?? `localhost:${config.port}`;
      return `http://${/^[A-Za-z0-9.:[\]-]+$/.test(host) ? host : 'localhost'}`;
    },
    // Read, then answered once what it shows is durable (a networked store lands appends a few ms later).
    snapshot: (session) =>
      rooms.with(session.id, async (room) => {
        const snap = sessionSnapshot(room.docs, clock.now(), room.onlineMembers());
        await room.flush();
        return snap;
      }),
  };
}

export function createApi(ctx: ApiContext, routes: readonly Route[]) {
  const { config, sessions, clock, site } = ctx;
  const budgets = {
    api: new PerAddressLimiter(config.limits.httpWriteBurst, config.limits.httpWritesPerSecond, () => clock.now()),
    integration: new PerAddressLimiter(config.limits.integrationWriteBurst, config.limits.integrationWritesPerSecond, () => clock.now()),
  };

  /** Handles /api/* and /mob/* requests; returns false for paths it does not own. */
  return async function handleApi(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    if (!ROUTED_PREFIXES.some((p) => pathname.startsWith(p))) return false;
    try {
      const matches = routes.flatMap((r) => {
        const m = r.pattern.exec(pathname);
        return m ? [{ route: r, params: m.slice(1).map(decodeSegment) }] : [];
      });
      const hit = matches.find((m) => m.route.method === req.method);
      if (!hit) {
        // Any write under a watch link is refused as such, whatever the path.
        if (isWrite(req.method) && pathname.startsWith('/api/view/')) throw new HttpError(403, 'this is a read-only view link');
        if (matches.length === 0) throw new HttpError(404, 'no such endpoint');
        res.setHeader('allow', [...new Set(matches.map((m) => m.route.method))].join(', '));
        throw new HttpError(405, `method ${req.method} not allowed here`);
      }
      if (isWrite(req.method)) {
        if (!budgets[hit.route.budget ?? 'api'].take(req.socket.remoteAddress ?? 'unknown')) {
          res.setHeader('retry-after', '1');
          throw new HttpError(429, 'too many requests: slow down');
        }
        const refusal = writeRefusal(req, site, hit.route.accepts ?? ['application/json']);
        if (refusal) throw new HttpError(refusal.status, refusal.message);
      }
      let cap = null as unknown as Capability;
      if (hit.route.need !== 'none') {
        const token = hit.params[0] ?? '';
        const found = await sessions.resolve(token);
        if (!found || !grants(found.kind, hit.route.need)) throw new HttpError(404, 'no such session');
        cap = { kind: found.kind, session: found.session, token };
      }
      await hit.route.handler({ req, res, params: hit.params, cap });
    } catch (err) {
      const http = toHttpError(err);
      if (!http) throw err;
      if (http.status === 503) res.setHeader('retry-after', '5');
      if (!res.headersSent) sendJson(res, http.status, { error: http.message, ...(http.issues ? { issues: http.issues } : {}) });
    }
    return true;
  };
}

function toHttpError(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  if (err instanceof RoomUnavailable) return new HttpError(503, err.message);
  if (err instanceof SessionFull) return new HttpError(413, err.message);
  return null;
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '';
  }
}
