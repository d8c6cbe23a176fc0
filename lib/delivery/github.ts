/**
 * GitHub webhooks to DeliveryEvents: `workflow_run`, `check_suite`, `deployment_status` and `push`
 * (`ping` and everything else are ignored). Pure: the route verifies `X-Hub-Signature-256` over the
 * raw body first, then passes the event name, the parsed JSON and the delivery ids here.
 *
 * Payload schemas are deliberately loose (unknown fields pass, most fields are optional): GitHub
 * adds fields often, and a missing display field must not cost us the event. Only the ids we key
 * on are required.
 */
import { z } from 'zod';
import { cleanText, describeIssues, firstLine, type HeaderBag, headerValue, idPart, parseTimestamp } from './clean';
import { buildEvent, DELIVERY_LIMITS, type DeliveryStatus, ignored, invalid, type NormalizeResult } from './event';

/** The ids GitHub puts in the headers of every delivery. */
export interface GithubDelivery {
  /** `X-GitHub-Delivery`: one GUID per event; a redelivery reuses it. */
  deliveryId: string;
  /** `X-GitHub-Hook-ID`: two hooks may see the same GUID, so the dedupe key includes it. */
  hookId: string | null;
  /** Server clock when the request arrived (ms): the event time when the payload has none. */
  receivedAt: number;
}

export const GITHUB_HEADERS = {
  event: 'x-github-event',
  delivery: 'x-github-delivery',
  hookId: 'x-github-hook-id',
  signature: 'x-hub-signature-256',
} as const;

/** Reads the event name and delivery ids from the request headers. */
export function githubDelivery(headers: HeaderBag, receivedAt: number): { ok: true; event: string; delivery: GithubDelivery } | { ok: false; error: string } {
  const event = headerValue(headers, GITHUB_HEADERS.event);
  const deliveryId = headerValue(headers, GITHUB_HEADERS.delivery);
  if (!event) return { ok: false, error: `missing ${GITHUB_HEADERS.event} header` };
  if (!deliveryId || idPart(deliveryId) === null) return { ok: false, error: `missing or malformed ${GITHUB_HEADERS.delivery} header` };
  const hookId = headerValue(headers, GITHUB_HEADERS.hookId);
  return { ok: true, event, delivery: { deliveryId, hookId: hookId && idPart(hookId), receivedAt } };
}

const Id = z.union([z.number().int().nonnegative(), z.string().min(1).max(200)], { error: 'expected a numeric or string id' });
const Str = z.string().nullish();
const Login = z.object({ login: Str }).nullish();
const Repo = z.object({ full_name: Str, html_url: Str, pushed_at: z.union([z.number(), z.string()]).nullish() }).nullish();

const WorkflowRunPayload = z.object({
  action: z.string(),
  workflow_run: z.object({
    id: Id,
    name: Str,
    display_title: Str,
    run_number: z.number().nullish(),
    head_branch: Str,
    head_sha: Str,
    status: Str,
    conclusion: Str,
    html_url: Str,
    updated_at: Str,
    actor: Login,
    triggering_actor: Login,
  }),
});

const CheckSuitePayload = z.object({
  action: z.string(),
  check_suite: z.object({
    id: Id,
    head_branch: Str,
    head_sha: Str,
    status: Str,
    conclusion: Str,
    updated_at: Str,
    app: z.object({ name: Str }).nullish(),
  }),
  repository: Repo,
  sender: Login,
});

const DeploymentStatusPayload = z.object({
  deployment_status: z.object({
    state: z.string(),
    environment: Str,
    environment_url: Str,
    target_url: Str,
    log_url: Str,
    description: Str,
    updated_at: Str,
    creator: Login,
  }),
  deployment: z.object({ id: Id, ref: Str, sha: Str, environment: Str, creator: Login }),
});

const PushPayload = z.object({
  ref: z.string(),
  after: z.string(),
  deleted: z.boolean().nullish(),
  compare: Str,
  pusher: z.object({ name: Str }).nullish(),
  head_commit: z
    .object({ id: Str, message: Str, timestamp: Str, url: Str, author: z.object({ name: Str }).nullish() })
    .nullish(),
  repository: Repo,
});

/** Run status (`status`, then `conclusion` once completed) to ours. */
const RUN_STATUS: Readonly<Record<string, DeliveryStatus>> = {
  requested: 'queued',
  queued: 'queued',
  pending: 'queued',
  waiting: 'queued',
  in_progress: 'running',
};
const CONCLUSION: Readonly<Record<string, DeliveryStatus>> = {
  success: 'success',
  failure: 'failure',
  timed_out: 'failure',
  startup_failure: 'failure',
  action_required: 'failure',
  cancelled: 'cancelled',
  stale: 'cancelled',
  skipped: 'skipped',
  neutral: 'skipped',
};
const DEPLOYMENT_STATE: Readonly<Record<string, DeliveryStatus>> = {
  pending: 'queued',
  queued: 'queued',
  waiting: 'queued',
  in_progress: 'running',
  success: 'success',
  failure: 'failure',
  error: 'failure',
};

