/**
 * Cleaning of untrusted provider values before they become a DeliveryEvent: text is stripped of
 * control characters and clipped, URLs survive only as http(s), timestamps are read in the few
 * formats CI providers actually send. Nothing here throws.
 */
import type { z } from 'zod';

/** Node's `req.headers` shape: names lower-cased, a repeated header may arrive as an array. */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

const ELLIPSIS = '…';
/** Below this, a number or digit string is a Unix time in seconds; above, milliseconds. */
const SECONDS_MS_BOUNDARY = 1e11;
const MAX_URL_LENGTH = 2048;

/** One header's value, trimmed; null when absent, empty or sent more than once (ambiguous). */
export function headerValue(headers: HeaderBag, name: string): string | null {
  const raw = headers[name.toLowerCase()];
  if (typeof raw !== 'string') return null;
  const v = raw.trim();
  return v.length > 0 ? v : null;
}

/**
 * Display text: control characters (terminal escapes, newlines) become spaces, whitespace is
 * collapsed, and the result is clipped to `max` with an ellipsis. Null when empty.
 */
export function cleanText(raw: unknown, max: number): string | null {
  if (typeof raw !== 'string') return null;
  const text = raw.replace(/[\p{Cc}\p{Cf}]/gu, ' ').replace(/\s+/g, ' ').trim();
  if (text.length === 0) return null;
  return clip(text, max);
}

/** The first non-empty line of a commit message (its subject), cleaned and clipped. */
export function firstLine(raw: unknown, max: number): string | null {
  if (typeof raw !== 'string') return null;
  const line = raw.split(/\r?\n/).find((l) => l.trim().length > 0);
  return cleanText(line, max);
}

/**
 * Clips to at most `max` UTF-16 units (string length, what zod's max() counts), ending with an
 * ellipsis, and never cuts a surrogate pair in half.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - ELLIPSIS.length);
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}${ELLIPSIS}`;
}

/**
 * An http(s) URL fit to render as a link, or null. Credentials are removed (a CI tool that puts a
 * token in a URL must not get it shown in the session), and anything else (javascript:, data:,
 * relative paths, over-long) is dropped rather than escaped.
 */
export function safeUrl(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_URL_LENGTH) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  url.username = '';
  url.password = '';
  return url.href.length <= MAX_URL_LENGTH ? url.href : null;
}

/** A git object id (7 to 64 hex digits, SHA-1 or SHA-256 repositories), lower-cased; else null. */
export function cleanSha(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const sha = raw.trim().toLowerCase();
  return /^[0-9a-f]{7,64}$/.test(sha) ? sha : null;
}

/**
 * A git ref as people read it: `refs/heads/main` becomes `main`; tags keep their `refs/tags/`
 * prefix so a tag is never mistaken for a branch of the same name.
 */
export function shortRef(raw: unknown, max: number): string | null {
  if (typeof raw !== 'string') return null;
  const ref = raw.startsWith('refs/heads/') ? raw.slice('refs/heads/'.length) : raw;
  return cleanText(ref, max);
}

/**
 * Milliseconds since the epoch, or null. Reads ISO 8601 (GitHub, CloudEvents), GitLab's
 * `2024-05-01 10:00:00 UTC` and `2024-05-01 10:00:00 +0200`, and Unix times in seconds or
 * milliseconds as numbers or digit strings (GitHub's `pushed_at`, Harness' CDEvents).
 */
export function parseTimestamp(raw: unknown): number | null {
  if (typeof raw === 'number') return fromEpoch(raw);
  if (typeof raw !== 'string') return null;
  const s = raw.trim();
  if (/^\d{1,16}$/.test(s)) return fromEpoch(Number(s));
  const gitlab = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) ?(UTC|[+-]\d{2}:?\d{2})$/.exec(s);
  const iso = gitlab ? `${gitlab[1]}T${gitlab[2]}${gitlab[3] === 'UTC' ? 'Z' : gitlab[3]}` : s;
  // Date.parse alone would accept far more (and vary by engine); require the ISO shape.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i.test(iso)) return null;
  const ms = Date.parse(iso.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

function fromEpoch(n: number): number | null {
  if (!Number.isFinite(n) || n < 0) return null;
  return Math.round(n < SECONDS_MS_BOUNDARY ? n * 1000 : n);
}

/** A provider id (number or string) as a string key part; null when missing or unreasonable. */
export function idPart(raw: unknown): string | null {
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return String(raw);
  if (typeof raw === 'string' && /^[\x21-\x7e]{1,200}$/.test(raw)) return raw;
  return null;
}

/** A short readable summary of why a payload did not parse: at most three issues, with paths. */
export function describeIssues(what: string, error: z.ZodError): string {
  const parts = error.issues.slice(0, 3).map((i) => {
    const path = i.path.map(String).join('.');
    return path ? `${path}: ${i.message}` : i.message;
  });
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return `${what}: ${parts.join('; ')}${more}`;
}
