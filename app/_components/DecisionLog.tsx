'use client';

import type { SessionDocs } from '../../lib/doc/schema';
import { Suspense, useCallback, useEffect, useState } from 'react';
import { type DecisionView, latestDecisions } from '../../lib/decisions';
import { decisionsOf } from '../../lib/doc/schema';
import { useDocSelector } from '../_hooks/useDoc';
import { LogDecisionDialog } from './sessionParts';
import { useSession } from './SessionContext';
import '../_styles/decisions.css';

/** How many of the newest decisions stay visible beside the task. */
const LATEST = 4;

const selectLatest = (doc: SessionDocs) => ({ latest: latestDecisions(doc, LATEST), total: decisionsOf(doc).length });

/** True when a key press belongs to something the person is typing into. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

export const timeOf = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** The latest decisions, live, with the "log a decision" form (shortcut: d, or Ctrl/Cmd+Shift+D). */
export function DecisionLog() {
  const { conn, readOnly, me } = useSession();
  const { latest, total } = useDocSelector(conn.docs, useCallback(selectLatest, []));
  // null = closed; { target } = open, superseding `target` when it is set.
  const [form, setForm] = useState<{ target: DecisionView | null } | null>(null);
  const canLog = !readOnly && me !== null;
  const close = useCallback(() => setForm(null), []);

  useEffect(() => {
    if (!canLog) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing || e.repeat) return;
      const chord = (e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === 'd';
      const plain = e.key === 'd' && !e.ctrlKey && !e.metaKey && !e.altKey && !isTyping(e.target);
      // Another dialog (joining, renaming) owns the keyboard while it is open.
      if (!(chord || plain) || document.querySelector('dialog[open]')) return;
      e.preventDefault();
      setForm({ target: null });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [canLog]);

  const reviewHref = `/${readOnly ? 'v' : 's'}/${conn.room}/log`;

  return (
    <section className="card decision-log" aria-labelledby="decisions-title">
      <div className="decision-log-head">
        <h2 id="decisions-title">
          Decisions <span className="count">{total}</span>
        </h2>
        {canLog && (
          <button type="button" className="button primary" data-action="log-decision" onClick={() => setForm({ target: null })} aria-keyshortcuts="d Control+Shift+D">
            Log decision <kbd>D</kbd>
          </button>
        )}
      </div>
      {latest.length === 0 ? (
        <p className="muted small">
          No decisions yet.
          {!readOnly && (
            <>
              {' '}
              Log one<span className="kbd-hint"> (press D)</span>: what, why, and what else you considered.
            </>
          )}
        </p>
      ) : (
        <ol className="decision-latest" aria-label="Latest decisions">
          {latest.map((d) => (
            <li key={d.id} data-decision={d.seq} data-status={d.status} className={d.status}>
              <div className="decision-line">
                <span className="decision-seq">#{d.seq}</span>
                <span className="decision-title">{d.title}</span>
              </div>
              <p className="muted small decision-meta">
                {timeOf(d.at)} · {d.author}
                {d.driver ? ` · driver ${d.driver}` : ''}
                {d.supersedes ? ' · correction' : ''}
                {d.status === 'superseded' && <span className="tag">superseded</span>}
              </p>
              {canLog && d.status === 'accepted' && (
                <button type="button" className="linkish small" onClick={() => setForm({ target: d })} aria-label={`Supersede decision ${d.seq}`}>
                  Supersede
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
      <a className="small review-link" href={reviewHref}>
        Review the whole log →
      </a>
      {form && (
        <Suspense fallback={null}>
          <LogDecisionDialog.Component supersedes={form.target} onClose={close} />
        </Suspense>
      )}
    </section>
  );
}
