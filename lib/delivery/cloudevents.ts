/**
 * CloudEvents 1.0 over HTTP to DeliveryEvents, for CI systems other than GitHub and GitLab.
 *
 * Accepted framings: binary mode (`ce-*` headers, the body is `data`), structured mode (the JSON
 * envelope, `Content-Type: application/cloudevents+json`), and a bare CDEvent body
 * (`{context, subject}`, as Harness exports them). Batches are refused: one event per request.
 *
 * Recognised types: CDEvents `dev.cdevents.pipelinerun.{queued,started,finished}.<ver>` and
 * `dev.cdevents.taskrun.*.<ver>` (any version: subjects are read loosely, `url` and its later
 * name `uri` both work), and our own `mobflow.ci.status` for scripts that just curl us.
 */
import { z } from 'zod';
import { cleanText, describeIssues, firstLine, type HeaderBag, headerValue, parseTimestamp } from './clean';
import { buildEvent, DELIVERY_STATUSES, type DeliveryStatus, ignored, invalid, type NormalizeResult } from './event';

export const CLOUDEVENTS_HEADERS = {
  specversion: 'ce-specversion',
  id: 'ce-id',
  source: 'ce-source',
  type: 'ce-type',
  subject: 'ce-subject',
  time: 'ce-time',
} as const;

export const CLOUDEVENTS_CONTENT_TYPE = { structured: 'application/cloudevents+json', batch: 'application/cloudevents-batch+json' } as const;

/** Our minimal event type; `data` is {pipeline, status, ref?, sha?, url?, actor?, environment?, run?}. */
export const MOBFLOW_CI_STATUS_TYPE = 'mobflow.ci.status';

/** The attributes we use, whichever framing carried them. */
export interface CloudEvent {
  id: string;
  source: string;
  type: string;
  subject: string | null;
  time: string | null;
  data: unknown;
}

const Attr = z.string().min(1).max(1024);
const Envelope = z.object({
  specversion: z.literal('1.0', { error: 'specversion must be "1.0"' }),
  id: Attr,
  source: Attr,
  type: Attr,
  subject: Attr.nullish(),
  time: z.string().nullish(),
  datacontenttype: z.string().nullish(),
  data: z.unknown().optional(),
  data_base64: z.string().nullish(),
});
const Str = z.string().nullish();
const Id = z.union([z.string().min(1).max(500), z.number()]);
const BareCdevent = z.object({ context: z.object({ id: Attr, source: Attr, type: Attr.regex(/^dev\.cdevents\./), timestamp: z.union([z.string(), z.number()]).nullish() }) });
const CdeventData = z.object({
  context: z.object({ timestamp: z.union([z.string(), z.number()]).nullish() }).nullish(),
  subject: z.object({
    id: Id,
    source: Str,
    content: z
      .object({ pipelineName: Str, taskName: Str, url: Str, uri: Str, outcome: Str, errors: Str, pipelineRun: z.object({ id: Id.nullish() }).nullish() })
      .nullish(),
  }),
});
const CiStatusData = z.object({
  pipeline: z.string().min(1, 'pipeline must not be empty'),
  status: z.string(),
  ref: Str,
  sha: Str,
  url: Str,
  actor: Str,
  environment: Str,
  run: Id.nullish(),
});

const CDEVENT_TYPE = /^dev\.cdevents\.(pipelinerun|taskrun)\.(queued|started|finished)\.\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const OUTCOME: Readonly<Record<string, DeliveryStatus>> = {
  success: 'success',
  failure: 'failure',
  error: 'failure',
  cancel: 'cancelled',
  canceled: 'cancelled',
  cancelled: 'cancelled',
  aborted: 'cancelled',
  skipped: 'skipped',
};
const STATUS_ALIASES: Readonly<Record<string, DeliveryStatus>> = {
  pending: 'queued',
  started: 'running',
  in_progress: 'running',
  passed: 'success',
  succeeded: 'success',
  failed: 'failure',
  error: 'failure',
  canceled: 'cancelled',
};

