import { TimerCommand } from '../../../lib/protocol/timer';
import type { TimerControl } from '../../timer/scheduler';
import type { RouteModule } from '../api';
import { HttpError, parseBody, readJson, sendJson } from '../respond';

/** POST /api/sessions/<id>/timer {action} -> the snapshot; 409 with the reason when impossible. */
export const timerRoutes =
  (timer: TimerControl): RouteModule =>
  ({ config, snapshot }) => [
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/timer$/,
      need: 'edit',
      async handler({ req, res, cap }) {
        const { action } = parseBody(TimerCommand, await readJson(req, config.limits.maxBodyBytes));
        const outcome = await timer.command(cap.session.id, action);
        if (!outcome.ok) throw new HttpError(409, outcome.reason);
        sendJson(res, 200, await snapshot(cap.session));
      },
    },
  ];
