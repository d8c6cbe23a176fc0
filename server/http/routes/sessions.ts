import { createSessionBody, JoinBody, RotateLinkBody, type SessionLinks } from '../../../lib/protocol/http';
import type { SessionRecord } from '../../store/types';
import type { RouteModule } from '../api';
import { parseBody, readJson, sendJson } from '../respond';

/** Create, read (edit and view), the links (edit only: read and replace), join by name. */
export const sessionRoutes: RouteModule = ({ config, sessions, actions, baseUrl, snapshot }) => {
  const links = (base: string, s: SessionRecord): SessionLinks => ({ id: s.editToken, editUrl: `${base}/s/${s.editToken}`, viewUrl: `${base}/v/${s.viewToken}` });
  return [
    {
      method: 'POST',
      pattern: /^\/api\/sessions$/,
      need: 'none',
      async handler({ req, res }) {
        const body = parseBody(createSessionBody(config.minTurnSeconds), await readJson(req, config.limits.maxBodyBytes));
        const session = await sessions.create(body);
        sendJson(res, 201, links(baseUrl(req), session));
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([^/]+)$/,
      need: 'edit',
      async handler({ req, res, cap }) {
        sendJson(res, 200, { ...links(baseUrl(req), cap.session), ...(await snapshot(cap.session)) });
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([^/]+)\/links$/,
      need: 'edit',
      async handler({ req, res, cap }) {
        sendJson(res, 200, links(baseUrl(req), cap.session));
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/links$/,
      need: 'edit',
      async handler({ req, res, cap }) {
        const { link } = parseBody(RotateLinkBody, await readJson(req, config.limits.maxBodyBytes));
        const updated = await sessions.replaceLink(cap.session, link);
        sendJson(res, 200, links(baseUrl(req), updated));
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/view\/([^/]+)$/,
      need: 'view',
      async handler({ res, cap }) {
        sendJson(res, 200, await snapshot(cap.session));
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/members$/,
      need: 'edit',
      async handler({ req, res, cap }) {
        const body = parseBody(JoinBody, await readJson(req, config.limits.maxBodyBytes));
        sendJson(res, 200, await actions.joinByName(cap.session.id, body.name));
      },
    },
  ];
};
