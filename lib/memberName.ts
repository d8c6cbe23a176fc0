/**
 * A member's display name as people type it: one rule for the join prompt, the roster and the API.
 * No Y.Doc here, so the session page can ask for a name before its collaboration code has loaded.
 */
import { LIMITS } from './doc/schema';

export type NameResult = { ok: true; name: string } | { ok: false; reason: string };

/** Trims and collapses whitespace; refuses empty names and names over the cap (it says so). */
export function normalizeName(raw: unknown, max: number = LIMITS.memberName): NameResult {
  if (typeof raw !== 'string') return { ok: false, reason: 'name must be a string' };
  // Control characters would render as garbage and can break exports.
  const name = raw.replace(/\p{Cc}/gu, ' ').replace(/\s+/g, ' ').trim();
  if (name.length === 0) return { ok: false, reason: 'name must not be empty' };
  if ([...name].length > max) return { ok: false, reason: `name must be at most ${max} characters` };
  return { ok: true, name };
}
