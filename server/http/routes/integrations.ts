/**
 * A session's integrations, edit link only (a watch link gets the 404 every edit route gives it):
 *
 *   GET    /api/sessions/<id>/integrations          -> {integrations: [...]}   (never a secret)
 *   POST   /api/sessions/<id>/integrations          -> 201, with the secret shown this once
 *   DELETE /api/sessions/<id>/integrations/<intId>  -> 204 (404 when not this session's)
 *   GET    /api/sessions/<id>/mob-key               -> the mob.sh room key and the lines to copy
 *   POST   /api/sessions/<id>/mob-key               -> a new key; the old one stops at once
 */
import { CreateIntegrationBody, type IntegrationList } from '../../../lib/protocol/integrations';
import { type Integrations, mobKeyView } from '../../integrations/registry';
import type { RouteModule } from '../api';
import { HttpError, parseBody, readJson, sendJson } from '../respond';

export const integrationRoutes =
  (integrations: Integrations): RouteModule =>
  ({ config, baseUrl }) => [
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([^/]+)\/integrations$/,
      need: 'edit',
      async handler({ req, res, cap }) {
        sendJson(res, 200, { integrations: await integrations.list(cap.session.id, baseUrl(req)) } satisfies IntegrationList);
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/integrations$/,
      need: 'edit',
      async handler({ req, res, cap }) {
        const body = parseBody(CreateIntegrationBody, await readJson(req, config.limits.maxBodyBytes));
        const r = await integrations.create(cap.session.id, body, baseUrl(req));
        if (!r.ok) throw new HttpError(400, r.error, [{ path: body.provider === 'chat' ? 'url' : 'provider', message: r.error }]);
        sendJson(res, 201, r.created);
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/api\/sessions\/([^/]+)\/integrations\/([^/]+)$/,
      need: 'edit',
      // A DELETE has no body to type; a cross-site page cannot send one without a preflight.
      accepts: ['application/json', ''],
      async handler({ res, params, cap }) {
        if (!(await integrations.revoke(cap.session.id, params[1] ?? ''))) throw new HttpError(404, 'no such integration in this session');
        res.writeHead(204, { 'cache-control': 'no-store' });
        res.end();
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([^/]+)\/mob-key$/,
      need: 'edit',
      async handler({ req, res, cap }) {
        sendJson(res, 200, mobKeyView(cap.session.mobKey, baseUrl(req)));
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/mob-key$/,
      need: 'edit',
      accepts: ['application/json', ''],
      async handler({ req, res, cap }) {
        sendJson(res, 200, await integrations.rotateMobKey(cap.session, baseUrl(req)));
      },
    },
  ];
