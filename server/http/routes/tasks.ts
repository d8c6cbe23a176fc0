import { CompleteTaskBody, ReopenTaskBody, SwitchTaskBody, TaskBody } from '../../../lib/protocol/http';
import type { RouteModule } from '../api';
import { HttpError, parseBody, readJson, sendJson } from '../respond';

/** Tasks: add to the queue (becomes current when there is none), complete the current one, switch, reopen. */
export const taskRoutes: RouteModule = ({ config, actions, snapshot }) => [
  {
    method: 'POST',
    pattern: /^\/api\/sessions\/([^/]+)\/tasks$/,
    need: 'edit',
    async handler({ req, res, cap }) {
      const body = parseBody(TaskBody, await readJson(req, config.limits.maxBodyBytes));
      const taskId = await actions.addTask(cap.session.id, body);
      sendJson(res, 201, { taskId, ...(await snapshot(cap.session)) });
    },
  },
  {
    method: 'POST',
    pattern: /^\/api\/sessions\/([^/]+)\/tasks\/complete$/,
    need: 'edit',
    async handler({ req, res, cap }) {
      const body = parseBody(CompleteTaskBody, await readJson(req, config.limits.maxBodyBytes));
      const r = await actions.completeTask(cap.session.id, body.taskId);
      // 409: the request was well formed, the board was not in the state it assumed.
      if (!r.ok) throw new HttpError(409, r.error);
      sendJson(res, 200, await snapshot(cap.session));
    },
  },
  {
    method: 'POST',
    pattern: /^\/api\/sessions\/([^/]+)\/tasks\/switch$/,
    need: 'edit',
    async handler({ req, res, cap }) {
      const body = parseBody(SwitchTaskBody, await readJson(req, config.limits.maxBodyBytes));
      const r = await actions.switchTask(cap.session.id, body, { kind: 'api', label: 'API client' });
      if (!r.ok) throw new HttpError(409, r.error);
      sendJson(res, 200, await snapshot(cap.session));
    },
  },
  {
    method: 'POST',
    pattern: /^\/api\/sessions\/([^/]+)\/tasks\/reopen$/,
    need: 'edit',
    async handler({ req, res, cap }) {
      const body = parseBody(ReopenTaskBody, await readJson(req, config.limits.maxBodyBytes));
      const r = await actions.reopenTask(cap.session.id, body.taskId, body.current);
      if (!r.ok) throw new HttpError(409, r.error);
      sendJson(res, 200, await snapshot(cap.session));
    },
  },
];
