/**
 * The review page's timeline as data: decisions, turns, task changes and CI/CD events of a session
 * on one time axis. Pure, so the page only draws it.
 */
import type { DecisionView } from './decisions';
import type { DeliveryStatus } from './delivery/event';
import type { DeliveryEntry } from './delivery/log';
import type { TurnRecord } from './doc/schema';
import type { TaskView } from './task';

/** Decisions are grouped in bins so 10,000 entries cost the same few hundred elements as 10. */
export const TIMELINE_BINS = 120;

export type TimelineMark = { kind: 'task-start' | 'task-done' | 'task-switch'; at: number; label: string };

export interface Timeline {
  from: number;
  to: number;
  turns: { from: number; to: number; label: string; phase: TurnRecord['phase'] }[];
  marks: TimelineMark[];
  bins: { at: number; count: number; firstSeq: number; firstTitle: string }[];
  /** CI/CD events, binned like decisions; a bin shows its most alarming status. */
  delivery: { at: number; count: number; status: DeliveryStatus; label: string }[];
}

/** Which status a bin of events shows: a failure is never hidden behind a success. */
const SEVERITY: Readonly<Record<DeliveryStatus, number>> = { failure: 5, running: 4, queued: 3, cancelled: 2, success: 1, skipped: 0 };

/** Pure: puts decisions, turns and task changes of a session on one time axis. */
export function buildTimeline(
  decisions: readonly DecisionView[],
  turns: readonly TurnRecord[],
  tasks: readonly TaskView[],
  nameOf: (id: string | null) => string,
  deliveries: readonly DeliveryEntry[] = [],
): Timeline | null {
  const marks: TimelineMark[] = [
    ...tasks.flatMap((t) => [
      ...(t.startedAt !== null ? [{ kind: 'task-start' as const, at: t.startedAt, label: `Started: ${t.title}` }] : []),
      ...(t.doneAt !== null ? [{ kind: 'task-done' as const, at: t.doneAt, label: `Done: ${t.title}` }] : []),
    ]),
    ...decisions.filter((d) => d.kind === 'switch').map((d) => ({ kind: 'task-switch' as const, at: d.at, label: `${d.title}: ${d.rationale}` })),
  ];
  const times = [...decisions.map((d) => d.at), ...turns.flatMap((t) => [t.startedAt, t.endedAt]), ...marks.map((m) => m.at), ...deliveries.map((e) => e.receivedAt)];
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
  // Placed at arrival (the server's clock, like everything else on the axis), not the CI's own time.
  const events = new Map<number, Timeline['delivery'][number]>();
  for (const e of deliveries) {
    const i = Math.min(TIMELINE_BINS - 1, Math.floor((e.receivedAt - from) / width));
    const bin = events.get(i);
    const label = `${e.title}: ${e.status}`;
    if (!bin) events.set(i, { at: from + (i + 0.5) * width, count: 1, status: e.status, label });
    else {
      bin.count++;
      if (SEVERITY[e.status] > SEVERITY[bin.status]) Object.assign(bin, { status: e.status, label });
    }
  }
  return {
    from,
    to,
    delivery: [...events.values()],
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
