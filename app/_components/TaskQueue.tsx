'use client';

import { useMemo, useState } from 'react';
import { LIMITS } from '../../lib/doc/schema';
import type { TaskId } from '../../lib/ids';
import { moveTask, removeTask, type TaskView, taskText } from '../../lib/task';
import { AddTaskForm } from './AddTaskForm';
import { CollabText } from './CollabText';
import { useSession } from './SessionContext';
import { Toolbar } from './Toolbar';
import { useToast } from './Toasts';
import { undoable } from './undoable';

/** Rows rendered at first and per "show more": thousands of items stay fast and scannable. */
export const QUEUE_PAGE = 20;

function refocus(selector: string) {
  requestAnimationFrame(() => document.querySelector<HTMLElement>(selector)?.focus());
}

function QueueRow({ task, index, count, onSwitch }: { task: TaskView; index: number; count: number; onSwitch(to: TaskId): void }) {
  const { conn, readOnly } = useSession();
  const doc = conn.docs;
  const toast = useToast();
  const ytext = useMemo(() => (readOnly ? null : taskText(doc, task.id, 'title')), [doc, task.id, readOnly]);
  const n = index + 1;
  const move = (to: number, action: string) => {
    moveTask(doc, task.id, to);
    refocus(`[data-queued="${task.id}"] [data-action="${action}"]`);
  };
  return (
    <li data-queued={task.id} className="queued">
      <span className="pos" aria-hidden="true">
        {n}
      </span>
      {readOnly ? (
        <span className="queued-title">{task.title}</span>
      ) : (
        <>
          <CollabText ytext={ytext} label={`Next up ${n}`} maxLength={LIMITS.taskTitle} kind="wrap" className="queued-title" />
          <Toolbar label={`Next up ${n}: actions`} className="item-actions">
            <button type="button" className="button ghost icon" data-action="up" aria-label={`Move “${task.title}” up`} disabled={index === 0} onClick={() => move(index - 1, 'up')}>
              ↑
            </button>
            <button type="button" className="button ghost icon" data-action="down" aria-label={`Move “${task.title}” down`} disabled={index === count - 1} onClick={() => move(index + 1, 'down')}>
              ↓
            </button>
            <button type="button" className="button ghost icon" aria-label={`Switch to “${task.title}” now`} title="Switch to this task now" onClick={() => onSwitch(task.id)}>
              ⇥
            </button>
            <button type="button" className="button ghost icon" aria-label={`Remove “${task.title}”`} onClick={() => {
                const undo = undoable(doc, () => removeTask(doc, task.id));
                if (undo) toast({ message: `Removed “${task.title}”`, action: { label: 'Undo', run: undo } });
              }}
            >
              ✕
            </button>
          </Toolbar>
        </>
      )}
    </li>
  );
}

/** "Next up": the waiting tasks, in order. */
export function TaskQueue({ queue, hasCurrent, onSwitch }: { queue: TaskView[]; hasCurrent: boolean; onSwitch(to: TaskId): void }) {
  const { readOnly } = useSession();
  const [shown, setShown] = useState(QUEUE_PAGE);
  const visible = queue.slice(0, shown);
  const hidden = queue.length - visible.length;
  return (
    <section className="card task-queue" aria-labelledby="queue-title">
      <h2 id="queue-title">
        Next up <span className="count">{queue.length}</span>
      </h2>
      {queue.length === 0 ? (
        <p className="muted small">{readOnly ? 'Nothing waiting.' : 'Nothing waiting. Add what comes after the current task.'}</p>
      ) : (
        <ol aria-label="Next up">
          {visible.map((t, i) => (
            <QueueRow key={t.id} task={t} index={i} count={queue.length} onSwitch={onSwitch} />
          ))}
        </ol>
      )}
      {hidden > 0 && (
        <div className="row more">
          <span className="muted small" data-testid="queue-more">
            +{hidden} more
          </span>
          <button type="button" className="button ghost" onClick={() => setShown((n) => n + QUEUE_PAGE * 5)}>
            Show {Math.min(hidden, QUEUE_PAGE * 5)} more
          </button>
        </div>
      )}
      {!readOnly && hasCurrent && <AddTaskForm label="Add to Next up" placeholder="A task for later" />}
    </section>
  );
}
