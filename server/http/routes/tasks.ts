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
        let taskId = '';
        await room.transact('task', (doc) => {
          taskId = addTask(doc, body, clock.now());
        });
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
        let r: ReturnType<typeof completeTask> = { ok: false, error: 'not applied' };
        await room.transact('task', (doc) => {
          r = completeTask(doc, clock.now(), body.taskId);
        });
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
        let r: ReturnType<typeof switchTask> = { ok: false, error: 'not applied' };
        // A holder object: TypeScript does not see assignments made inside the callback.
        const seen: { titles?: { from: string; to: string } } = {};
        await room.transact('task', (doc) => {
          const before = listTasks(doc);
          const to = before.queue.find((t) => t.id === body.to);
          r = switchTask(doc, body.to, body.reason, clock.now());
          if (before.current && to) seen.titles = { from: before.current.title, to: to.title };
        });
        if (!r.ok) throw new HttpError(409, r.error);
        // The reason also becomes a decision (DESIGN: switching is recorded in the log).
        const entry = seen.titles && DecisionBody.safeParse(switchDecision(seen.titles.from, seen.titles.to, body.reason));
        if (entry?.success) await logDecision(room, entry.data, null, clock);
        return snapshot(room);
      });
      sendJson(res, 200, result);
    },
  },
];
