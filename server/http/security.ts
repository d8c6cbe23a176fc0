/**
 * Origin checks for sockets and security headers for every HTTP response.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Browsers always send Origin on WebSocket and cross-site requests; a page on another site must not
 * open sockets to a session (its link would be enough to act as the user). Requests without an
 * Origin header come from non-browser clients (scripts, bots, Yjs clients in Node) and are allowed.
 */
export function isOriginAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const host = req.headers.host;
  if (host) {
    try {
      if (new URL(origin).host === host) return true;
    } catch {
      return false;
    }
  }
  return allowed.includes(origin);
}

/** Headers every response gets: no sniffing, no framing, no capability URLs leaking via Referer. */
export function baseSecurityHeaders(res: ServerResponse): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
}

/**
 * A per-request nonce CSP for pages: Next.js reads the nonce from the request's CSP header while it
 * renders and puts it on its own inline scripts, so no 'unsafe-inline' is needed for scripts.
 * Styles keep 'unsafe-inline' (React style attributes); development adds 'unsafe-eval' for React.
 */
export function applyPageCsp(req: IncomingMessage, res: ServerResponse, dev: boolean): void {
  const nonce = randomBytes(16).toString('base64');
  const policy = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  req.headers['content-security-policy'] = policy;
  res.setHeader('content-security-policy', policy);
}
