import type { ServerResponse } from 'node:http';
import { decisionsJson, decisionsMarkdown } from '../../../lib/decisionExport';
import { API_AUTHOR, listDecisions } from '../../../lib/decisions';
import { readSessionName } from '../../../lib/doc/schema';
import { DecisionBody } from '../../../lib/protocol/decisions';
import type { SessionRecord } from '../../store/types';
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
export const decisionRoutes: RouteModule = ({ config, clock, rooms, actions }) => {
  async function exportLog(s: SessionRecord, format: string | undefined, res: ServerResponse) {
    const { views, name } = await rooms.with(s.id, (room) => ({ views: listDecisions(room.docs), name: readSessionName(room.docs) }));
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
      need: 'edit',
      async handler({ req, res, cap }) {
        // A script labels itself; it never signs as a member (lib/decisions.ts DecisionAuthor).
        const { memberId: _refused, author, ...input } = parseBody(DecisionBody, await readJson(req, config.limits.maxBodyBytes));
        const result = await actions.logDecision(cap.session.id, input, { kind: 'api', label: author ?? API_AUTHOR });
        if (!result.ok) {
          const field = result.reason === 'unknown-task' ? 'taskId' : 'supersedes';
          throw new HttpError(400, result.error, [{ path: field, message: result.error }]);
        }
        sendJson(res, 201, result.record);
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([^/]+)\/decisions\.(md|json)$/,
      need: 'edit',
      handler: ({ res, params, cap }) => exportLog(cap.session, params[1], res),
    },
    {
      method: 'GET',
      pattern: /^\/api\/view\/([^/]+)\/decisions\.(md|json)$/,
      need: 'view',
      handler: ({ res, params, cap }) => exportLog(cap.session, params[1], res),
    },
  ];
};
