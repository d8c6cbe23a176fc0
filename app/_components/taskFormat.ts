/** Human durations for task summaries: "45 s", "12 min", "1 h 5 min". */
export function formatSpent(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  const rest = min % 60;
  return rest ? `${h} h ${rest} min` : `${h} h`;
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** After each part of a progress line but the last: a no-break space and the dot (lines break after the dot). */
export const SEPARATOR = '\u00a0·';

/** The parts of the current task's progress line: criteria, time on it (once started), turns. */
export function progressParts(p: { met: number; total: number; spentMs: number | null; turns: number }): string[] {
  return [p.total > 0 ? `${p.met} of ${p.total} criteria met` : 'No criteria yet', ...(p.spentMs === null ? [] : [`on it for ${formatSpent(p.spentMs)}`]), plural(p.turns, 'turn')];
}
