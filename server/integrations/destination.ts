/**
 * Where a session's chat notifications go: a Slack incoming webhook, a Microsoft Teams Workflows
 * webhook, or any URL taking plain JSON. Parsed once (zod) when the user saves it; the Notifier
 * only accepts the branded result.
 *
 * SSRF: a user-supplied URL makes our server send requests, so by default loopback, private,
 * link-local (cloud metadata) and other non-public IP literals and `localhost` names are refused.
 * That check cannot see what a DNS name resolves to (nor a name re-pointed after the check):
 * blocking internal addresses for real is a deployment concern (an egress proxy or a network
 * policy for the server). Tests pass `allowPrivate: true` for their local receiver.
 */
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { CHAT_FORMATS, type ChatFormat } from '../../lib/protocol/integrations';

export const DESTINATION_FORMATS = CHAT_FORMATS;
export type DestinationFormat = ChatFormat;

export const DESTINATION_LIMITS = { urlChars: 2048 } as const;

declare const brand: unique symbol;
export type Destination = { readonly format: DestinationFormat; readonly url: string } & { readonly [brand]: 'Destination' };

const DestinationInput = z
  .object({
    format: z.enum(DESTINATION_FORMATS, { error: `format must be one of ${DESTINATION_FORMATS.join(', ')}` }),
    url: z.string({ error: 'url must be a string' }).min(1, 'url must not be empty').max(DESTINATION_LIMITS.urlChars, `url must be at most ${DESTINATION_LIMITS.urlChars} characters`),
  })
  .strict();

/**
 * Address ranges that are not the public internet. Two lists, because a BlockList checks an IPv4
 * address against its IPv6 rules as IPv4-mapped, and the mapped range is refused whole below.
 */
function blockList(family: 'ipv4' | 'ipv6', subnets: readonly (readonly [string, number])[]): BlockList {
  const list = new BlockList();
  for (const [net, prefix] of subnets) list.addSubnet(net, prefix, family);
  return list;
}
const NON_PUBLIC_V4 = blockList('ipv4', [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
]);
const NON_PUBLIC_V6 = blockList('ipv6', [
  ['::', 127], // unspecified and loopback
  ['::ffff:0:0', 96], // IPv4-mapped: refused whole rather than re-checked
  ['64:ff9b::', 96], // NAT64 to any IPv4, including private ones
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
]);

/** True for `localhost` names and for IP literals outside the public internet. */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  if (family === 4) return NON_PUBLIC_V4.check(host, 'ipv4');
  if (family === 6) return NON_PUBLIC_V6.check(host, 'ipv6');
  return false;
}

export type DestinationResult = { ok: true; destination: Destination } | { ok: false; error: string };

/**
 * Checks a user-supplied destination: http(s) only, no credentials in the URL (they would end up
 * in logs), and by default no private address (see the file comment).
 */
export function parseDestination(raw: unknown, opts: { allowPrivate?: boolean } = {}): DestinationResult {
  const p = DestinationInput.safeParse(raw);
  if (!p.success) return { ok: false, error: p.error.issues[0]?.message ?? 'invalid destination' };
  let url: URL;
  try {
    url = new URL(p.data.url);
  } catch {
    return { ok: false, error: 'url is not a valid URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, error: 'url must be http or https' };
  if (url.username || url.password) return { ok: false, error: 'url must not contain credentials' };
  // The WHATWG parser has already turned 2130706433 or 0x7f.1 into 127.0.0.1 here.
  if (!opts.allowPrivate && isPrivateHost(url.hostname)) return { ok: false, error: 'url points to a private or local address' };
  url.hash = '';
  return { ok: true, destination: { format: p.data.format, url: url.href } as Destination };
}
