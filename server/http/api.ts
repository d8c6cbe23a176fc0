/**
 * The JSON API router (DESIGN.md's public surface). Feature routes live in ./routes/*.ts, each a
 * function of the shared ApiContext; they call lib/ with a server origin, like the UI does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SessionId } from '../../lib/ids';
import { onlineMemberIds } from '../../lib/presence';
import { type SessionSnapshot, sessionSnapshot } from '../../lib/snapshot';
import type { Config } from '../config';
import type { Clock } from '../logger';
import type { Rooms } from '../rooms';
import type { Sessions } from '../sessions';
import type { SessionLookup } from '../store/types';
import type { Room } from '../yjs/room';
import { PerAddressLimiter } from './rateLimit';
import { HttpError, sendJson } from './respond';

export interface ApiDeps {
  config: Config;
  sessions: Sessions;
  rooms: Rooms;
  clock: Clock;
}

export interface RouteArgs {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
}

export interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handler(args: RouteArgs): Promise<void>;
}

export interface ApiContext extends ApiDeps {
  /** Base URL for links in responses (PUBLIC_URL, else the request's Host). */
  baseUrl(req: IncomingMessage): string;
  /** Finds the session for a URL segment: 404 when unknown, 403 when a view token is used to write. */
  session(raw: string | undefined, opts: { write: boolean; viewOnly?: boolean }): Promise<SessionLookup>;
  /** Runs fn with the session's room loaded (kept loaded until fn settles). */
  withRoom<T>(id: SessionId, fn: (room: Room) => T | Promise<T>): Promise<T>;
  snapshot(room: Room): SessionSnapshot;
}

export type RouteModule = (ctx: ApiContext) => Route[];

const isViewPath = (pathname: string) => /^\/api\/view\//.test(pathname);

export function createApi(deps: ApiDeps, modules: RouteModule[]) {
  const { config, sessions, rooms, clock } = deps;
  const ctx: ApiContext = {
    ...deps,
    baseUrl(req) {
      if (config.publicUrl) return config.publicUrl.replace(/\/+$/, '');
      const host = req.headers.host ?? `localhost:${config.port}`;
      return `http://${/^[A-Za-z0-9.:[\]-]+$/.test(host) ? host : 'localhost'}`;
    },
    async session(raw, opts) {
      const found = raw ? await sessions.resolve(raw) : null;
      if (!found) throw new HttpError(404, 'no such session');
      if (opts.viewOnly && !found.readOnly) throw new HttpError(404, 'no such view link');
      if (opts.write && found.readOnly) throw new HttpError(403, 'this is a read-only view link');
      return found;
    },
    withRoom: (id, fn) => rooms.with(id, fn),
    snapshot: (room) => sessionSnapshot(room.doc, clock.now(), onlineMemberIds(room.awareness.getStates())),
  };
  const routes = modules.flatMap((m) => m(ctx));
  const writes = new PerAddressLimiter(config.limits.httpWriteBurst, config.limits.httpWritesPerSecond, () => clock.now());

  /** Handles /api/* requests; returns false for paths it does not own. */
  return async function handleApi(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    if (!pathname.startsWith('/api/')) return false;
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD' && !writes.take(req.socket.remoteAddress ?? 'unknown')) {
        res.setHeader('retry-after', '1');
        throw new HttpError(429, 'too many requests: slow down');
      }
      const matches = routes.flatMap((r) => {
        const m = r.pattern.exec(pathname);
        return m ? [{ route: r, params: m.slice(1).map(decodeSegment) }] : [];
      });
      const hit = matches.find((m) => m.route.method === req.method);
      if (!hit) {
        // Any write under a view token is refused as such, whatever the path.
        if (req.method !== 'GET' && isViewPath(pathname)) throw new HttpError(403, 'this is a read-only view link');
        if (matches.length === 0) throw new HttpError(404, 'no such endpoint');
        res.setHeader('allow', matches.map((m) => m.route.method).join(', '));
        throw new HttpError(405, `method ${req.method} not allowed here`);
      }
      await hit.route.handler({ req, res, params: hit.params });
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      if (!res.headersSent) sendJson(res, err.status, { error: err.message, ...(err.issues ? { issues: err.issues } : {}) });
    }
    return true;
  };
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '';
  }
}
