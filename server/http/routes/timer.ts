import { TimerCommand } from '../../../lib/protocol/timer';
import type { TimerService } from '../../timer/scheduler';
import type { RouteModule } from '../api';
import { HttpError, parseBody, readJson, sendJson } from '../respond';

/** POST /api/sessions/<id>/timer {action} -> the snapshot; 409 with the reason when impossible. */
export const timerRoutes =
  (timer: TimerService): RouteModule =>
  ({ config, session, withRoom, snapshot }) => [
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/timer$/,
      async handler({ req, res, params }) {
        const { session: s } = await session(params[0], { write: true });
        const { action } = parseBody(TimerCommand, await readJson(req, config.limits.maxBodyBytes));
        const outcome = await timer.command(s.id, action);
        if (!outcome.ok) throw new HttpError(409, outcome.reason);
        sendJson(res, 200, await withRoom(s.id, snapshot));
      },
    },
  ];
