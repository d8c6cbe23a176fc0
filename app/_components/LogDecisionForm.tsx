'use client';

import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import type { DecisionView } from '../../lib/decisions';
import { LIMITS } from '../../lib/doc/schema';
import { checkDecisionText } from '../../lib/decisionInput';
import { useSession } from './SessionContext';
import '../_styles/decisions.css';

/** How long to wait for the server's ack before telling the person it did not go through. */
const ACK_TIMEOUT_MS = 10_000;

export type SubmitState = { kind: 'idle' } | { kind: 'sending' } | { kind: 'error'; message: string };

/**
 * The short "log a decision" form, in a dialog. The server stamps time, task and roles; this form
 * only sends what people typed (and who is typing), and closes once the entry is durable.
 */
export function LogDecisionForm({ supersedes, onClose }: { supersedes: DecisionView | null; onClose: () => void }) {
  const { conn, me } = useSession();
  const [state, setState] = useState<SubmitState>({ kind: 'idle' });
  const titleRef = useRef<HTMLInputElement>(null);
  const ids = useId();

  useEffect(() => {
    titleRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!me) return setState({ kind: 'error', message: 'Join the session first.' });
    const form = new FormData(e.currentTarget);
    const field = (k: string) => String(form.get(k) ?? '');
    const payload = {
      title: field('title'),
      rationale: field('rationale'),
      alternatives: field('alternatives'),
      consequences: field('consequences'),
      supersedes: supersedes?.id ?? null,
      memberId: me.id,
    };
    // Checked here for an instant message; the server parses it again (it trusts no client).
    const problem = checkDecisionText(payload);
    if (problem) return setState({ kind: 'error', message: problem });
    setState({ kind: 'sending' });
    conn.socket.timeout(ACK_TIMEOUT_MS).emit(
      'decision:log',
      payload,
      (err, reply) => {
        if (err) return setState({ kind: 'error', message: 'The server did not answer; check the connection and try again.' });
        if (!reply.ok) return setState({ kind: 'error', message: reply.error });
        onClose();
      },
    );
  }

  return (
    <div className="overlay">
      <div className="card dialog decision-dialog" role="dialog" aria-modal="true" aria-labelledby={`${ids}-title`}>
        <h2 id={`${ids}-title`}>{supersedes ? 'Correct a decision' : 'Log a decision'}</h2>
        {supersedes && (
          <p className="muted small" data-testid="supersedes-note">
            Supersedes #{supersedes.seq}: {supersedes.title}
          </p>
        )}
        <form className="form" onSubmit={submit} noValidate>
          <label>
            What did we decide?
            <input ref={titleRef} name="title" maxLength={LIMITS.decisionTitle} required autoComplete="off" placeholder="Use Postgres for the ledger" />
          </label>
          <label>
            Why?
            <textarea name="rationale" rows={3} maxLength={LIMITS.decisionText} required placeholder="What made this the right call now" />
          </label>
          <label>
            <span>
              Alternatives considered <span className="muted">(optional)</span>
            </span>
            <textarea name="alternatives" rows={2} maxLength={LIMITS.decisionText} />
          </label>
          <details className="decision-more">
            <summary>Consequences</summary>
            <label>
              <span>
                What follows from it <span className="muted">(optional)</span>
              </span>
              <textarea name="consequences" rows={2} maxLength={LIMITS.decisionText} />
            </label>
          </details>
          {state.kind === 'error' && (
            <p role="alert" className="error small">
              {state.message}
            </p>
          )}
          <div className="row decision-actions">
            <span className="muted small">The server adds the time, task, driver and navigator.</span>
            <button type="button" className="button ghost" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="button primary" disabled={state.kind === 'sending' || !me}>
              {state.kind === 'sending' ? 'Saving…' : 'Log decision'}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
