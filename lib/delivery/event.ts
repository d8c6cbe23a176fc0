/**
 * The delivery timeline's one record. Every CI/CD provider (GitHub, GitLab, CloudEvents/CDEvents)
 * is normalised into a DeliveryEvent, so the session renders one kind of row whatever sent it.
 *
 * Two keys with different jobs:
 * - `dedupeKey` names one *delivery* (a redelivery or retry repeats it): process it at most once.
 * - `runKey` names one *run* (a workflow run, a pipeline, a deployment): the timeline keeps one row
 *   per run and updates its status, since every status change of a run arrives as its own event.
 */
import { z } from 'zod';
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

const capped = (max: number) => z.string().min(1).max(max);
const httpUrl = z
  .string()
  .max(DELIVERY_LIMITS.url)
  .refine((u) => safeUrl(u) === u, 'must be an http(s) URL without credentials');

export const DeliveryEventSchema = z
  .object({
    provider: z.enum(DELIVERY_PROVIDERS),
    kind: z.enum(DELIVERY_KINDS),
    status: z.enum(DELIVERY_STATUSES),
    title: capped(DELIVERY_LIMITS.title),
    ref: capped(DELIVERY_LIMITS.ref).nullable(),
    sha: z.string().regex(/^[0-9a-f]{7,64}$/).nullable(),
    actor: capped(DELIVERY_LIMITS.actor).nullable(),
    url: httpUrl.nullable(),
    /** Deploys only: the target environment as the provider names it ('canary', 'production'). */
    environment: capped(DELIVERY_LIMITS.environment).nullable(),
    /** When the transition happened (ms); the receive time when the payload does not say. */
    occurredAt: z.number().int().nonnegative(),
    dedupeKey: capped(DELIVERY_LIMITS.key),
    runKey: capped(DELIVERY_LIMITS.key),
  })
  .strict();
export type DeliveryEvent = z.infer<typeof DeliveryEventSchema>;

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
  const parsed = DeliveryEventSchema.safeParse(candidate);
  if (!parsed.success) return invalid(`could not build a timeline event: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return { kind: 'event', event: parsed.data };
}
