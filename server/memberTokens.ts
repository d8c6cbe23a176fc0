/**
 * Member tokens: proof that a connection is the member it says it is. `member:join` hands one to
 * the browser that joined (lib/protocol/members.ts); the browser keeps it and presents it on every
 * connection. A token is the member id and an HMAC of it under the session's own key, so the server
 * stores nothing per member and a token from one session means nothing in another.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type MemberId, parseMemberId } from '../lib/ids';

const MAC_CHARS = 22; // 128 bits, base64url

function mac(key: Uint8Array, id: string): string {
  return createHmac('sha256', key).update(`member:${id}`).digest('base64url').slice(0, MAC_CHARS);
}

export function memberToken(key: Uint8Array, id: MemberId): string {
  return `${id}.${mac(key, id)}`;
}

/** The member a token proves, or null when it is not a token of this session. */
export function verifyMemberToken(key: Uint8Array, token: unknown): MemberId | null {
  if (typeof token !== 'string' || token.length > 64) return null;
  const [rawId, given, extra] = token.split('.');
  const id = parseMemberId(rawId);
  if (!id || given === undefined || extra !== undefined || given.length !== MAC_CHARS) return null;
  const expected = Buffer.from(mac(key, id));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? id : null;
}
