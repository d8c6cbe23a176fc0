/**
 * The delivery timeline's one record. Every CI/CD provider (GitHub, GitLab, CloudEvents/CDEvents)
 * is normalised into a DeliveryEvent, so the session renders one kind of row whatever sent it.
 *
 * Two keys with different jobs:
 * - `dedupeKey` names one *delivery* (a redelivery or retry repeats it): process it at most once.
 * - `runKey` names one *run* (a workflow run, a pipeline, a deployment): the timeline keeps one row
 *   per run and updates its status, since every status change of a run arrives as its own event.
 */
import { cleanSha, cleanText, safeUrl, shortRef } from './clean';

export const DELIVERY_PROVIDERS = ['github', 'gitlab', 'cloudevents'] as const;
export type DeliveryProvider = (typeof DELIVERY_PROVIDERS)[number];

export const DELIVERY_KINDS = ['pipeline', 'check', 'deploy', 'push'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

export const DELIVERY_STATUSES = ['queued', 'running', 'success', 'failure', 'cancelled', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Length caps (string length, UTF-16 units) of every string a provider can put in the record. */
export const DELIVERY_LIMITS = {
  title: 200,
  ref: 255,
  sha: 64,
  actor: 100,
  url: 2048,
  environment: 100,
  key: 512,
} as const;

/** One normalised CI/CD transition, as stored in the session's delivery log. */
export interface DeliveryEvent {
  provider: DeliveryProvider;
  kind: DeliveryKind;
  status: DeliveryStatus;
  title: string;
  ref: string | null;
  sha: string | null;
  actor: string | null;
  /** An http(s) URL without credentials (what `safeUrl` keeps). */
  url: string | null;
  /** Deploys only: the target environment as the provider names it ('canary', 'production'). */
  environment: string | null;
  /** When the transition happened (ms); the receive time when the payload does not say. */
  occurredAt: number;
  dedupeKey: string;
  runKey: string;
}

const EVENT_KEYS = new Set(['provider', 'kind', 'status', 'title', 'ref', 'sha', 'actor', 'url', 'environment', 'occurredAt', 'dedupeKey', 'runKey']);
const SHA = /^[0-9a-f]{7,64}$/;

const oneOf = <T extends string>(list: readonly T[], v: unknown): v is T => typeof v === 'string' && (list as readonly string[]).includes(v);
const text = (v: unknown, max: number): v is string => typeof v === 'string' && v.length >= 1 && v.length <= max;
const orNull = (v: unknown, ok: (v: unknown) => boolean) => v === null || ok(v);

/**
 * The one check of a DeliveryEvent, used where the server builds one and where every page reads the
 * log back: the exact keys, known enums, capped strings, a safe URL, a whole non-negative time.
 * Hand-written rather than a zod schema because the page runs it too, and zod would be the largest
 * library in the session chunk (~23 KB gz even as zod/mini under Turbopack; issue 30's budget).
 * Returns the event, or the first thing wrong with it. Never throws.
 */
export function checkDeliveryEvent(raw: unknown): { ok: true; event: DeliveryEvent } | { ok: false; error: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, error: 'not an object' };
  const r = raw as Record<string, unknown>;
  const extra = Object.keys(r).find((k) => !EVENT_KEYS.has(k));
  if (extra !== undefined) return { ok: false, error: `unknown field ${extra}` };
  const problems: [boolean, string][] = [
    [oneOf(DELIVERY_PROVIDERS, r.provider), 'provider'],
    [oneOf(DELIVERY_KINDS, r.kind), 'kind'],
    [oneOf(DELIVERY_STATUSES, r.status), 'status'],
    [text(r.title, DELIVERY_LIMITS.title), 'title'],
    [orNull(r.ref, (v) => text(v, DELIVERY_LIMITS.ref)), 'ref'],
    [orNull(r.sha, (v) => typeof v === 'string' && SHA.test(v)), 'sha'],
    [orNull(r.actor, (v) => text(v, DELIVERY_LIMITS.actor)), 'actor'],
    [orNull(r.url, (v) => typeof v === 'string' && v.length <= DELIVERY_LIMITS.url && safeUrl(v) === v), 'url'],
    [orNull(r.environment, (v) => text(v, DELIVERY_LIMITS.environment)), 'environment'],
    [typeof r.occurredAt === 'number' && Number.isSafeInteger(r.occurredAt) && r.occurredAt >= 0, 'occurredAt'],
    [text(r.dedupeKey, DELIVERY_LIMITS.key), 'dedupeKey'],
    [text(r.runKey, DELIVERY_LIMITS.key), 'runKey'],
  ];
  const bad = problems.find(([ok]) => !ok);
  if (bad) return { ok: false, error: `invalid ${bad[1]}` };
  return { ok: true, event: { ...(r as unknown as DeliveryEvent) } };
}

/**
 * What a normaliser makes of one request. The route answers `event` and `ignored` with 2xx (GitLab
 * disables hooks that keep getting 4xx, and "not interested" is not an error), `error` with 400.
 */
export type NormalizeResult = { kind: 'event'; event: DeliveryEvent } | { kind: 'ignored'; reason: string } | { kind: 'error'; error: string };

/** A normaliser's raw picks: strings are cleaned, clipped and validated by `buildEvent`. */
export interface EventDraft {
  provider: DeliveryProvider;
  kind: DeliveryKind;
  status: DeliveryStatus;
  title: unknown;
  /** Used when `title` cleans to nothing (a run with no name). */
  fallbackTitle: string;
  ref: unknown;
  sha: unknown;
  actor: unknown;
  url: unknown;
  environment: unknown;
  occurredAt: number | null;
  receivedAt: number;
  dedupeKey: string;
  runKey: string;
}

export const ignored = (reason: string): NormalizeResult => ({ kind: 'ignored', reason });
export const invalid = (error: string): NormalizeResult => ({ kind: 'error', error });

/** Cleans a draft into a DeliveryEvent; an impossible record comes back as a readable error. */
export function buildEvent(d: EventDraft): NormalizeResult {
  if (d.dedupeKey.length > DELIVERY_LIMITS.key || d.runKey.length > DELIVERY_LIMITS.key) {
    return invalid(`delivery or run id too long (at most ${DELIVERY_LIMITS.key} characters together with the source)`);
  }
  const candidate = {
    provider: d.provider,
    kind: d.kind,
    status: d.status,
    title: cleanText(d.title, DELIVERY_LIMITS.title) ?? cleanText(d.fallbackTitle, DELIVERY_LIMITS.title) ?? d.kind,
    ref: shortRef(d.ref, DELIVERY_LIMITS.ref),
    sha: cleanSha(d.sha),
    actor: cleanText(d.actor, DELIVERY_LIMITS.actor),
    url: safeUrl(d.url),
    environment: cleanText(d.environment, DELIVERY_LIMITS.environment),
    occurredAt: Math.max(0, Math.round(d.occurredAt ?? d.receivedAt)),
    dedupeKey: d.dedupeKey,
    runKey: d.runKey,
  };
  const checked = checkDeliveryEvent(candidate);
  if (!checked.ok) return invalid(`could not build a timeline event: ${checked.error}`);
  return { kind: 'event', event: checked.event };
}
