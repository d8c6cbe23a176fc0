'use client';

import type { DecisionView } from '../../lib/decisions';
import type { TurnRecord } from '../../lib/doc/schema';
import type { TaskView } from '../../lib/task';

/** Decisions are drawn as bins so 10,000 entries cost the same few hundred elements as 10. */
const BINS = 120;

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
  const width = (to - from) / BINS;
  const bins = new Map<number, Timeline['bins'][number]>();
  for (const d of decisions) {
    const i = Math.min(BINS - 1, Math.floor((d.at - from) / width));
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

const clock = (ms: number) => new Date(ms).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** One line: turns as bands, task changes as flags, decisions as ticks (taller = more). */
export function DecisionTimeline({ timeline, onJump }: { timeline: Timeline; onJump: (seq: number) => void }) {
  const pct = (at: number) => `${(((at - timeline.from) / (timeline.to - timeline.from)) * 100).toFixed(3)}%`;
  const span = (a: number, b: number) => `${Math.max(0.2, ((b - a) / (timeline.to - timeline.from)) * 100).toFixed(3)}%`;
  const most = Math.max(1, ...timeline.bins.map((b) => b.count));
  return (
    <figure className="timeline" aria-label="Timeline of decisions, turns and task changes">
      <div className="timeline-track">
        {timeline.turns.map((t, i) => (
          <span key={`${t.from}-${t.to}`} className={`timeline-turn ${t.phase} ${i % 2 ? 'odd' : 'even'}`} style={{ left: pct(t.from), width: span(t.from, t.to) }} title={t.label} />
        ))}
        {timeline.marks.map((m) => (
          <span key={`${m.kind}-${m.at}-${m.label}`} className={`timeline-mark ${m.kind}`} style={{ left: pct(m.at) }} title={m.label}>
            <span className="timeline-mark-label">{m.kind === 'task-start' ? '▶' : '✓'}</span>
          </span>
        ))}
        {timeline.bins.map((b) => (
          <button
            key={b.firstSeq}
            type="button"
            className="timeline-decision"
            style={{ left: pct(b.at), height: `${30 + (70 * b.count) / most}%` }}
            title={b.count === 1 ? `#${b.firstSeq} ${b.firstTitle}` : `${b.count} decisions from #${b.firstSeq}`}
            aria-label={b.count === 1 ? `Decision ${b.firstSeq}: ${b.firstTitle}` : `${b.count} decisions from number ${b.firstSeq}`}
            onClick={() => onJump(b.firstSeq)}
          />
        ))}
      </div>
      <figcaption className="timeline-legend small muted">
        <span>{clock(timeline.from)}</span>
        <span className="timeline-keys">
          <span className="key key-decision">decision</span>
          <span className="key key-turn">turn</span>
          <span className="key key-task">task change</span>
        </span>
        <span>{clock(timeline.to)}</span>
      </figcaption>
    </figure>
  );
}
