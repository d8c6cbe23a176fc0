import type { ServerResponse } from 'node:http';
import { decisionsJson, decisionsMarkdown } from '../../../lib/decisionExport';
import { listDecisions } from '../../../lib/decisions';
import { readSessionName } from '../../../lib/doc/schema';
import { DecisionBody } from '../../../lib/protocol/decisions';
import { logDecision } from '../../realtime/decisions';
import type { RouteModule } from '../api';
import { HttpError, parseBody, readJson, sendJson, sendText } from '../respond';

/** A filename-safe slug of the session name for downloads. */
const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60) || 'session';

/** The decision log: log (edit links only) and export (edit and view links). */
export const decisionRoutes: RouteModule = ({ config, clock, session, withRoom }) => {
  async function exportLog(raw: string | undefined, format: string | undefined, viewOnly: boolean, res: ServerResponse) {
    const { session: s } = await session(raw, { write: false, viewOnly });
    const { views, name } = await withRoom(s.id, (room) => ({ views: listDecisions(room.doc), name: readSessionName(room.doc) }));
    const meta = { sessionName: name, exportedAt: clock.now() };
    const file = `decisions-${slug(name)}`;
    if (format === 'md') {
      return sendText(res, 200, decisionsMarkdown(views, meta), 'text/markdown; charset=utf-8', {
        'content-disposition': `attachment; filename="${file}.md"`,
        'x-content-type-options': 'nosniff',
      });
    }
    const body = JSON.stringify(decisionsJson(views, meta), null, 2);
    sendText(res, 200, body, 'application/json; charset=utf-8', {
      'content-disposition': `attachment; filename="${file}.json"`,
      'x-content-type-options': 'nosniff',
    });
  }

  return [
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/decisions$/,
      async handler({ req, res, params }) {
        const { session: s } = await session(params[0], { write: true });
        const { memberId, ...input } = parseBody(DecisionBody, await readJson(req, config.limits.maxBodyBytes));
        const result = await withRoom(s.id, (room) => logDecision(room, input, memberId ?? null, clock));
        if (!result.ok) {
          const field = result.reason === 'unknown-author' ? 'memberId' : 'supersedes';
          throw new HttpError(400, result.error, [{ path: field, message: result.error }]);
        }
        sendJson(res, 201, result.record);
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([^/]+)\/decisions\.(md|json)$/,
      handler: ({ res, params }) => exportLog(params[0], params[1], false, res),
    },
    {
      method: 'GET',
      pattern: /^\/api\/view\/([^/]+)\/decisions\.(md|json)$/,
      handler: ({ res, params }) => exportLog(params[0], params[1], true, res),
    },
  ];
};
