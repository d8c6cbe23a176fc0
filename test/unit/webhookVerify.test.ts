import { describe, expect, it } from 'vitest';
import { parseJsonBody } from '../../lib/delivery/body';
import { normalizeCloudEvent } from '../../lib/delivery/cloudevents';
import { DedupeSet } from '../../lib/delivery/dedupe';
import type { HeaderBag } from '../../lib/delivery/clean';
import type { NormalizeResult } from '../../lib/delivery/event';
import { githubDelivery, normalizeGithub } from '../../lib/delivery/github';
import { gitlabDelivery, normalizeGitlab } from '../../lib/delivery/gitlab';
import {
  hashSecret,
  newIntegrationSecret,
  newSigningSecret,
  parseSecretHash,
  safeEqual,
  signingKey,
  type VerifyResult,
  verifyBearer,
  verifyGeneric,
  verifyGithubSignature,
  verifyGitlab,
  verifyStandardWebhook,
} from '../../server/integrations/verify';
import { fixtureBytes, githubSignature, reserialised, standardSignature } from '../helpers/webhooks';

const NOW = Date.UTC(2026, 4, 12, 12, 0, 0);
const NOW_S = NOW / 1000;
const GH_SECRET = 'gh-test-secret-0123456789';
const SIGNING_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const TOKEN = 'gitlab-test-token-abcdefghijklmnop';

const rejected = (r: VerifyResult, reason: string) => expect(r).toMatchObject({ ok: false, reason });

/**
 * What a route does, in the order it must: verify the raw bytes, parse, normalise, skip a
 * delivery already processed, process, and only then remember it.
 */
function receive(verify: VerifyResult, raw: Buffer, normalise: (body: unknown) => NormalizeResult, dedupe: DedupeSet): string {
  if (!verify.ok) return '401';
  const body = parseJsonBody(raw, 'application/json');
  if (!body.ok) return '400';
  const result = normalise(body.value);
  if (result.kind === 'error') return '400';
  if (result.kind === 'ignored') return '202 ignored';
  if (dedupe.seen(result.event.dedupeKey)) return '202 duplicate';
  dedupe.remember(result.event.dedupeKey);
  return `202 ${result.event.status}`;
}

describe('GitHub X-Hub-Signature-256', () => {
  const raw = fixtureBytes('github/workflow_run.completed.failure.json');
  const headers = (sig?: string): HeaderBag => ({
    'x-github-event': 'workflow_run',
    'x-github-delivery': 'd-1',
    'x-github-hook-id': '480001',
    ...(sig === undefined ? {} : { 'x-hub-signature-256': sig }),
  });
  const normalise = (h: HeaderBag) => (body: unknown) => {
    const d = githubDelivery(h, NOW);
    if (!d.ok) return { kind: 'error', error: d.error } as const;
    return normalizeGithub(d.event, body, d.delivery);
  };

  it('accepts a correctly signed delivery once, and detects the redelivery', () => {
    const h = headers(githubSignature(GH_SECRET, raw));
    const dedupe = new DedupeSet({ now: () => NOW });
    expect(verifyGithubSignature(raw, h, GH_SECRET)).toEqual({ ok: true, scheme: 'github-hmac', webhookId: null });
    expect(receive(verifyGithubSignature(raw, h, GH_SECRET), raw, normalise(h), dedupe)).toBe('202 failure');
    expect(receive(verifyGithubSignature(raw, h, GH_SECRET), raw, normalise(h), dedupe)).toBe('202 duplicate');
  });

  it('rejects a wrong, missing or malformed signature', () => {
    rejected(verifyGithubSignature(raw, headers(githubSignature('another-secret', raw)), GH_SECRET), 'bad-signature');
    rejected(verifyGithubSignature(raw, headers(), GH_SECRET), 'missing-header');
    for (const bad of ['sha256=', 'sha256=abc', `sha1=${'a'.repeat(40)}`, `sha256=${'z'.repeat(64)}`, `sha256=${'a'.repeat(66)}`, 'garbage']) {
      rejected(verifyGithubSignature(raw, headers(bad), GH_SECRET), 'malformed-header');
    }
    rejected(verifyGithubSignature(raw, headers(githubSignature(GH_SECRET, raw)), ''), 'not-configured');
  });

  it('rejects a body re-serialised by a proxy', () => {
    const sig = githubSignature(GH_SECRET, raw);
    rejected(verifyGithubSignature(reserialised(raw), headers(sig), GH_SECRET), 'bad-signature');
  });

  it('accepts a signed ping, which is then ignored', () => {
    const ping = fixtureBytes('github/ping.json');
    const h = { ...headers(githubSignature(GH_SECRET, ping)), 'x-github-event': 'ping' };
    expect(receive(verifyGithubSignature(ping, h, GH_SECRET), ping, normalise(h), new DedupeSet({ now: () => NOW }))).toBe('202 ignored');
  });
});

