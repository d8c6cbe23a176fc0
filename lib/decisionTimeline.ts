/**
 * The review page's timeline as data: decisions, turns and task changes of a session on one time
 * axis. Pure, so the page only draws it.
 */
import type { DecisionView } from './decisions';
import type { TurnRecord } from './doc/schema';
import type { TaskView } from './task';

/** Decisions are grouped in bins so 10,000 entries cost the same few hundred elements as 10. */
export const TIMELINE_BINS = 120;

export type TimelineMark = { kind: 'task-start' | 'task-done'; at: number; label: string };

export interface Timeline {
  from: number;
  to: number;
  turns: { from: number; to: number; label: string; phase: TurnRecord['phase'] }[];
  marks: TimelineMark[];
  bins: { at: number; count: number; firstSeq: number; firstTitle: string }[];
}

/** Pure: puts decisions, turns and task changes of a session on one time axis. */
export function buildTimeline(decisions: readonly DecisionView[], turns: readonly TurnRecord[], tasks: readonly TaskView[], nameOf: (id: string | null) => string): Timeline | null {
  const marks: TimelineMark[] = tasks.flatMap((t) => [
    ...(t.startedAt !== null ? [{ kind: 'task-start' as const, at: t.startedAt, label: `Started: ${t.title}` }] : []),
    ...(t.doneAt !== null ? [{ kind: 'task-done' as const, at: t.doneAt, label: `Done: ${t.title}` }] : []),
  ]);
  const times = [...decisions.map((d) => d.at), ...turns.flatMap((t) => [t.startedAt, t.endedAt]), ...marks.map((m) => m.at)];
  if (times.length === 0) return null;
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const x of times) {
    from = Math.min(from, x);
    to = Math.max(to, x);
  }
  if (to === from) to = from + 1;
  const width = (to - from) / TIMELINE_BINS;
  const bins = new Map<number, Timeline['bins'][number]>();
  for (const d of decisions) {
    const i = Math.min(TIMELINE_BINS - 1, Math.floor((d.at - from) / width));
    const bin = bins.get(i);
    if (bin) bin.count++;
    else bins.set(i, { at: from + (i + 0.5) * width, count: 1, firstSeq: d.seq, firstTitle: d.title });
  }
  return {
    from,
    to,
    turns: turns.map((t) => ({
      from: t.startedAt,
      to: t.endedAt,
      phase: t.phase,
      label: t.phase === 'break' ? 'Break' : `Turn ${t.turn}: ${nameOf(t.driver)} driving, ${nameOf(t.navigator)} navigating`,
    })),
    marks,
    bins: [...bins.values()],
  };
}
