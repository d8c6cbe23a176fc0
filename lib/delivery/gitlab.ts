/**
 * GitLab webhooks to DeliveryEvents: Pipeline Hook, Deployment Hook and Push Hook; every other
 * `X-Gitlab-Event` is ignored (answered 2xx: GitLab disables a hook after repeated 4xx).
 *
 * GitLab's status values are not a closed, documented set (gitlab-org/gitlab#351434): known ones
 * are mapped below and anything else is shown as running rather than dropped.
 */
import { z } from 'zod';
import { cleanText, describeIssues, firstLine, type HeaderBag, headerValue, idPart, parseTimestamp } from './clean';
import { buildEvent, DELIVERY_LIMITS, type DeliveryStatus, ignored, invalid, type NormalizeResult } from './event';

export const GITLAB_HEADERS = {
  event: 'x-gitlab-event',
  token: 'x-gitlab-token',
  instance: 'x-gitlab-instance',
  eventUuid: 'x-gitlab-event-uuid',
  idempotencyKey: 'idempotency-key',
  /** Sent on every delivery by recent GitLab (equal to the Idempotency-Key), signed or not. */
  webhookId: 'webhook-id',
} as const;

export interface GitlabDelivery {
  /** The id that stays the same across retries of one event, when GitLab sent one. */
  deliveryKey: string | null;
  receivedAt: number;
}

/** Reads the event name and the best available delivery id from the request headers. */
export function gitlabDelivery(headers: HeaderBag, receivedAt: number): { ok: true; event: string; delivery: GitlabDelivery } | { ok: false; error: string } {
  const event = headerValue(headers, GITLAB_HEADERS.event);
  if (!event) return { ok: false, error: `missing ${GITLAB_HEADERS.event} header` };
  // Idempotency-Key is stable across retries; older GitLab versions only send the event UUID,
  // and the oldest neither (then the normaliser falls back to a key made of the content).
  const raw =
    headerValue(headers, GITLAB_HEADERS.idempotencyKey) ??
    headerValue(headers, GITLAB_HEADERS.webhookId) ??
    headerValue(headers, GITLAB_HEADERS.eventUuid);
  return { ok: true, event, delivery: { deliveryKey: raw && idPart(raw), receivedAt } };
}

const Id = z.union([z.number().int().nonnegative(), z.string().min(1).max(200)], { error: 'expected a numeric or string id' });
const Str = z.string().nullish();
const User = z.object({ name: Str, username: Str }).nullish();
const Project = z.object({ id: Id.nullish(), path_with_namespace: Str, web_url: Str }).nullish();

const PipelinePayload = z.object({
  object_kind: z.literal('pipeline'),
  object_attributes: z.object({
    id: Id,
    iid: z.number().nullish(),
    name: Str,
    ref: Str,
    tag: z.boolean().nullish(),
    sha: Str,
    status: z.string(),
    created_at: Str,
    finished_at: Str,
    url: Str,
  }),
  user: User,
  project: Project,
  commit: z.object({ title: Str, message: Str }).nullish(),
});

const DeploymentPayload = z.object({
  object_kind: z.literal('deployment'),
  status: z.string(),
  status_changed_at: Str,
  deployment_id: Id,
  deployable_url: Str,
  environment: Str,
  environment_external_url: Str,
  short_sha: Str,
  commit_url: Str,
  commit_title: Str,
  ref: Str,
  user: User,
  project: Project,
});

const PushPayload = z.object({
  object_kind: z.literal('push'),
  ref: z.string(),
  after: z.string(),
  checkout_sha: Str,
  user_name: Str,
  user_username: Str,
  project: Project,
  commits: z
    .array(z.object({ id: Str, message: Str, title: Str, url: Str, author: z.object({ name: Str }).nullish() }))
    .nullish(),
});

const PIPELINE_STATUS: Readonly<Record<string, DeliveryStatus>> = {
  created: 'queued',
  waiting_for_resource: 'queued',
  preparing: 'queued',
  pending: 'queued',
  scheduled: 'queued',
  // Blocked on someone pressing "play": waiting, not running.
  manual: 'queued',
  running: 'running',
  success: 'success',
  failed: 'failure',
  canceling: 'cancelled',
  canceled: 'cancelled',
  skipped: 'skipped',
};
const DEPLOYMENT_STATUS: Readonly<Record<string, DeliveryStatus>> = {
  created: 'queued',
  blocked: 'queued',
  running: 'running',
  success: 'success',
  failed: 'failure',
  canceled: 'cancelled',
  skipped: 'skipped',
};
const TERMINAL: ReadonlySet<DeliveryStatus> = new Set(['success', 'failure', 'cancelled', 'skipped']);
const DELETED_SHA = /^0+$/;

