/**
 * The JSON API (DESIGN.md's public surface). Same rules as the UI: it calls lib/ with a server origin.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SessionId } from '../../lib/ids';
import { joinMember } from '../../lib/members';
import { onlineMemberIds } from '../../lib/presence';
import { CreateSessionBody, JoinBody, TaskBody } from '../../lib/protocol/http';
import { sessionSnapshot } from '../../lib/snapshot';
import { addTask } from '../../lib/task';
import type { Config } from '../config';
import type { Clock } from '../logger';
import type { Rooms } from '../rooms';
import type { Sessions } from '../sessions';
import type { SessionLookup } from '../store/types';
import type { Room } from '../yjs/room';
import { HttpError, parseBody, readJson, sendJson } from './respond';

export interface ApiDeps {
  config: Config;
  sessions: Sessions;
  rooms: Rooms;
  clock: Clock;
}

type Handler = (ctx: { req: IncomingMessage; res: ServerResponse; params: string[] }) => Promise<void>;
interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handler: Handler;
}

export function createApi(deps: ApiDeps) {
  const { config, sessions, rooms, clock } = deps;

  const baseUrl = (req: IncomingMessage) => {
    if (config.publicUrl) return config.publicUrl.replace(/\/+$/, '');
    const host = req.headers.host ?? `localhost:${config.port}`;
    return `http://${/^[A-Za-z0-9.:[\]-]+$/.test(host) ? host : 'localhost'}`;
  };

  /** Finds the session for a URL segment; 404 when unknown, 403 when a view token is used to write. */
  async function session(raw: string | undefined, opts: { write: boolean; viewOnly?: boolean }): Promise<SessionLookup> {
    const found = raw ? await sessions.resolve(raw) : null;
    if (!found) throw new HttpError(404, 'no such session');
    if (opts.viewOnly && !found.readOnly) throw new HttpError(404, 'no such view link');
    if (opts.write && found.readOnly) throw new HttpError(403, 'this is a read-only view link');
    return found;
  }

  const snapshot = (room: Room) => sessionSnapshot(room.doc, clock.now(), onlineMemberIds(room.awareness.getStates()));
  const withRoom = <T>(id: SessionId, fn: (room: Room) => T | Promise<T>) => rooms.with(id, fn);

  const routes: Route[] = [
    {
      method: 'POST',
      pattern: /^\/api\/sessions$/,
      async handler({ req, res }) {
        const body = parseBody(CreateSessionBody, await readJson(req, config.limits.maxBodyBytes));
        const { id, viewToken } = await sessions.create(body);
        const base = baseUrl(req);
        sendJson(res, 201, { id, editUrl: `${base}/s/${id}`, viewUrl: `${base}/v/${viewToken}` });
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([^/]+)$/,
      async handler({ res, params }) {
        const { session: s } = await session(params[0], { write: false });
        sendJson(res, 200, { id: s.id, ...(await withRoom(s.id, snapshot)) });
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/view\/([^/]+)$/,
      async handler({ res, params }) {
        const { session: s } = await session(params[0], { write: false, viewOnly: true });
        sendJson(res, 200, await withRoom(s.id, snapshot));
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/members$/,
      async handler({ req, res, params }) {
        const { session: s } = await session(params[0], { write: true });
        const body = parseBody(JoinBody, await readJson(req, config.limits.maxBodyBytes));
        const member = await withRoom(s.id, async (room) => {
          let joined: ReturnType<typeof joinMember> | undefined;
          await room.transact('join', (doc) => {
            joined = joinMember(doc, body.name, clock.now());
          });
          return joined;
        });
        sendJson(res, 200, member);
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/tasks$/,
      async handler({ req, res, params }) {
        const { session: s } = await session(params[0], { write: true });
        const body = parseBody(TaskBody, await readJson(req, config.limits.maxBodyBytes));
        const result = await withRoom(s.id, async (room) => {
          let taskId = '';
          await room.transact('task', (doc) => {
            taskId = addTask(doc, body, clock.now());
          });
          return { taskId, ...snapshot(room) };
        });
        sendJson(res, 201, result);
      },
    },
  ];

  /** Handles /api/* requests; returns false for paths it does not own. */
  return async function handleApi(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    if (!pathname.startsWith('/api/')) return false;
    try {
      const matches = routes.flatMap((r) => {
        const m = r.pattern.exec(pathname);
        return m ? [{ route: r, params: m.slice(1).map(decodeSegment) }] : [];
      });
      if (matches.length === 0) {
        // Any write under a view token is refused as such, whatever the path.
        if (req.method !== 'GET' && /^\/api\/view\//.test(pathname)) throw new HttpError(403, 'this is a read-only view link');
        throw new HttpError(404, 'no such endpoint');
      }
      const hit = matches.find((m) => m.route.method === req.method);
      if (!hit) {
        if (req.method !== 'GET' && /^\/api\/view\//.test(pathname)) throw new HttpError(403, 'this is a read-only view link');
        res.setHeader('allow', matches.map((m) => m.route.method).join(', '));
        throw new HttpError(405, `method ${req.method} not allowed here`);
      }
      await hit.route.handler({ req, res, params: hit.params });
    } catch (err) {
      if (err instanceof HttpError) {
        if (!res.headersSent) sendJson(res, err.status, { error: err.message, ...(err.issues ? { issues: err.issues } : {}) });
      } else {
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
        throw err;
      }
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
