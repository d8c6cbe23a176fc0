/**
 * The timer.mob.sh protocol as mob.sh (v5.4) speaks it, so `MOB_TIMER_URL=https://<host>/mob/`
 * drives a Mobflow session:
 *
 *   mob start 10 / mob timer 10  ->  PUT /mob/<room>        {"timer": 10, "user": "Ana"}
 *   mob break 5                  ->  PUT /mob/<room>        {"breaktimer": 5, "user": "Ana"}
 *   mob goal <text>              ->  PUT /mob/<room>/goal   {"goal": "<text>", "user": "Ana"}
 *   mob goal --delete            ->  DELETE /mob/<room>/goal {"user": "Ana"}   (a body on DELETE)
 *
 * mob.sh sends no credentials (the room key is the capability), treats any status >= 300 as
 * failure and exits 1 *after* its git work is done, and prints a non-empty reply body verbatim.
 * So well-formed requests are always answered 202 with one plain-text line, never a redirect (Go
 * turns a redirected PUT into a GET, which would look like success and do nothing).
 */
import { z } from 'zod';
import { cleanText, clip } from './delivery/clean';
import type { DeliveryEvent } from './delivery/event';
import { LIMITS } from './doc/schema';
import type { MemberId } from './ids';
import { assertNever } from './timer';

declare const brand: unique symbol;
/** A room key from the URL, checked against timer.mob.sh's room pattern. */
export type RoomKey = string & { readonly [brand]: 'RoomKey' };

export const MOBSH_LIMITS = {
  /** timer.mob.sh clamps durations to 0..1440 minutes (24 h). */
  maxMinutes: 1440,
  /** timer.mob.sh truncates goals to 256 characters. */
  goalChars: 256,
  roomKeyChars: 128,
  userChars: LIMITS.memberName,
  replyChars: 300,
} as const;

/** The reply every well-formed mob.sh request gets. */
export const MOBSH_REPLY = { status: 202, contentType: 'text/plain; charset=utf-8' } as const;

const ROOM_KEY_RE = /^[A-Za-z0-9_-]+$/;

export function parseRoomKey(raw: unknown): RoomKey | null {
  return typeof raw === 'string' && raw.length <= MOBSH_LIMITS.roomKeyChars && ROOM_KEY_RE.test(raw) ? (raw as RoomKey) : null;
}

/**
 * A timer PUT. `minutes: 0` is what timer.mob.sh stores for `timer: 0`: a timer that is already
 * over (the wiring may treat it as "stop"). `user` is null when absent or blank.
 */
export type TimerPut = { kind: 'turn'; minutes: number; user: string | null } | { kind: 'break'; minutes: number; user: string | null } | { kind: 'none'; user: string | null };

export type GoalPut = { kind: 'set'; goal: string; user: string | null } | { kind: 'clear'; user: string | null };

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const Minutes = (field: string) =>
  z
    .union([z.number(), z.string().regex(/^\s*-?\d+(\.\d+)?\s*$/, `${field} must be a number of minutes`)], { error: `${field} must be a number of minutes` })
    // Truncated like Java's conversion to long, then clamped as timer.mob.sh does.
    .transform((v) => Math.min(MOBSH_LIMITS.maxMinutes, Math.max(0, Math.trunc(Number(v)))))
    .nullish();
const User = z
  .string({ error: 'user must be a string' })
  .nullish()
  .transform((v) => cleanText(v, MOBSH_LIMITS.userChars));
const Body = <T extends z.ZodRawShape>(shape: T) => z.looseObject(shape, { error: 'body must be a JSON object' });

const TimerPutBody = Body({ timer: Minutes('timer'), breaktimer: Minutes('breaktimer'), user: User });
const GoalPutBody = Body({ goal: z.string({ error: 'goal must be a string' }).nullish(), user: User });
const GoalDeleteBody = Body({ user: User });

/**
 * `PUT /mob/<room>`, with timer.mob.sh's precedence: `timer` wins over `breaktimer`; with neither,
 * nothing happens but the request is still accepted. Unknown fields are ignored (newer mob.sh
 * versions may add some).
 */
export function parseTimerPut(body: unknown): Parsed<TimerPut> {
  const p = TimerPutBody.safeParse(body);
  if (!p.success) return { ok: false, error: firstIssue(p.error) };
  const { timer, breaktimer, user } = p.data;
  if (timer !== null && timer !== undefined) return { ok: true, value: { kind: 'turn', minutes: timer, user } };
  if (breaktimer !== null && breaktimer !== undefined) return { ok: true, value: { kind: 'break', minutes: breaktimer, user } };
  return { ok: true, value: { kind: 'none', user } };
}

