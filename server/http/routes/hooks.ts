/**
 * `POST /api/hooks/<integrationId>`: CI/CD events in (GitHub, GitLab, CloudEvents). In order:
 *
 * 1. the endpoint must exist (404: a revoked endpoint stays revoked);
 * 2. the body is read as raw bytes up to the cap (413; a declared length past it before reading);
 * 3. the sender is verified over those bytes (401, nothing changes);
 * 4. the payload is normalised: types a session does not show are answered 202 and ignored
 *    (GitLab disables a hook that keeps getting 4xx), unreadable ones 400;
 * 5. the event is appended to the session's server document through Actions, with the task
 *    current at that moment; a delivery already there, or a status its run already has, is not;
 * 6. only then is the delivery id remembered in the store, so a delivery that failed half-way
 *    can be redelivered, and a repeat after a restart is still known.
 *
 * Answers are JSON: `{status: "accepted" | "duplicate" | "unchanged" | "ignored", ...}` or `{error}`.
 */
import { DEDUPE_LIMITS } from '../../../lib/delivery/dedupe';
import type { Actions } from '../../actions';
import { readInbound } from '../../integrations/inbound';
import type { Integrations } from '../../integrations/registry';
import type { Clock } from '../../logger';
import { METRIC, type Metrics } from '../../metrics';
import type { Store } from '../../store/types';
import type { RouteModule } from '../api';
import { HttpError, readRaw, sendJson } from '../respond';

export interface HookDeps {
  integrations: Integrations;
  store: Store;
  actions: Actions;
  clock: Clock;
  metrics: Metrics;
}

type Outcome = 'accepted' | 'duplicate' | 'unchanged' | 'ignored' | 'unauthorized' | 'invalid' | 'unknown' | 'too_large';

export const hookRoutes =
  (deps: HookDeps): RouteModule =>
  ({ config }) => {
    const count = (provider: string, outcome: Outcome) => deps.metrics.inc(METRIC.hookDeliveries, 'CI/CD webhook deliveries, by provider and outcome', { provider, outcome });
    return [
      {
        method: 'POST',
        pattern: /^\/api\/hooks\/([^/]+)$/,
        need: 'none',
        accepts: 'any',
        budget: 'integration',
        async handler({ req, res, params }) {
          const hook = await deps.integrations.hook(params[0] ?? '');
          if (!hook) {
            count('unknown', 'unknown');
            throw new HttpError(404, 'no such webhook endpoint (it may have been revoked)');
          }
          const { record, auth } = hook;
          let raw: Buffer;
          try {
            raw = await readRaw(req, config.limits.maxHookBodyBytes);
          } catch (err) {
            if (err instanceof HttpError && err.status === 413) {
              count(record.provider, 'too_large');
              // The rest of the body is not read: the connection closes after this answer.
              res.setHeader('connection', 'close');
            }
            throw err;
          }
          const now = deps.clock.now();
          const inbound = readInbound(record, auth, raw, req.headers, now);
          switch (inbound.kind) {
            case 'unauthorized':
              count(record.provider, 'unauthorized');
              throw new HttpError(401, `not verified: ${inbound.reason}`);
            case 'invalid':
              count(record.provider, 'invalid');
              throw new HttpError(400, inbound.error);
            case 'ignored':
              count(record.provider, 'ignored');
              return sendJson(res, 202, { status: 'ignored', reason: inbound.reason });
            case 'event':
              break;
          }
          const { event } = inbound;
          const appended = await deps.actions.appendDelivery(record.sessionId, event);
          let outcome: Outcome = appended.kind === 'appended' ? 'accepted' : appended.kind;
          if (appended.kind !== 'duplicate') {
            const first = await deps.store.rememberDelivery(record.id, event.dedupeKey, now, now - DEDUPE_LIMITS.defaultTtlMs);
            if (!first && appended.kind === 'unchanged') outcome = 'duplicate';
          }
          count(record.provider, outcome);
          sendJson(res, outcome === 'accepted' ? 202 : 200, { status: outcome, kind: event.kind, runStatus: event.status });
        },
      },
    ];
  };
