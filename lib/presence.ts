/**
 * The awareness (presence) state each client publishes, and how to read it back safely.
 */
import { z } from 'zod';
import { LIMITS } from './doc/schema';

export const PresenceState = z.object({
  user: z.object({
    memberId: z.string().max(32).nullable(),
    name: z.string().max(LIMITS.memberName),
    watching: z.boolean().default(false),
  }),
});
export type PresenceState = z.infer<typeof PresenceState>;

export interface OnlinePerson {
  clientId: number;
  memberId: string | null;
  name: string;
  watching: boolean;
}

/** Everyone present in an awareness map, ignoring states that do not parse. */
export function readPresence(states: ReadonlyMap<number, unknown>): OnlinePerson[] {
  const out: OnlinePerson[] = [];
  for (const [clientId, raw] of states) {
    const p = PresenceState.safeParse(raw);
    if (p.success) out.push({ clientId, ...p.data.user });
  }
  return out;
}

export function onlineMemberIds(states: ReadonlyMap<number, unknown>): Set<string> {
  return new Set(readPresence(states).flatMap((p) => (p.memberId && !p.watching ? [p.memberId] : [])));
}
