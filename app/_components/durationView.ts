/**
 * Turn and break lengths as people type them: minutes and seconds, any whole number of seconds
 * from the server's minimum (MIN_TURN_SECONDS, passed to the page) up to the maximum.
 */

export function splitSeconds(total: number): { minutes: number; seconds: number } {
  const s = Math.max(0, Math.round(total));
  return { minutes: Math.floor(s / 60), seconds: s % 60 };
}

/** "7 min", "45 s", "1 min 30 s", "2 h 5 min". */
export function formatDuration(total: number): string {
  const { minutes, seconds } = splitSeconds(total);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const parts = [h > 0 ? `${h} h` : '', m > 0 ? `${m} min` : '', seconds > 0 || total <= 0 ? `${seconds} s` : ''];
  return parts.filter(Boolean).join(' ');
}

export type DurationResult = { ok: true; seconds: number } | { ok: false; error: string };

/**
 * Reads a length from its two fields (empty counts as 0). Whole, non-negative numbers only; seconds
 * may go past 59 ("0 min 90 s" is 1 min 30 s). The message names the field (`what`) and the limits.
 */
export function parseDuration(minutes: string, seconds: string, limits: { what: string; min: number; max: number }): DurationResult {
  const read = (v: string) => (v.trim() === '' ? 0 : Number(v));
  const m = read(minutes);
  const s = read(seconds);
  if (!Number.isInteger(m) || !Number.isInteger(s) || m < 0 || s < 0) return { ok: false, error: `${limits.what}: whole minutes and seconds, please.` };
  const total = m * 60 + s;
  if (total < limits.min) return { ok: false, error: `${limits.what} must be at least ${formatDuration(limits.min)}.` };
  if (total > limits.max) return { ok: false, error: `${limits.what} must be at most ${formatDuration(limits.max)}.` };
  return { ok: true, seconds: total };
}
