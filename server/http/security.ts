/**
 * Cross-site rules for every request and handshake, and security headers for every response.
 *
 * - Host. A page on a name the attacker controls that resolves to this server (DNS rebinding) is
 *   same-origin as far as the browser knows; the server tells by the Host header. Allowed: IP
 *   literals (rebinding needs a name), localhost, PUBLIC_URL's host, ALLOWED_HOSTS, a named HOST.
 * - Origin. Browsers send it on WebSocket handshakes and cross-site requests; a page on another
 *   site must not act with a link it learned. Same-origin, PUBLIC_URL's origin and ALLOWED_ORIGINS
 *   are allowed; no Origin at all is a script or a Node client (allowed).
 * - HTTP writes need `Content-Type: application/json`: a cross-site form or `text/plain` fetch
 *   cannot send that without a CORS preflight, which this server never answers.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';

export interface SiteRules {
  /** Origins (scheme://host[:port]) allowed besides same-origin. */
  allowedOrigins: readonly string[];
  /** Host names (no port) allowed besides IP literals and localhost; `.example.com` allows subdomains. */
  allowedHosts: readonly string[];
}

function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon > 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

/** Whether the request's Host names this server (see the file comment); no Host header is a script. */
export function isHostAllowed(req: IncomingMessage, rules: SiteRules): boolean {
  const header = req.headers.host;
  if (header === undefined) return true;
  const name = hostName(header);
  if (name === '' || isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost')) return true;
  return rules.allowedHosts.some((h) => (h.startsWith('.') ? name === h.slice(1) || name.endsWith(h) : name === h));
}

/** Whether a browser page at the request's Origin may act here (no Origin: not a browser page). */
export function isOriginAllowed(req: IncomingMessage, rules: SiteRules): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (rules.allowedOrigins.includes(origin)) return true;
  const host = req.headers.host;
  if (!host) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** Both rules, for WebSocket and socket.io handshakes. */
export function isHandshakeAllowed(req: IncomingMessage, rules: SiteRules): boolean {
  return isHostAllowed(req, rules) && isOriginAllowed(req, rules);
}

/** Why an HTTP write is refused as cross-site or not JSON, with its status; null when it may go on. */
export function writeRefusal(req: IncomingMessage, rules: SiteRules, contentTypes: readonly string[] | 'any' = ['application/json']): { status: 403 | 415; message: string } | null {
  if (!isOriginAllowed(req, rules) || req.headers['sec-fetch-site'] === 'cross-site') {
    return { status: 403, message: 'cross-site request refused: call the API from the session’s own pages or without a browser Origin' };
  }
  // Server-to-server senders (webhooks, mob.sh) send no Origin and the types they choose; their
  // own credential is what protects them, and a browser page still needs a preflight for PUT/DELETE.
  if (contentTypes === 'any') return null;
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!contentTypes.includes(type)) return { status: 415, message: `send ${contentTypes.join(' or ')} (Content-Type), got ${type || 'none'}` };
  return null;
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
