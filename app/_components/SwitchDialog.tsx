'use client';

import { useEffect, useRef, useState } from 'react';
import type { TaskId } from '../../lib/ids';
import { checkDecisionText } from '../../lib/decisionInput';
import { SWITCH_REASON_MAX, switchDecision, switchTask, type TaskView } from '../../lib/task';
import { useSession } from './SessionContext';
import { useTaskClock } from './taskClock';

/** A select of thousands of options helps nobody; the rest stay reachable through the queue's own buttons. */
const MAX_OPTIONS = 100;

/** Switching before the current task is done asks why; the answer is kept with the task. */
export function SwitchDialog({ current, queue, initialTo, onClose }: { current: TaskView; queue: TaskView[]; initialTo?: TaskId; onClose(): void }) {
  const { conn, me } = useSession();
  const [to, setTo] = useState<string>(initialTo ?? queue[0]?.id ?? '');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const clock = useTaskClock();
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  useEffect(() => reasonRef.current?.focus(), []);
  const options = queue.slice(0, MAX_OPTIONS);
  const extra = queue.find((q) => q.id === initialTo && !options.includes(q));
  if (extra) options.push(extra);

  return (
    <div
      className="overlay"
      role="dialog"
      aria-modal="true"
      aria-labelledby="switch-title"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <form
        className="card dialog form"
        onSubmit={(e) => {
          e.preventDefault();
          const target = queue.find((q) => q.id === to);
          if (!target) {
            setError('Pick the task to switch to.');
            return;
          }
          const r = switchTask(conn.doc, target.id, reason, clock(), current.id);
          if (!r.ok) return setError(r.error);
          // The reason also goes to the decision log (server-stamped). Best effort: it is kept
          // with the task in any case, so a failed or unanswered log call loses nothing.
          const entry = me ? { ...switchDecision(current.title, target.title, reason), memberId: me.id } : null;
          if (entry && checkDecisionText(entry) === null) conn.socket.emit('decision:log', entry, () => undefined);
          onClose();
        }}
      >
        <h2 id="switch-title">Switch the current task?</h2>
        <p className="muted small">
          “<span className="quote">{current.title}</span>” goes back to the top of Next up. The mob’s reason is recorded with it.
        </p>
        <label>
          Switch to
          <select value={to} onChange={(e) => setTo(e.target.value)}>
            {options.map((q) => (
              <option key={q.id} value={q.id}>
                {q.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          Why switch now?
          <textarea ref={reasonRef} rows={3} maxLength={SWITCH_REASON_MAX} required value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. production incident, blocked on the API team" />
        </label>
        {error && (
          <p role="alert" className="error small">
            {error}
          </p>
        )}
        <div className="row">
          <button type="submit" className="button primary">
            Switch task
          </button>
          <button type="button" className="button ghost" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}