/** One GitLab delivery to a timeline event, an ignore, or a readable error. Never throws. */
export function normalizeGitlab(event: string, payload: unknown, delivery: GitlabDelivery): NormalizeResult {
  // Without a delivery id, a key of the content still dedupes: one hook fires per status change.
  const dedupeKey = (natural: string) => `gitlab:${delivery.deliveryKey ?? `content:${natural}`}`;
  switch (event) {
    case 'Pipeline Hook': {
      const p = PipelinePayload.safeParse(payload);
      if (!p.success) return invalid(describeIssues('Pipeline Hook payload', p.error));
      const a = p.data.object_attributes;
      const status = PIPELINE_STATUS[a.status] ?? 'running';
      const head = `${a.name ?? 'Pipeline'} #${a.iid ?? a.id}`;
      const subject = p.data.commit?.title ?? firstLine(p.data.commit?.message, DELIVERY_LIMITS.title);
      const web = p.data.project?.web_url;
      return buildEvent({
        provider: 'gitlab',
        kind: 'pipeline',
        status,
        title: subject ? `${head}: ${subject}` : head,
        fallbackTitle: 'Pipeline',
        ref: a.ref && a.tag ? `refs/tags/${a.ref}` : a.ref,
        sha: a.sha,
        actor: p.data.user?.name ?? p.data.user?.username,
        url: a.url ?? (web ? `${web}/-/pipelines/${a.id}` : null),
        environment: null,
        occurredAt: TERMINAL.has(status) ? parseTimestamp(a.finished_at) : status === 'queued' ? parseTimestamp(a.created_at) : null,
        receivedAt: delivery.receivedAt,
        dedupeKey: dedupeKey(`pipeline:${a.id}:${a.status}`),
        runKey: `gitlab:pipeline:${a.id}`,
      });
    }
    case 'Deployment Hook': {
      const p = DeploymentPayload.safeParse(payload);
      if (!p.success) return invalid(describeIssues('Deployment Hook payload', p.error));
      const d = p.data;
      // The payload carries only a short sha; the full one ends the commit URL.
      const fullSha = d.commit_url?.split('/').pop();
      return buildEvent({
        provider: 'gitlab',
        kind: 'deploy',
        status: DEPLOYMENT_STATUS[d.status] ?? 'running',
        title: d.commit_title ? `Deploy to ${d.environment ?? 'an environment'}: ${d.commit_title}` : `Deploy to ${d.environment ?? 'an environment'}`,
        fallbackTitle: 'Deployment',
        ref: d.ref,
        sha: fullSha && /^[0-9a-f]{40,64}$/i.test(fullSha) ? fullSha : d.short_sha,
        actor: d.user?.name ?? d.user?.username,
        url: d.deployable_url ?? d.environment_external_url,
        environment: d.environment,
        occurredAt: parseTimestamp(d.status_changed_at),
        receivedAt: delivery.receivedAt,
        dedupeKey: dedupeKey(`deployment:${d.deployment_id}:${d.status}`),
        runKey: `gitlab:deployment:${d.deployment_id}`,
      });
    }
    case 'Push Hook': {
      const p = PushPayload.safeParse(payload);
      if (!p.success) return invalid(describeIssues('Push Hook payload', p.error));
      const push = p.data;
      const deleted = DELETED_SHA.test(push.after);
      const commits = push.commits ?? [];
      const head = commits.find((c) => c.id === push.after) ?? commits.at(-1);
      const branch = push.ref.replace(/^refs\/heads\//, '');
      const project = push.project?.path_with_namespace ?? push.project?.id ?? '-';
      return buildEvent({
        provider: 'gitlab',
        kind: 'push',
        status: 'success',
        title: deleted ? `Deleted ${branch}` : (head?.title ?? firstLine(head?.message, DELIVERY_LIMITS.title)),
        fallbackTitle: `Pushed to ${branch}`,
        ref: push.ref,
        sha: deleted ? null : push.after,
        // The commit author is git's user.name (mob.sh's default `user`); see github.ts.
        actor: head?.author?.name ?? push.user_name ?? push.user_username,
        url: head?.url ?? null,
        environment: null,
        occurredAt: null,
        receivedAt: delivery.receivedAt,
        dedupeKey: dedupeKey(`push:${project}:${push.ref}:${push.after}`),
        runKey: `gitlab:push:${project}:${push.ref}:${push.after}`,
      });
    }
    default:
      return ignored(`GitLab event "${cleanText(event, 60) ?? ''}" is not shown in sessions`);
  }
}
