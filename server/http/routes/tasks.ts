import { CompleteTaskBody, SwitchTaskBody, TaskBody } from '../../../lib/protocol/http';
import { DecisionBody } from '../../../lib/protocol/decisions';
import { addTask, completeTask, listTasks, switchDecision, switchTask } from '../../../lib/task';
import { logDecision } from '../../realtime/decisions';
import type { RouteModule } from '../api';
import { HttpError, parseBody, readJson, sendJson } from '../respond';

/** Tasks: add to the queue (becomes current when there is none), complete the current one, switch. */
export const taskRoutes: RouteModule = ({ config, clock, session, withRoom, snapshot }) => [
  {
    method: 'POST',
    pattern: /^\/api\/sessions\/([^/]+)\/tasks$/,
    async handler({ req, res, params }) {
      const { session: s } = await session(params[0], { write: true });
      const body = parseBody(TaskBody, await readJson(req, config.limits.maxBodyBytes));
      const result = await withRoom(s.id, async (room) => {
        const taskId = await room.transact('task', (doc) => addTask(doc, body, clock.now()));
        return { taskId, ...snapshot(room) };
      });
      sendJson(res, 201, result);
    },
  },
  {
    method: 'POST',
    pattern: /^\/api\/sessions\/([^/]+)\/tasks\/complete$/,
    async handler({ req, res, params }) {
      const { session: s } = await session(params[0], { write: true });
      const body = parseBody(CompleteTaskBody, await readJson(req, config.limits.maxBodyBytes));
      const result = await withRoom(s.id, async (room) => {
        const r = await room.transact('task', (doc) => completeTask(doc, clock.now(), body.taskId));
        // 409: the request was well formed, the board was not in the state it assumed.
        if (!r.ok) throw new HttpError(409, r.error);
        return snapshot(room);
      });
      sendJson(res, 200, result);
    },
  },
  {
    method: 'POST',
    pattern: /^\/api\/sessions\/([^/]+)\/tasks\/switch$/,
    async handler({ req, res, params }) {
      const { session: s } = await session(params[0], { write: true });
      const body = parseBody(SwitchTaskBody, await readJson(req, config.limits.maxBodyBytes));
      const result = await withRoom(s.id, async (room) => {
        const { r, titles } = await room.transact('task', (doc) => {
          const before = listTasks(doc);
          const to = before.queue.find((t) => t.id === body.to);
          return {
            r: switchTask(doc, body.to, body.reason, clock.now()),
            titles: before.current && to ? { from: before.current.title, to: to.title } : null,
          };
        });
        if (!r.ok) throw new HttpError(409, r.error);
        // The reason also becomes a decision (DESIGN: switching is recorded in the log).
        const entry = titles && DecisionBody.safeParse(switchDecision(titles.from, titles.to, body.reason));
        if (entry?.success) await logDecision(room, entry.data, null, clock);
        return snapshot(room);
      });
      sendJson(res, 200, result);
    },
  },
];
