'use client';

import { type FormEvent, useCallback, useId, useRef, useState } from 'react';
import type { DecisionView } from '../../lib/decisions';
import { LIMITS, type SessionDocs } from '../../lib/doc/schema';
import { checkDecisionText } from '../../lib/decisionInput';
import type { TaskId } from '../../lib/ids';
import { listTasks } from '../../lib/task';
import { useDocSelector } from '../_hooks/useDoc';
import { Modal } from './Modal';
import { useSession } from './SessionContext';
import '../_styles/decisions.css';

/** Tasks a decision can be filed under, current first; the select stays short on a long queue. */
const TASK_CHOICES = 40;
const NO_TASK = 'none';

const selectChoices = (docs: SessionDocs) => {
  const { current, queue, done } = listTasks(docs);
  return { current, others: [...queue, ...[...done].reverse()].slice(0, TASK_CHOICES) };
};

export type SubmitState = { kind: 'idle' } | { kind: 'sending' } | { kind: 'error'; message: string };

/**
 * The short "log a decision" form, in a dialog. The server stamps time, task and roles; this form
 * only sends what people typed (and who is typing), and closes once the entry is durable.
 */
export function LogDecisionForm({ supersedes, onClose }: { supersedes: DecisionView | null; onClose: () => void }) {
  const { conn, me } = useSession();
  const tasks = useDocSelector(conn.docs, useCallback(selectChoices, []));
  const [state, setState] = useState<SubmitState>({ kind: 'idle' });
  const titleRef = useRef<HTMLInputElement>(null);
  const ids = useId();

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!me) return setState({ kind: 'error', message: 'Join the session first.' });
    const form = new FormData(e.currentTarget);
    const field = (k: string) => String(form.get(k) ?? '');
    const task = field('taskId');
    const payload = {
      title: field('title'),
      rationale: field('rationale'),
      alternatives: field('alternatives'),
      consequences: field('consequences'),
      supersedes: supersedes?.id ?? null,
      // The task it belongs to (the current one unless the author picked another); the author is
      // whoever this browser joined as: the server takes that from the connection.
      taskId: task === NO_TASK ? null : ((task || tasks.current?.id) as TaskId | undefined),
    };
    // Checked here for an instant message; the server parses it again (it trusts no client).
    const problem = checkDecisionText(payload);
    if (problem) return setState({ kind: 'error', message: problem });
    setState({ kind: 'sending' });
    void conn.command('decision:log', payload).then((reply) => {
      if (!reply.ok) return setState({ kind: 'error', message: reply.error });
      onClose();
    });
  }

  return (
    // Opened with "d" the focus may have been nowhere: it goes to the "Log decision" button then.
    <Modal labelledBy={`${ids}-title`} onDismiss={onClose} initialFocus={titleRef} returnFocus={() => document.querySelector<HTMLElement>('[data-action="log-decision"]')}>
      <div className="card dialog decision-dialog">
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
            For the task
            <select name="taskId" defaultValue={supersedes?.taskId ?? tasks.current?.id ?? NO_TASK}>
              {tasks.current && <option value={tasks.current.id}>Current: {tasks.current.title}</option>}
              {tasks.others.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.doneAt !== null ? 'Done' : 'Next up'}: {t.title}
                </option>
              ))}
              <option value={NO_TASK}>No task</option>
            </select>
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
    </Modal>
  );
}
