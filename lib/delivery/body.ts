/**
 * Raw request bytes to a JSON value, for webhook and mob.sh routes. The route keeps the raw bytes
 * for signature verification and verifies them *before* calling this: parsing first and
 * re-serialising later is the classic way to break HMAC checks.
 */

/**
 * Larger bodies should be refused with 413 before reading further. GitHub caps payloads at 25 MB,
 * but the events we read are a few tens of kB; 1 MiB leaves room for a push of many commits.
 */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

export type BodyResult = { ok: true; value: unknown } | { ok: false; error: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes UTF-8 and parses JSON. An empty body is `undefined` (mob.sh may send DELETE without
 * one). GitHub hooks configured as `application/x-www-form-urlencoded` carry the JSON in a
 * `payload` field, which is unwrapped here. Never throws.
 */
export function parseJsonBody(raw: Uint8Array | string | undefined | null, contentType: string | null): BodyResult {
  if (raw === undefined || raw === null) return { ok: true, value: undefined };
  let text: string;
  try {
    text = typeof raw === 'string' ? raw : utf8.decode(raw);
  } catch {
    return { ok: false, error: 'body is not valid UTF-8' };
  }
  if (text.trim().length === 0) return { ok: true, value: undefined };
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-www-form-urlencoded') {
    const payload = new URLSearchParams(text).get('payload');
    if (payload === null) return { ok: false, error: 'form-encoded body without a payload field' };
    text = payload;
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: `body is not valid JSON (${err instanceof Error ? err.message : 'parse error'})` };
  }
}
