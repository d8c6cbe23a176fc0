/**
 * socket.io handshake: which session (edit id or view token) a socket acts on. Kept apart from
 * events.ts so the browser bundle, which only needs the event names and types, carries no zod.
 */
import { z } from 'zod';

export const Handshake = z.object({
  room: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'room must be a session id or view token'),
  /** A member token from 'member:join' (lib/protocol/members.ts): binds the socket to that member. */
  member: z.string().max(64).optional(),
});