/** Finds the event in the request, whatever the framing; a readable error when there is none. */
export function readCloudEvent(headers: HeaderBag, body: unknown): { ok: true; event: CloudEvent } | { ok: false; error: string } {
  const contentType = (headerValue(headers, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (contentType === CLOUDEVENTS_CONTENT_TYPE.batch) return { ok: false, error: 'batched CloudEvents are not supported: send one event per request' };
  const specversion = headerValue(headers, CLOUDEVENTS_HEADERS.specversion);
  if (specversion !== null && contentType !== CLOUDEVENTS_CONTENT_TYPE.structured) {
    if (specversion !== '1.0') return { ok: false, error: `unsupported CloudEvents specversion "${cleanText(specversion, 20)}" (expected 1.0)` };
    const [id, source, type] = [CLOUDEVENTS_HEADERS.id, CLOUDEVENTS_HEADERS.source, CLOUDEVENTS_HEADERS.type].map((h) => ceHeader(headers, h));
    if (!id || !source || !type) return { ok: false, error: 'binary-mode CloudEvent needs ce-id, ce-source and ce-type headers' };
    return { ok: true, event: { id, source, type, subject: ceHeader(headers, CLOUDEVENTS_HEADERS.subject), time: ceHeader(headers, CLOUDEVENTS_HEADERS.time), data: body } };
  }
  if (isObject(body) && 'specversion' in body) {
    const env = Envelope.safeParse(body);
    if (!env.success) return { ok: false, error: describeIssues('structured CloudEvent', env.error) };
    const e = env.data;
    const data = e.data !== undefined ? e.data : e.data_base64 ? decodeBase64Json(e.data_base64) : undefined;
    return { ok: true, event: { id: e.id, source: e.source, type: e.type, subject: e.subject ?? null, time: e.time ?? null, data } };
  }
  const bare = BareCdevent.safeParse(body);
  if (bare.success) {
    const c = bare.data.context;
    return { ok: true, event: { id: c.id, source: c.source, type: c.type, subject: null, time: null, data: body } };
  }
  return { ok: false, error: `not a CloudEvent: send ce-* headers (binary mode) or a ${CLOUDEVENTS_CONTENT_TYPE.structured} envelope` };
}

/** One CloudEvents request to a timeline event, an ignore, or a readable error. Never throws. */
export function normalizeCloudEvent(headers: HeaderBag, body: unknown, receivedAt: number): NormalizeResult {
  const read = readCloudEvent(headers, body);
  if (!read.ok) return invalid(read.error);
  const ce = read.event;
  // The spec makes (source, id) unique: a repeat of both is the same event.
  const base = { provider: 'cloudevents', receivedAt, dedupeKey: `cloudevents:${ce.source}:${ce.id}` } as const;
  if (ce.type === MOBFLOW_CI_STATUS_TYPE) {
    const p = CiStatusData.safeParse(ce.data);
    if (!p.success) return invalid(describeIssues(`${MOBFLOW_CI_STATUS_TYPE} data`, p.error));
    const d = p.data;
    const key = d.status.trim().toLowerCase();
    const status = (DELIVERY_STATUSES as readonly string[]).includes(key) ? (key as DeliveryStatus) : STATUS_ALIASES[key];
    if (!status) return invalid(`${MOBFLOW_CI_STATUS_TYPE} data.status must be one of ${DELIVERY_STATUSES.join(', ')}`);
    const run = d.run ?? ce.subject ?? `${d.pipeline}@${d.sha ?? d.ref ?? '-'}`;
    return buildEvent({
      ...base,
      kind: d.environment ? 'deploy' : 'pipeline',
      status,
      title: d.pipeline,
      fallbackTitle: 'Pipeline',
      ref: d.ref,
      sha: d.sha,
      actor: d.actor,
      url: d.url,
      environment: d.environment,
      occurredAt: parseTimestamp(ce.time),
      runKey: `cloudevents:${ce.source}:${run}`,
    });
  }
  const cd = CDEVENT_TYPE.exec(ce.type);
  if (!cd) return ignored(`CloudEvent type "${cleanText(ce.type, 80) ?? ''}" is not shown in sessions`);
  const subjectType = cd[1] === 'taskrun' ? 'taskrun' : 'pipelinerun';
  const p = CdeventData.safeParse(ce.data);
  if (!p.success) return invalid(describeIssues(`${ce.type} data`, p.error));
  const { subject, context } = p.data;
  const content = subject.content;
  const status = cdeventStatus(cd[2], content?.outcome);
  const name = subjectType === 'pipelinerun' ? content?.pipelineName : content?.taskName;
  const errors = status === 'failure' ? firstLine(content?.errors, 120) : null;
  return buildEvent({
    ...base,
    // A task run is one step of a pipeline: shown like a single check.
    kind: subjectType === 'pipelinerun' ? 'pipeline' : 'check',
    status,
    title: name && errors ? `${name}: ${errors}` : name,
    fallbackTitle: `${subjectType === 'pipelinerun' ? 'Pipeline run' : 'Task run'} ${subject.id}`,
    ref: null,
    sha: null,
    actor: null,
    url: content?.url ?? content?.uri,
    environment: null,
    occurredAt: parseTimestamp(ce.time) ?? parseTimestamp(context?.timestamp),
    runKey: `cloudevents:${subjectType}:${subject.source ?? ce.source}:${subject.id}`,
  });
}

function cdeventStatus(predicate: string | undefined, outcome: string | null | undefined): DeliveryStatus {
  if (predicate === 'queued') return 'queued';
  if (predicate === 'started') return 'running';
  // A finished run that does not say it succeeded needs a look: shown as failed.
  return (outcome && OUTCOME[outcome.toLowerCase()]) || 'failure';
}

/** CloudEvents percent-encodes header values outside printable ASCII. */
function ceHeader(headers: HeaderBag, name: string): string | null {
  const raw = headerValue(headers, name);
  if (raw === null) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function decodeBase64Json(b64: string): unknown {
  try {
    const bin = atob(b64);
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)))) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
