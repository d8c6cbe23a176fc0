'use client';

import type { DecisionView } from '../../lib/decisions';

const dateTime = (ms: number) => new Date(ms).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });

/** One decision on the review page: what, when, under which task and roles, what delivery showed, why. */
export function DecisionEntry({ d, bySeq, onJump }: { d: DecisionView; bySeq: ReadonlyMap<string, DecisionView>; onJump: (seq: number) => void }) {
  const link = (id: string, label: string) => {
    const other = bySeq.get(id);
    return other ? (
      <button type="button" className="linkish" onClick={() => onJump(other.seq)}>
        {label} #{other.seq}: {other.title}
      </button>
    ) : null;
  };
  return (
    <li className={`card decision-entry ${d.status}`} id={`decision-${d.seq}`} data-decision={d.seq} data-status={d.status} tabIndex={-1}>
      <header className="decision-entry-head">
        <h2>
          <span className="decision-seq">#{d.seq}</span> {d.title}
        </h2>
        <span className={`tag status-${d.status}`}>{d.status === 'accepted' ? 'Accepted' : 'Superseded'}</span>
      </header>
      <dl className="decision-context">
        <div>
          <dt>When</dt>
          <dd>{dateTime(d.at)}</dd>
        </div>
        <div>
          <dt>Task</dt>
          <dd>{d.taskTitle ?? '—'}</dd>
        </div>
        <div>
          <dt>Driver</dt>
          <dd>{d.driver ?? '—'}</dd>
        </div>
        <div>
          <dt>Navigator</dt>
          <dd>{d.navigator ?? '—'}</dd>
        </div>
        <div>
          <dt>Logged by</dt>
          <dd>{d.author}</dd>
        </div>
        {d.delivery && (
          <div className="decision-delivery">
            <dt>Delivery then</dt>
            <dd>{d.delivery}</dd>
          </div>
        )}
      </dl>
      {/* The form's own words: "What did we decide?" is the title, "Why?" this text. */}
      <h3>Why</h3>
      <p className="decision-text">{d.rationale}</p>
      {d.alternatives && (
        <>
          <h3>Alternatives considered</h3>
          <p className="decision-text">{d.alternatives}</p>
        </>
      )}
      {d.consequences && (
        <>
          <h3>Consequences</h3>
          <p className="decision-text">{d.consequences}</p>
        </>
      )}
      {(d.supersedes || d.supersededBy) && (
        <p className="decision-links small">
          {d.supersedes && link(d.supersedes, 'Supersedes')}
          {d.supersededBy && link(d.supersededBy, 'Superseded by')}
        </p>
      )}
    </li>
  );
}
