/**
 * The awareness (presence) state each client publishes, and how to read it back safely.
 * Hand-checked rather than zod: it runs in every browser on every presence change, and the
 * client bundle stays free of zod.
 */
import { LIMITS } from './doc/schema';

export interface PresenceState {
  user: { memberId: string | null; name: string; watching: boolean };
}

export interface OnlinePerson {
  clientId: number;
  memberId: string | null;
  name: string;
  watching: boolean;
}

/** The person in one awareness state, or null when it is not a well-formed presence state. */
export function parsePresence(raw: unknown): PresenceState['user'] | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const user = (raw as { user?: unknown }).user;
  if (typeof user !== 'object' || user === null) return null;
  const { memberId, name, watching } = user as Record<string, unknown>;
  if (!(memberId === null || (typeof memberId === 'string' && memberId.length <= 32))) return null;
  if (typeof name !== 'string' || name.length > LIMITS.memberName) return null;
  if (watching !== undefined && typeof watching !== 'boolean') return null;
  return { memberId, name, watching: watching ?? false };
}

/** Everyone present in an awareness map, ignoring states that do not parse. */
export function readPresence(states: ReadonlyMap<number, unknown>): OnlinePerson[] {
  const out: OnlinePerson[] = [];
  for (const [clientId, raw] of states) {
    const user = parsePresence(raw);
    if (user) out.push({ clientId, ...user });
  }
  return out;
}

export function onlineMemberIds(states: ReadonlyMap<number, unknown>): Set<string> {
  return new Set(readPresence(states).flatMap((p) => (p.memberId && !p.watching ? [p.memberId] : [])));
}

/** Who a connection is, as the server established it (never from what the client publishes). */
export interface ConnectionIdentity {
  kind: 'edit' | 'view';
  /** The member this connection proved it is (a member token), or null. */
  memberId: string | null;
}

/**
 * Whether a connection may publish this presence state: a watcher only as watching, with no member;
 * an editor only as itself (its proven member) or as nobody, never as watching. Removing one's own
 * state (null) is always allowed.
 */
export function presenceAllowed(raw: unknown, who: ConnectionIdentity): boolean {
  if (raw === null) return true;
  const user = parsePresence(raw);
  if (!user) return false;
  if (who.kind === 'view') return user.watching && user.memberId === null;
  return !user.watching && (user.memberId === null || user.memberId === who.memberId);
}