describe('GitLab', () => {
  const raw = fixtureBytes('gitlab/pipeline.failed.json');
  const base = { 'x-gitlab-event': 'Pipeline Hook', 'idempotency-key': 'idem-42' };
  const normalise = (h: HeaderBag) => (body: unknown) => {
    const d = gitlabDelivery(h, NOW);
    return d.ok ? normalizeGitlab(d.event, body, d.delivery) : ({ kind: 'error', error: d.error } as const);
  };

  it('accepts the X-Gitlab-Token against its stored hash, rejects others', () => {
    const stored = { tokenHash: hashSecret(TOKEN) };
    const dedupe = new DedupeSet({ now: () => NOW });
    const h = { ...base, 'x-gitlab-token': TOKEN };
    expect(verifyGitlab(raw, h, stored, NOW)).toEqual({ ok: true, scheme: 'gitlab-token', webhookId: null });
    expect(receive(verifyGitlab(raw, h, stored, NOW), raw, normalise(h), dedupe)).toBe('202 failure');
    expect(receive(verifyGitlab(raw, h, stored, NOW), raw, normalise(h), dedupe)).toBe('202 duplicate');
    rejected(verifyGitlab(raw, { ...base, 'x-gitlab-token': `${TOKEN}x` }, stored, NOW), 'bad-token');
    rejected(verifyGitlab(raw, { ...base, 'x-gitlab-token': 'short' }, stored, NOW), 'bad-token');
    rejected(verifyGitlab(raw, base, stored, NOW), 'missing-header');
    rejected(verifyGitlab(raw, h, {}, NOW), 'not-configured');
  });

  it('requires the Standard Webhooks signature once a signing token is configured', () => {
    const signed = {
      ...base,
      'webhook-id': 'idem-42',
      'webhook-timestamp': String(NOW_S),
      'webhook-signature': standardSignature(SIGNING_SECRET, 'idem-42', NOW_S, raw),
    };
    const stored = { signingSecret: SIGNING_SECRET, tokenHash: hashSecret(TOKEN) };
    expect(verifyGitlab(raw, signed, stored, NOW)).toEqual({ ok: true, scheme: 'standard-webhooks', webhookId: 'idem-42' });
    // A valid token does not stand in for a missing signature (no downgrade).
    const unsigned = { ...base, 'webhook-id': 'idem-42', 'webhook-timestamp': String(NOW_S), 'x-gitlab-token': TOKEN };
    rejected(verifyGitlab(raw, unsigned, stored, NOW), 'missing-header');
    rejected(verifyGitlab(reserialised(raw), signed, stored, NOW), 'bad-signature');
  });
});

