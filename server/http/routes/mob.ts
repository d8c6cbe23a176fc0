/**
 * The timer.mob.sh routes mob.sh calls (lib/mobsh.ts), so a team sets `MOB_TIMER_URL` to
 * `<server>/mob/` and `MOB_TIMER_ROOM` to the session's room key:
 *
 *   PUT    /mob/<room>        {"timer": N, "user"} | {"breaktimer": N, "user"}  -> 202, one line
 *   GET    /mob/<room>/goal                                                   -> 200 {"goal"} | 204
 *   PUT    /mob/<room>/goal   {"goal", "user"}                                -> 202, one line
 *   DELETE /mob/<room>/goal   {"user"} (a body on DELETE; none is fine)       -> 202, one line
 *   GET    /mob/<room>                                                        -> 303 to the watch page
 *
 * The room key is the credential (mob.sh sends no other): it drives the timer and the goal, and
 * nothing else. mob.sh prints every URL it calls, so the key is seen by the whole mob and on
 * screen shares: `mob timer open` therefore lands on the watch link, never the edit link. No write
 * ever answers a redirect (Go's client turns a redirected PUT into a GET that looks like success),
 * and a well-formed request is never answered >= 300 (mob.sh exits 1 after its git work is done).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseJsonBody } from '../../../lib/delivery/body';
import { MOBSH_REPLY, type MobReply, mobReplyText, parseGoalDelete, parseGoalPut, parseRoomKey, parseTimerPut } from '../../../lib/mobsh';
import { readGoal } from '../../../lib/goal';
import { readSessionName } from '../../../lib/doc/schema';
import type { Actions } from '../../actions';
import { METRIC, type Metrics } from '../../metrics';
import type { Rooms } from '../../rooms';
import type { SessionRecord, Store } from '../../store/types';
import type { TimerControl } from '../../timer/scheduler';
import type { RouteModule } from '../api';
import { HttpError, readRaw, sendJson, sendText } from '../respond';

export interface MobDeps {
  store: Store;
  rooms: Rooms;
  actions: Actions;
  timer: TimerControl;
  metrics: Metrics;
}

const reply = (res: ServerResponse, r: MobReply) => sendText(res, MOBSH_REPLY.status, `${mobReplyText(r)}\n`, MOBSH_REPLY.contentType);

export const mobRoutes =
  (deps: MobDeps): RouteModule =>
  ({ config }) => {
    const count = (action: string, outcome: string) => deps.metrics.inc(METRIC.mobshRequests, 'mob.sh requests, by action and outcome', { action, outcome });

    /** The session the room key reaches; 404 for a malformed or unknown key (the same answer). */
    async function sessionOf(raw: string | undefined, action: string): Promise<SessionRecord> {
      const room = parseRoomKey(raw);
      const session = room ? await deps.store.findSessionByMobKey(room) : null;
      if (!session) {
        count(action, 'unknown_room');
        throw new HttpError(404, 'no Mobflow session has this room: check MOB_TIMER_ROOM (a member may have rotated the key)');
      }
      return session;
    }

    /** The JSON body mob.sh sends, whatever Content-Type came with it (curl's default is a form type). */
    async function body(req: IncomingMessage): Promise<unknown> {
      const parsed = parseJsonBody(await readRaw(req, config.limits.maxBodyBytes), null);
      if (!parsed.ok) throw new HttpError(400, parsed.error);
      return parsed.value;
    }

    const sessionName = (s: SessionRecord) => deps.rooms.with(s.id, (room) => readSessionName(room.docs));

    return [
      {
        method: 'PUT',
        pattern: /^\/mob\/([^/]+)$/,
        need: 'none',
        accepts: 'any',
        budget: 'integration',
        async handler({ req, res, params }) {
          const session = await sessionOf(params[0], 'timer');
          const put = parseTimerPut(await body(req));
          if (!put.ok) throw new HttpError(400, put.error);
          const r = await deps.timer.mobTimer(session.id, put.value);
          count(put.value.kind === 'none' ? 'none' : put.value.kind, r.ok ? 'ok' : 'refused');
          if (!r.ok) return sendText(res, MOBSH_REPLY.status, `Mobflow: ${r.reason}\n`, MOBSH_REPLY.contentType);
          switch (r.kind) {
            case 'turn':
              return reply(res, { kind: 'turn', session: r.session, driver: r.driver, next: r.next, minutes: r.minutes });
            case 'break':
              return reply(res, { kind: 'break', session: r.session, minutes: r.minutes });
            case 'none':
              return reply(res, { kind: 'none', session: r.session });
          }
        },
      },
      {
        method: 'GET',
        pattern: /^\/mob\/([^/]+)\/?$/,
        need: 'none',
        async handler({ res, params }) {
          const session = await sessionOf(params[0], 'open');
          count('open', 'ok');
          // The watch link: the room key is on every screen that runs mob.sh, the edit link is not.
          res.writeHead(303, { location: `/v/${session.viewToken}`, 'cache-control': 'no-store', 'content-length': 0 });
          res.end();
        },
      },
      {
        method: 'GET',
        pattern: /^\/mob\/([^/]+)\/goal$/,
        need: 'none',
        async handler({ res, params }) {
          const session = await sessionOf(params[0], 'goal-get');
          const goal = await deps.rooms.with(session.id, (room) => readGoal(room.docs));
          count('goal-get', goal ? 'ok' : 'empty');
          if (!goal) {
            res.writeHead(204, { 'cache-control': 'no-store' });
            return void res.end();
          }
          sendJson(res, 200, { goal });
        },
      },
      {
        method: 'PUT',
        pattern: /^\/mob\/([^/]+)\/goal$/,
        need: 'none',
        accepts: 'any',
        budget: 'integration',
        async handler({ req, res, params }) {
          const session = await sessionOf(params[0], 'goal-set');
          const goal = parseGoalPut(await body(req));
          if (!goal.ok) throw new HttpError(400, goal.error);
          if (goal.value.kind === 'clear') {
            await deps.actions.clearGoal(session.id);
            count('goal-set', 'cleared');
            return reply(res, { kind: 'goal-cleared', session: await sessionName(session) });
          }
          const set = await deps.actions.setGoal(session.id, { goal: goal.value.goal, user: goal.value.user });
          count('goal-set', set.kind);
          reply(res, { kind: 'goal-set', session: await sessionName(session), goal: set.title });
        },
      },
      {
        method: 'DELETE',
        pattern: /^\/mob\/([^/]+)\/goal$/,
        need: 'none',
        accepts: 'any',
        budget: 'integration',
        async handler({ req, res, params }) {
          const session = await sessionOf(params[0], 'goal-delete');
          const del = parseGoalDelete(await body(req));
          if (!del.ok) throw new HttpError(400, del.error);
          const r = await deps.actions.clearGoal(session.id);
          count('goal-delete', r.kind);
          reply(res, { kind: 'goal-cleared', session: await sessionName(session) });
        },
      },
    ];
  };
