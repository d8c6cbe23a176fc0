import { joinMember } from '../../../lib/members';
import { createSessionBody, JoinBody } from '../../../lib/protocol/http';
import type { RouteModule } from '../api';
import { parseBody, readJson, sendJson } from '../respond';

/** Create, read (edit and view), join. */
export const sessionRoutes: RouteModule = ({ config, sessions, clock, baseUrl, session, withRoom, snapshot }) => [
  {
    method: 'POST',
    pattern: /^\/api\/sessions$/,
    async handler({ req, res }) {
      const body = parseBody(createSessionBody(config.minTurnSeconds), await readJson(req, config.limits.maxBodyBytes));
      const { id, viewToken } = await sessions.create(body);
      const base = baseUrl(req);
      sendJson(res, 201, { id, editUrl: `${base}/s/${id}`, viewUrl: `${base}/v/${viewToken}` });
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/sessions\/([^/]+)$/,
    async handler({ req, res, params }) {
      const { session: s } = await session(params[0], { write: false });
      const base = baseUrl(req);
      sendJson(res, 200, { id: s.id, editUrl: `${base}/s/${s.id}`, viewUrl: `${base}/v/${s.viewToken}`, ...(await withRoom(s.id, snapshot)) });
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
      const member = await withRoom(s.id, (room) => room.transact('join', (doc) => joinMember(doc, body.name, clock.now())));
      sendJson(res, 200, member);
    },
  },
];