/**
 * Completed runs take their conclusion (a completed run with an unknown or missing conclusion is
 * shown as failed: it needs a look); anything else not completed is still running.
 */
function runStatus(status: string | null | undefined, conclusion: string | null | undefined): DeliveryStatus {
  if (status === 'completed') return (conclusion && CONCLUSION[conclusion]) || 'failure';
  return (status && RUN_STATUS[status]) || 'running';
}

const withSubject = (head: string, subject: string | null | undefined) => (subject ? `${head}: ${subject}` : head);

/** One GitHub delivery to a timeline event, an ignore, or a readable error. Never throws. */
export function normalizeGithub(event: string, payload: unknown, delivery: GithubDelivery): NormalizeResult {
  const dedupeKey = `github:${delivery.hookId ?? '-'}:${delivery.deliveryId}`;
  const base = { provider: 'github', receivedAt: delivery.receivedAt, dedupeKey } as const;
  switch (event) {
    case 'ping':
      return ignored('ping: the hook is set up');
    case 'workflow_run': {
      const p = WorkflowRunPayload.safeParse(payload);
      if (!p.success) return invalid(describeIssues('workflow_run payload', p.error));
      const r = p.data.workflow_run;
      const name = r.name ?? 'Workflow';
      return buildEvent({
        ...base,
        kind: 'pipeline',
        status: runStatus(r.status, r.conclusion),
        title: withSubject(r.run_number != null ? `${name} #${r.run_number}` : name, r.display_title),
        fallbackTitle: 'Workflow run',
        ref: r.head_branch,
        sha: r.head_sha,
        actor: r.triggering_actor?.login ?? r.actor?.login,
        url: r.html_url,
        environment: null,
        occurredAt: parseTimestamp(r.updated_at),
        runKey: `github:workflow_run:${r.id}`,
      });
    }
    case 'check_suite': {
      const p = CheckSuitePayload.safeParse(payload);
      if (!p.success) return invalid(describeIssues('check_suite payload', p.error));
      const s = p.data.check_suite;
      const repoUrl = p.data.repository?.html_url;
      return buildEvent({
        ...base,
        kind: 'check',
        status: runStatus(s.status, s.conclusion),
        title: `${s.app?.name ?? 'Checks'} checks`,
        fallbackTitle: 'Check suite',
        ref: s.head_branch,
        sha: s.head_sha,
        actor: p.data.sender?.login,
        // The payload's `url` is an API URL; people want the commit's checks page.
        url: repoUrl && s.head_sha ? `${repoUrl}/commit/${s.head_sha}/checks` : null,
        environment: null,
        occurredAt: parseTimestamp(s.updated_at),
        runKey: `github:check_suite:${s.id}`,
      });
    }
    case 'deployment_status': {
      const p = DeploymentStatusPayload.safeParse(payload);
      if (!p.success) return invalid(describeIssues('deployment_status payload', p.error));
      const { deployment_status: s, deployment: d } = p.data;
      // GitHub marks an older deployment `inactive` when a newer one to the same environment
      // succeeds: bookkeeping, not news, and "cancelled" would be misleading.
      if (s.state === 'inactive') return ignored('deployment_status inactive: superseded by a newer deployment');
      const environment = s.environment ?? d.environment;
      return buildEvent({
        ...base,
        kind: 'deploy',
        // Unknown future states are shown as running rather than dropped.
        status: DEPLOYMENT_STATE[s.state] ?? 'running',
        title: withSubject(`Deploy to ${environment ?? 'an environment'}`, s.description),
        fallbackTitle: 'Deployment',
        ref: d.ref,
        sha: d.sha,
        actor: d.creator?.login ?? s.creator?.login,
        url: s.log_url ?? s.target_url ?? s.environment_url,
        environment,
        occurredAt: parseTimestamp(s.updated_at),
        runKey: `github:deployment:${d.id}`,
      });
    }
    case 'push': {
      const p = PushPayload.safeParse(payload);
      if (!p.success) return invalid(describeIssues('push payload', p.error));
      const push = p.data;
      const head = push.head_commit;
      const branch = push.ref.replace(/^refs\/heads\//, '');
      return buildEvent({
        ...base,
        kind: 'push',
        // A push has no run to wait for: it happened.
        status: 'success',
        title: push.deleted ? `Deleted ${branch}` : firstLine(head?.message, DELIVERY_LIMITS.title),
        fallbackTitle: `Pushed to ${branch}`,
        ref: push.ref,
        sha: push.deleted ? null : push.after,
        // The commit author's name is git's user.name, which is also mob.sh's default `user`, so
        // it matches the roster; the pusher is a GitHub login.
        actor: head?.author?.name ?? push.pusher?.name,
        url: head?.url ?? push.compare,
        environment: null,
        occurredAt: parseTimestamp(push.repository?.pushed_at) ?? parseTimestamp(head?.timestamp),
        runKey: `github:push:${push.repository?.full_name ?? '-'}:${push.ref}:${push.after}`,
      });
    }
    default:
      return ignored(`GitHub event "${cleanText(event, 60) ?? ''}" is not shown in sessions`);
  }
}
