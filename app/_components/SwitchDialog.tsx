'use client';

import { useId, useRef, useState } from 'react';
import type { TaskId } from '../../lib/ids';
import { SWITCH_REASON_MAX, type TaskView } from '../../lib/task';
import { Modal } from './Modal';
import { useSession } from './SessionContext';

/** A select of thousands of options helps nobody; the rest stay reachable through the queue's own buttons. */
const MAX_OPTIONS = 100;

/** Switching before the current task is done asks why; the answer is kept with the task. */
export function SwitchDialog({ current, queue, initialTo, onClose }: { current: TaskView; queue: TaskView[]; initialTo?: TaskId; onClose(): void }) {
  const { conn } = useSession();
  const [to, setTo] = useState<string>(initialTo ?? queue[0]?.id ?? '');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const titleId = useId();
  const options = queue.slice(0, MAX_OPTIONS);
  const extra = queue.find((q) => q.id === initialTo && !options.includes(q));
  if (extra) options.push(extra);

  return (
    // Opened from "Switch task…" or a queued task's button; if that one is gone, focus the task title.
    <Modal labelledBy={titleId} onDismiss={onClose} initialFocus={reasonRef} returnFocus={() => document.querySelector<HTMLElement>('.task-now .task-title')}>
      <form
        className="card dialog form"
        onSubmit={async (e) => {
          e.preventDefault();
          const target = queue.find((q) => q.id === to);
          if (!target) {
            setError('Pick the task to switch to.');
            return;
          }
          // One server step: the board moves, the reason is kept with the task and logged as a
          // decision under it; all of it or none of it.
          setBusy(true);
          const r = await conn.command('task:switch', { to: target.id, reason, expected: current.id });
          setBusy(false);
          if (!r.ok) return setError(r.error);
          onClose();
        }}
      >
        <h2 id={titleId}>Switch the current task?</h2>
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
          <button type="submit" className="button primary" disabled={busy}>
            Switch task
          </button>
          <button type="button" className="button ghost" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