describe('Standard Webhooks', () => {
  const raw = fixtureBytes('cloudevents/mobflow.ci.status.structured.json');
  const signed = (over: Record<string, string> = {}, body = raw, ts = NOW_S): HeaderBag => ({
    'content-type': 'application/cloudevents+json',
    'webhook-id': 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
    'webhook-timestamp': String(ts),
    'webhook-signature': standardSignature(SIGNING_SECRET, 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', ts, body),
    ...over,
  });

  it('accepts a signed CloudEvent, then detects the duplicate', () => {
    const h = signed();
    const dedupe = new DedupeSet({ now: () => NOW });
    const normalise = (body: unknown) => normalizeCloudEvent(h, body, NOW);
    expect(verifyStandardWebhook(raw, h, SIGNING_SECRET, NOW)).toMatchObject({ ok: true, webhookId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' });
    expect(receive(verifyGeneric(raw, h, { signingSecret: SIGNING_SECRET }, NOW), raw, normalise, dedupe)).toBe('202 failure');
    expect(receive(verifyGeneric(raw, h, { signingSecret: SIGNING_SECRET }, NOW), raw, normalise, dedupe)).toBe('202 duplicate');
  });

  it('accepts any one of several space-separated signatures (key rotation)', () => {
    const good = standardSignature(SIGNING_SECRET, 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', NOW_S, raw);
    const old = standardSignature(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', NOW_S, raw);
    expect(verifyStandardWebhook(raw, signed({ 'webhook-signature': `${old} v1a,c2lnbmF0dXJl ${good}` }), SIGNING_SECRET, NOW).ok).toBe(true);
    rejected(verifyStandardWebhook(raw, signed({ 'webhook-signature': old }), SIGNING_SECRET, NOW), 'bad-signature');
  });

  it('enforces the ±5 minute window against the injected clock', () => {
    expect(verifyStandardWebhook(raw, signed({}, raw, NOW_S - 299), SIGNING_SECRET, NOW).ok).toBe(true);
    expect(verifyStandardWebhook(raw, signed({}, raw, NOW_S + 299), SIGNING_SECRET, NOW).ok).toBe(true);
    rejected(verifyStandardWebhook(raw, signed({}, raw, NOW_S - 301), SIGNING_SECRET, NOW), 'stale-timestamp');
    rejected(verifyStandardWebhook(raw, signed({}, raw, NOW_S + 301), SIGNING_SECRET, NOW), 'stale-timestamp');
  });

  it('rejects missing, malformed and re-serialised requests without throwing', () => {
    rejected(verifyStandardWebhook(raw, { 'webhook-id': 'x' }, SIGNING_SECRET, NOW), 'missing-header');
    rejected(verifyStandardWebhook(raw, signed({ 'webhook-timestamp': '1.5e9' }), SIGNING_SECRET, NOW), 'malformed-header');
    rejected(verifyStandardWebhook(raw, signed({ 'webhook-id': 'a.b' }), SIGNING_SECRET, NOW), 'malformed-header');
    rejected(verifyStandardWebhook(raw, signed({ 'webhook-signature': 'v1,short' }), SIGNING_SECRET, NOW), 'malformed-header');
    rejected(verifyStandardWebhook(raw, signed({ 'webhook-signature': ' ' }), SIGNING_SECRET, NOW), 'missing-header');
    rejected(verifyStandardWebhook(raw, signed({ 'webhook-signature': Array(11).fill('v1,x').join(' ') }), SIGNING_SECRET, NOW), 'malformed-header');
    rejected(verifyStandardWebhook(reserialised(raw), signed(), SIGNING_SECRET, NOW), 'bad-signature');
    rejected(verifyStandardWebhook(raw, signed(), 'whsec_tooshort', NOW), 'not-configured');
  });
});

describe('bearer tokens and secrets', () => {
  it('checks Authorization: Bearer against the stored hash', () => {
    const stored = hashSecret(TOKEN);
    expect(verifyBearer({ authorization: `Bearer ${TOKEN}` }, stored)).toMatchObject({ ok: true, scheme: 'bearer' });
    expect(verifyBearer({ authorization: `bearer ${TOKEN}` }, stored).ok).toBe(true);
    rejected(verifyBearer({ authorization: 'Bearer nope' }, stored), 'bad-token');
    rejected(verifyBearer({ authorization: `Basic ${TOKEN}` }, stored), 'malformed-header');
    rejected(verifyBearer({}, stored), 'missing-header');
    expect(verifyGeneric(Buffer.from('{}'), { authorization: `Bearer ${TOKEN}` }, { tokenHash: stored }, NOW).ok).toBe(true);
    rejected(verifyGeneric(Buffer.from('{}'), {}, {}, NOW), 'not-configured');
  });

  it('makes high-entropy secrets and storable hashes', () => {
    const a = newIntegrationSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newIntegrationSecret()).not.toBe(a);
    expect(signingKey(newSigningSecret())?.length).toBe(32);
    expect(signingKey(a)?.length).toBe(32);
    const h = hashSecret(a);
    expect(parseSecretHash(h)).toBe(h);
    expect(h).not.toContain(a);
    expect(parseSecretHash('plain')).toBeNull();
  });

  it('compares unequal lengths as unequal instead of throwing', () => {
    expect(safeEqual(Buffer.from('abc'), Buffer.from('abcd'))).toBe(false);
    expect(safeEqual(Buffer.from('abc'), Buffer.from('abc'))).toBe(true);
  });
});
