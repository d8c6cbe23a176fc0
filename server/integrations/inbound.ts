/**
 * One inbound CI/CD delivery, from raw bytes to a DeliveryEvent: verified first, over the bytes
 * exactly as they arrived (a parsed and re-serialised body never matches its signature), then
 * parsed and normalised by the provider's reader (lib/delivery/*). No IO: the route does that.
 */
import { parseJsonBody } from '../../lib/delivery/body';
import type { HeaderBag } from '../../lib/delivery/clean';
import { normalizeCloudEvent } from '../../lib/delivery/cloudevents';
import type { DeliveryEvent } from '../../lib/delivery/event';
import { githubDelivery, normalizeGithub } from '../../lib/delivery/github';
import { gitlabDelivery, normalizeGitlab } from '../../lib/delivery/gitlab';
import type { HookAuth } from '../../lib/protocol/integrations';
import { assertNever } from '../../lib/timer';
import type { IntegrationRecord } from '../store/types';
import { type InboundSecrets, parseSecretHash, type VerifyResult, verifyGeneric, verifyGithubSignature, verifyGitlab } from './verify';

export type InboundOutcome =
  | { kind: 'event'; event: DeliveryEvent }
  /** Verified, but nothing a session shows (a ping, an event type we do not read): answered 2xx. */
  | { kind: 'ignored'; reason: string }
  /** Not from the sender we know: 401, and nothing changes. */
  | { kind: 'unauthorized'; reason: string }
  /** Verified, but not a payload we can read: 400. */
  | { kind: 'invalid'; error: string };

function secretsFor(record: IntegrationRecord, auth: HookAuth): InboundSecrets {
  switch (auth) {
    case 'hmac':
      return { githubSecret: record.secret };
    case 'signing':
      return { signingSecret: record.secret };
    case 'token': {
      const tokenHash = parseSecretHash(record.secret);
      return tokenHash ? { tokenHash } : {};
    }
    default:
      return assertNever(auth);
  }
}

function verify(record: IntegrationRecord, auth: HookAuth, raw: Buffer, headers: HeaderBag, now: number): VerifyResult {
  const secrets = secretsFor(record, auth);
  switch (record.provider) {
    case 'github':
      return verifyGithubSignature(raw, headers, secrets.githubSecret ?? '');
    case 'gitlab':
      return verifyGitlab(raw, headers, secrets, now);
    case 'cloudevents':
      return verifyGeneric(raw, headers, secrets, now);
    case 'chat':
      return { ok: false, reason: 'not-configured', detail: 'not a webhook endpoint' };
    default:
      return assertNever(record.provider);
  }
}

/** Verifies, parses and normalises one delivery for the integration `record`. Never throws. */
export function readInbound(record: IntegrationRecord, auth: HookAuth, raw: Buffer, headers: HeaderBag, now: number): InboundOutcome {
  const verified = verify(record, auth, raw, headers, now);
  if (!verified.ok) return { kind: 'unauthorized', reason: verified.detail };
  const contentType = typeof headers['content-type'] === 'string' ? headers['content-type'] : null;
  const body = parseJsonBody(raw, contentType);
  if (!body.ok) return { kind: 'invalid', error: body.error };
  let result: ReturnType<typeof normalizeGithub>;
  switch (record.provider) {
    case 'github': {
      const d = githubDelivery(headers, now);
      if (!d.ok) return { kind: 'invalid', error: d.error };
      result = normalizeGithub(d.event, body.value, d.delivery);
      break;
    }
    case 'gitlab': {
      const d = gitlabDelivery(headers, now);
      if (!d.ok) return { kind: 'invalid', error: d.error };
      result = normalizeGitlab(d.event, body.value, d.delivery);
      break;
    }
    case 'cloudevents':
      result = normalizeCloudEvent(headers, body.value, now);
      break;
    case 'chat':
      return { kind: 'unauthorized', reason: 'not a webhook endpoint' };
    default:
      return assertNever(record.provider);
  }
  switch (result.kind) {
    case 'event':
      return { kind: 'event', event: result.event };
    case 'ignored':
      return { kind: 'ignored', reason: result.reason };
    case 'error':
      return { kind: 'invalid', error: result.error };
    default:
      return assertNever(result);
  }
}