/** `PUT /mob/<room>/goal`: a blank or missing goal clears it; a long one is cut to 256 characters. */
export function parseGoalPut(body: unknown): Parsed<GoalPut> {
  const p = GoalPutBody.safeParse(body);
  if (!p.success) return { ok: false, error: firstIssue(p.error) };
  const goal = cleanText(p.data.goal, MOBSH_LIMITS.goalChars);
  return { ok: true, value: goal ? { kind: 'set', goal, user: p.data.user } : { kind: 'clear', user: p.data.user } };
}

/** `DELETE /mob/<room>/goal`: mob.sh sends `{"user": ...}`; a missing or empty body is fine too. */
export function parseGoalDelete(body: unknown): Parsed<{ user: string | null }> {
  if (body === undefined || body === null || body === '') return { ok: true, value: { user: null } };
  const p = GoalDeleteBody.safeParse(body);
  return p.success ? { ok: true, value: { user: p.data.user } } : { ok: false, error: firstIssue(p.error) };
}

export interface RosterMember {
  id: MemberId;
  name: string;
  /** Other names the member goes by (a git user.name that differs from the display name). */
  aliases?: readonly string[];
}

export type DriverResolution = { kind: 'member'; id: MemberId; name: string } | { kind: 'new'; name: string } | { kind: 'anonymous' };

// Case-insensitive, accent-sensitive: the same rule as findMemberByName in members.ts.
const sameName = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

/**
 * Who `user` is in the session: a roster member by display name (case-insensitively), then by
 * alias; otherwise a new member to add under that name (a mob.sh call is never refused for an
 * unknown name). Without a user, the caller keeps its own rotation.
 */
export function resolveDriver(roster: readonly RosterMember[], user: string | null): DriverResolution {
  const name = cleanText(user, MOBSH_LIMITS.userChars);
  if (!name) return { kind: 'anonymous' };
  const member = roster.find((m) => sameName(m.name, name)) ?? roster.find((m) => m.aliases?.some((a) => sameName(a, name)));
  return member ? { kind: 'member', id: member.id, name: member.name } : { kind: 'new', name };
}

/** What the reply line reports; driver and next names come already resolved from the rotation. */
export type MobReply =
  | { kind: 'turn'; session: string; driver: string | null; next: string | null; minutes: number }
  | { kind: 'break'; session: string; minutes: number }
  | { kind: 'goal-set'; session: string; goal: string }
  | { kind: 'goal-cleared'; session: string }
  | { kind: 'none'; session: string };

/**
 * The one line mob.sh prints, e.g. `Mobflow "payments": Ana drives for 10 min, Bo is next`.
 * Names are stripped of control characters: mob.sh writes the body straight to a terminal, so a
 * session or member name must not be able to smuggle escape sequences or extra lines into it.
 */
export function mobReplyText(r: MobReply): string {
  const head = `Mobflow "${cleanText(r.session, LIMITS.sessionName) ?? 'session'}"`;
  let tail: string;
  switch (r.kind) {
    case 'turn': {
      const driver = cleanText(r.driver, MOBSH_LIMITS.userChars);
      const next = cleanText(r.next, MOBSH_LIMITS.userChars);
      if (r.minutes === 0) tail = 'timer stopped';
      else tail = `${driver ?? 'turn'} ${driver ? 'drives' : 'started'} for ${r.minutes} min${next ? `, ${next} is next` : ''}`;
      break;
    }
    case 'break':
      tail = r.minutes === 0 ? 'break stopped' : `break for ${r.minutes} min`;
      break;
    case 'goal-set':
      tail = `goal set: ${cleanText(r.goal, MOBSH_LIMITS.goalChars) ?? ''}`;
      break;
    case 'goal-cleared':
      tail = 'goal cleared';
      break;
    case 'none':
      tail = 'nothing to do (send timer or breaktimer)';
      break;
    default:
      return assertNever(r);
  }
  return clip(`${head}: ${tail}`, MOBSH_LIMITS.replyChars);
}

/**
 * mob.sh sends nothing on `mob next`; the push of its wip commit is the handover signal: a push
 * to a `mob/*` branch whose head commit message starts with "mob next". The commit author is the
 * outgoing driver. Prefix and message follow mob.sh's defaults (MOB_WIP_BRANCH_PREFIX,
 * MOB_WIP_COMMIT_MESSAGE); a team that changed them passes its own.
 */
export function mobNextHandover(event: DeliveryEvent, opts: { branchPrefix?: string; messagePrefix?: string } = {}): { outgoing: string | null } | null {
  const branchPrefix = opts.branchPrefix ?? 'mob/';
  const messagePrefix = (opts.messagePrefix ?? 'mob next').toLowerCase();
  if (event.kind !== 'push' || event.sha === null || !event.ref?.startsWith(branchPrefix)) return null;
  return event.title.toLowerCase().startsWith(messagePrefix) ? { outgoing: event.actor } : null;
}

function firstIssue(error: z.ZodError): string {
  return error.issues[0]?.message ?? 'invalid body';
}
