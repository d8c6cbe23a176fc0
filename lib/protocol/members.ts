/**
 * Wire contract of joining: who a browser is comes from a member token the server issued when it
 * joined, carried on its connections (`?member=` on the WebSocket, `auth.member` on socket.io), never
 * from what a payload says.
 */
import { z } from 'zod';
import { LIMITS } from '../doc/schema';
import { parseMemberId } from '../ids';
import type { Member } from '../members';
import { normalizeName } from '../memberName';

export { MEMBER_PARAM } from './memberParam';

/**
 * socket.io 'member:join': a new member of that name (a second "Carol" is a second person), or,
 * with `as`, the existing member this person says they are (the same person on another device).
 */
export const JoinPayload = z
  .object({
    name: z.string({ error: 'name must be a string' }).transform((raw, ctx) => {
      const r = normalizeName(raw, LIMITS.memberName);
      if (!r.ok) {
        ctx.addIssue({ code: 'custom', message: r.reason });
        return z.NEVER;
      }
      return r.name;
    }),
    as: z
      .unknown()
      .transform((raw, ctx) => {
        const id = parseMemberId(raw);
        if (!id) {
          ctx.addIssue({ code: 'custom', message: 'as must be a member id' });
          return z.NEVER;
        }
        return id;
      })
      .optional(),
  })
  .strict();
export type JoinPayload = z.input<typeof JoinPayload>;

/** What the join ack carries: the member and the token that proves it on later connections. */
export interface Joined {
  member: Member;
  token: string;
}
