'use client';

import type { Timeline } from '../../lib/decisionTimeline';

const clock = (ms: number) => new Date(ms).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** One line: turns as bands, task changes as flags, CI/CD events as dots, decisions as ticks (taller = more). */
export function DecisionTimeline({ timeline, onJump }: { timeline: Timeline; onJump: (seq: number) => void }) {
  const pct = (at: number) => `${(((at - timeline.from) / (timeline.to - timeline.from)) * 100).toFixed(3)}%`;
  const span = (a: number, b: number) => `${Math.max(0.2, ((b - a) / (timeline.to - timeline.from)) * 100).toFixed(3)}%`;
  const most = Math.max(1, ...timeline.bins.map((b) => b.count));
  return (
    <figure className="timeline" aria-label="Timeline of decisions, turns, task changes and CI/CD events">
      <div className="timeline-track">
        {timeline.turns.map((t, i) => (
          <span key={`${t.from}-${t.to}`} className={`timeline-turn ${t.phase} ${i % 2 ? 'odd' : 'even'}`} style={{ left: pct(t.from), width: span(t.from, t.to) }} title={t.label} />
        ))}
        {timeline.marks.map((m) => (
          <span key={`${m.kind}-${m.at}-${m.label}`} className={`timeline-mark ${m.kind}`} style={{ left: pct(m.at) }} title={m.label}>
            <span className="timeline-mark-label">{m.kind === 'task-start' ? '▶' : m.kind === 'task-switch' ? '⇄' : '✓'}</span>
          </span>
        ))}
        {timeline.delivery.map((d) => (
          <span
            key={`delivery-${d.at}`}
            className="timeline-delivery"
            data-status={d.status}
            style={{ left: pct(d.at) }}
            title={d.count === 1 ? d.label : `${d.count} CI/CD events, e.g. ${d.label}`}
          />
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
          {timeline.delivery.length > 0 && <span className="key key-delivery">CI/CD</span>}
        </span>
        <span>{clock(timeline.to)}</span>
      </figcaption>
    </figure>
  );
}
