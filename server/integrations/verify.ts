/**
 * Authenticity checks for incoming CI/CD webhooks, over the RAW body bytes as received (verify
 * before any JSON parsing; a re-serialised body never matches its signature).
 *
 * What must be stored, and how:
 * - GitHub `X-Hub-Signature-256` and Standard Webhooks (`webhook-signature`, GitLab signing
 *   tokens) are HMACs: verifying them needs the secret itself, so it is stored in clear (encrypt
 *   it at rest if the store allows) and shown to the user once.
 * - GitLab `X-Gitlab-Token` and `Authorization: Bearer` send the secret itself: store only
 *   `hashSecret(secret)` and compare hashes.
 *
 * Every failure is a value with a reason (the route answers 401), never an exception: a malformed
 * header must not become a 500, and timingSafeEqual is only ever called on equal lengths.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type HeaderBag, headerValue } from '../../lib/delivery/clean';

export const VERIFY_HEADERS = {
  githubSignature: 'x-hub-signature-256',
  gitlabToken: 'x-gitlab-token',
  authorization: 'authorization',
  webhookId: 'webhook-id',
  webhookTimestamp: 'webhook-timestamp',
  webhookSignature: 'webhook-signature',
} as const;

export const VERIFY_LIMITS = {
  /** Standard Webhooks' recommended tolerance between the sender's timestamp and our clock. */
  timestampToleranceMs: 5 * 60 * 1000,
  /** Random bytes in a new integration secret (256 bits). */
  secretBytes: 32,
  /** The Standard Webhooks spec asks for signing keys of 24 to 64 bytes. */
  minSigningKeyBytes: 24,
  maxSigningKeyBytes: 64,
  /** More signatures than this in one header is abuse, not key rotation. */
  maxSignatures: 10,
} as const;

export const VERIFY_FAILURES = ['not-configured', 'missing-header', 'malformed-header', 'bad-signature', 'bad-token', 'stale-timestamp'] as const;
export type VerifyFailure = (typeof VERIFY_FAILURES)[number];
export type VerifyScheme = 'github-hmac' | 'gitlab-token' | 'standard-webhooks' | 'bearer';

export type VerifyResult =
  /** `webhookId` is the Standard Webhooks `webhook-id` when that scheme was used: dedupe on it. */
  | { ok: true; scheme: VerifyScheme; webhookId: string | null }
  | { ok: false; reason: VerifyFailure; detail: string };

declare const brand: unique symbol;
/** What is stored instead of a plaintext token: `sha256:` + base64url of SHA-256(secret). */
export type SecretHash = string & { readonly [brand]: 'SecretHash' };

const HASH_PREFIX = 'sha256:';
const HASH_RE = /^sha256:[A-Za-z0-9_-]{43}$/;
const STANDARD_WEBHOOKS_SECRET_PREFIX = 'whsec_';

const fail = (reason: VerifyFailure, detail: string): VerifyResult => ({ ok: false, reason, detail });

/** A new integration secret: 32 random bytes, base64url (43 characters). Show it once. */
export function newIntegrationSecret(): string {
  return randomBytes(VERIFY_LIMITS.secretBytes).toString('base64url');
}

/** A new Standard Webhooks signing secret in the spec's `whsec_<base64>` form. */
export function newSigningSecret(): string {
  return `${STANDARD_WEBHOOKS_SECRET_PREFIX}${randomBytes(VERIFY_LIMITS.secretBytes).toString('base64')}`;
}

/**
 * The storable form of a token that arrives in clear (GitLab token, bearer token). Our secrets are
 * 256 random bits, so a fast hash is enough (nothing to brute-force) and a slow KDF would only
 * make every webhook request cost CPU.
 */
export function hashSecret(secret: string): SecretHash {
  return `${HASH_PREFIX}${createHash('sha256').update(secret, 'utf8').digest('base64url')}` as SecretHash;
}

export function parseSecretHash(raw: unknown): SecretHash | null {
  return typeof raw === 'string' && HASH_RE.test(raw) ? (raw as SecretHash) : null;
}

