import { TaskBody } from '../../../lib/protocol/http';
import { addTask } from '../../../lib/task';
import type { RouteModule } from '../api';
import { parseBody, readJson, sendJson } from '../respond';

/** Tasks: add to the queue (becomes current when there is none). */
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
];