/** Byte-wise constant-time equality; unequal lengths are simply unequal (never a RangeError). */
export function safeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the secret>`. */
export function verifyGithubSignature(rawBody: Buffer, headers: HeaderBag, secret: string): VerifyResult {
  if (secret.length === 0) return fail('not-configured', 'no webhook secret configured');
  const header = headerValue(headers, VERIFY_HEADERS.githubSignature);
  if (header === null) return fail('missing-header', `missing ${VERIFY_HEADERS.githubSignature} header`);
  const m = /^sha256=([0-9a-f]{64})$/i.exec(header);
  if (!m?.[1]) return fail('malformed-header', `${VERIFY_HEADERS.githubSignature} must be sha256=<64 hex digits>`);
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return safeEqual(Buffer.from(m[1], 'hex'), expected) ? { ok: true, scheme: 'github-hmac', webhookId: null } : fail('bad-signature', 'signature does not match the body');
}

/** A token sent in clear, compared by hash: both sides are 32-byte digests, so lengths match. */
function tokenMatches(token: string, stored: SecretHash): boolean {
  const parsed = parseSecretHash(stored);
  if (!parsed) return false;
  const given = createHash('sha256').update(token, 'utf8').digest();
  return safeEqual(given, Buffer.from(parsed.slice(HASH_PREFIX.length), 'base64url'));
}

/** GitLab's `X-Gitlab-Token`: the configured secret, sent as plaintext. */
export function verifyGitlabToken(headers: HeaderBag, tokenHash: SecretHash): VerifyResult {
  if (!parseSecretHash(tokenHash)) return fail('not-configured', 'no valid token hash configured');
  const token = headerValue(headers, VERIFY_HEADERS.gitlabToken);
  if (token === null) return fail('missing-header', `missing ${VERIFY_HEADERS.gitlabToken} header`);
  return tokenMatches(token, tokenHash) ? { ok: true, scheme: 'gitlab-token', webhookId: null } : fail('bad-token', 'token does not match');
}

/** `Authorization: Bearer <token>` (scheme name case-insensitive, RFC 9110). */
export function verifyBearer(headers: HeaderBag, tokenHash: SecretHash): VerifyResult {
  if (!parseSecretHash(tokenHash)) return fail('not-configured', 'no valid token hash configured');
  const header = headerValue(headers, VERIFY_HEADERS.authorization);
  if (header === null) return fail('missing-header', 'missing Authorization header');
  const m = /^Bearer +([\x21-\x7e]+)$/i.exec(header);
  if (!m?.[1]) return fail('malformed-header', 'Authorization must be "Bearer <token>"');
  return tokenMatches(m[1], tokenHash) ? { ok: true, scheme: 'bearer', webhookId: null } : fail('bad-token', 'token does not match');
}

/**
 * The HMAC key of a Standard Webhooks secret: the base64 after an optional `whsec_` prefix, as
 * the spec's reference libraries read it (so senders using them agree with us). Null when it does
 * not decode to a key of 24..64 bytes.
 */
export function signingKey(secret: string): Buffer | null {
  const b64 = secret.startsWith(STANDARD_WEBHOOKS_SECRET_PREFIX) ? secret.slice(STANDARD_WEBHOOKS_SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(b64)) return null;
  const key = Buffer.from(b64, 'base64');
  return key.length >= VERIFY_LIMITS.minSigningKeyBytes && key.length <= VERIFY_LIMITS.maxSigningKeyBytes ? key : null;
}

/**
 * Standard Webhooks: `webhook-signature` holds space-separated `v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">` entries (several during key rotation; other versions are skipped), and
 * `webhook-timestamp` (Unix seconds) must be within ±5 minutes of `now` (ms) to stop replays.
 */
export function verifyStandardWebhook(rawBody: Buffer, headers: HeaderBag, secret: string, now: number, toleranceMs: number = VERIFY_LIMITS.timestampToleranceMs): VerifyResult {
  const key = signingKey(secret);
  if (!key) return fail('not-configured', 'no valid signing secret configured');
  const id = headerValue(headers, VERIFY_HEADERS.webhookId);
  const timestamp = headerValue(headers, VERIFY_HEADERS.webhookTimestamp);
  const signature = headerValue(headers, VERIFY_HEADERS.webhookSignature);
  if (id === null || timestamp === null || signature === null) return fail('missing-header', 'webhook-id, webhook-timestamp and webhook-signature are required');
  // A '.' in the id or timestamp would let one signed string be split two ways.
  if (!/^[\x21-\x2d\x2f-\x7e]{1,256}$/.test(id)) return fail('malformed-header', 'webhook-id is malformed');
  if (!/^\d{1,12}$/.test(timestamp)) return fail('malformed-header', 'webhook-timestamp must be Unix seconds');
  if (Math.abs(now - Number(timestamp) * 1000) > toleranceMs) return fail('stale-timestamp', 'webhook-timestamp is outside the allowed window');
  const candidates = signature.split(' ').filter((s) => s.length > 0);
  if (candidates.length === 0 || candidates.length > VERIFY_LIMITS.maxSignatures) return fail('malformed-header', 'webhook-signature is malformed');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`, 'utf8').update(rawBody).digest();
  let sawV1 = false;
  for (const candidate of candidates) {
    const m = /^v1,([A-Za-z0-9+/]{43}=)$/.exec(candidate);
    if (!m?.[1]) continue;
    sawV1 = true;
    if (safeEqual(Buffer.from(m[1], 'base64'), expected)) return { ok: true, scheme: 'standard-webhooks', webhookId: id };
  }
  return sawV1 ? fail('bad-signature', 'no signature matches the body') : fail('malformed-header', 'webhook-signature has no v1 signature');
}

/** What an integration stores to check its requests; see the file comment for clear vs hashed. */
export interface InboundSecrets {
  /** Clear: HMAC key for GitHub signatures. */
  githubSecret?: string;
  /** Clear: Standard Webhooks signing secret (GitLab signing token, generic senders). */
  signingSecret?: string;
  /** Hashed: GitLab `X-Gitlab-Token` or bearer token. */
  tokenHash?: SecretHash;
}

/**
 * GitLab: with a signing secret configured, a valid `webhook-signature` is required (accepting
 * the token instead would let anyone holding the token skip body integrity). Recent GitLab sends
 * `webhook-id`/`webhook-timestamp` on every delivery, so only `webhook-signature` selects the
 * scheme. Otherwise the `X-Gitlab-Token` is checked.
 */
export function verifyGitlab(rawBody: Buffer, headers: HeaderBag, secrets: InboundSecrets, now: number): VerifyResult {
  if (secrets.signingSecret) return verifyStandardWebhook(rawBody, headers, secrets.signingSecret, now);
  if (secrets.tokenHash) return verifyGitlabToken(headers, secrets.tokenHash);
  return fail('not-configured', 'no GitLab token or signing secret configured');
}

/** Generic senders (CloudEvents): Standard Webhooks when a signing secret is set, else a bearer token. */
export function verifyGeneric(rawBody: Buffer, headers: HeaderBag, secrets: InboundSecrets, now: number): VerifyResult {
  if (secrets.signingSecret) return verifyStandardWebhook(rawBody, headers, secrets.signingSecret, now);
  if (secrets.tokenHash) return verifyBearer(headers, secrets.tokenHash);
  return fail('not-configured', 'no bearer token or signing secret configured');
}
