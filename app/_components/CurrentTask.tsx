'use client';

import { Fragment, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { LIMITS, readRotation } from '../../lib/doc/schema';
import type { TaskId } from '../../lib/ids';
import { type TaskView, taskText } from '../../lib/task';
import { useDocSelector } from '../_hooks/useDoc';
import { AddTaskForm } from './AddTaskForm';
import { CollabText } from './CollabText';
import { CriteriaList } from './CriteriaList';
import { useSession } from './SessionContext';
import { SwitchTaskDialog } from './sessionParts';
import { useTaskClock } from './taskClock';
import { FitText } from './FitText';
import { useToast } from './Toasts';
import { plural, progressParts, SEPARATOR } from './taskFormat';
import type { SessionDocs } from '../../lib/doc/schema';

/** Smallest size the current task's title shrinks to before it is cut (px). */
const TITLE_MIN_PX = 18;

/** Elapsed time only needs to read right to the minute on a shared screen. */
const ELAPSED_REFRESH_MS = 15_000;

function useNowEvery(ms: number): number {
  const clock = useTaskClock();
  const [now, setNow] = useState(clock);
  useEffect(() => {
    setNow(clock());
    const id = setInterval(() => setNow(clock()), ms);
    return () => clearInterval(id);
  }, [ms, clock]);
  return now;
}

const selectTurn = (doc: SessionDocs) => readRotation(doc).turn;

function Progress({ task }: { task: TaskView }) {
  const { conn } = useSession();
  const now = useNowEvery(ELAPSED_REFRESH_MS);
  const turn = useDocSelector(conn.docs, useCallback(selectTurn, []));
  const met = task.criteria.filter((c) => c.done).length;
  const total = task.criteria.length;
  const turns = task.startTurn === null ? 0 : Math.max(0, turn - task.startTurn);
  return (
    <div className="task-progress" data-testid="task-progress">
      {total > 0 && (
        <meter className="meter" aria-label="Criteria met" min={0} max={total} value={met} />
      )}
      <span className="progress-text">
        {/* Each part stays whole and carries the dot after it: a line may end with "·", never start with it. */}
        {progressParts({ met, total, spentMs: task.startedAt === null ? null : now - task.startedAt, turns }).map((part, i, all) => (
          <Fragment key={part}>
            {i > 0 && ' '}
            <span className={i === 0 ? 'progress-part' : 'progress-part muted'}>{i < all.length - 1 ? `${part}${SEPARATOR}` : part}</span>
          </Fragment>
        ))}
      </span>
    </div>
  );
}

/** The switch dialog: closed (null) or open, optionally with the queued task to switch to. */
export type Switching = { to: TaskId | null } | null;

/** The one task the mob works on now: large title, why it matters, the acceptance criteria. */
export function CurrentTask({ task, queue, switching, onSwitching }: { task: TaskView | null; queue: TaskView[]; switching: Switching; onSwitching(s: Switching): void }) {
  const { conn, readOnly } = useSession();
  const doc = conn.docs;
  const [error, setError] = useState<string | null>(null);
  const toast = useToast();
  const taskId = task?.id ?? null;
  const title = useMemo(() => (taskId && !readOnly ? taskText(doc, taskId, 'title') : null), [doc, taskId, readOnly]);
  const why = useMemo(() => (taskId && !readOnly ? taskText(doc, taskId, 'why') : null), [doc, taskId, readOnly]);

  if (!task) {
    return (
      <section className="card task-now" aria-label="Current task">
        <p className="eyebrow">Current task</p>
        <p className="task-empty">No task yet.</p>
        {readOnly ? <p className="muted">The mob has not picked a task yet.</p> : <AddTaskForm label="Start a task" placeholder="What does the mob work on first?" />}
      </section>
    );
  }

  const open = task.criteria.filter((c) => !c.done).length;
  return (
    <section className="card task-now" aria-label="Current task" data-task={task.id}>
      <div className="task-head">
        <p className="eyebrow">Current task</p>
        <Progress task={task} />
      </div>
      {readOnly ? (
        <h2 className="task-title" data-testid="task-title">
          <FitText text={task.title} minPx={TITLE_MIN_PX} />
        </h2>
      ) : (
        <CollabText key={`${task.id}-title`} ytext={title} label="Task title" maxLength={LIMITS.taskTitle} kind="wrap" className="task-title" fit={{ text: task.title, minPx: TITLE_MIN_PX }} />
      )}
      <div className="task-why">
        <span className="why-label" id="why-label">
          Why it matters
        </span>
        {readOnly ? (
          <p className="why-text" data-testid="task-why">
            {task.why || <span className="muted">—</span>}
          </p>
        ) : (
          <CollabText key={`${task.id}-why`} ytext={why} label="Why it matters" maxLength={LIMITS.taskWhy} kind="block" className="why-text" placeholder="Who needs this, and what changes for them?" />
        )}
      </div>
      <div className="criteria-head">
        <h3>Acceptance criteria</h3>
      </div>
      {task.criteria.length === 0 && (
        <p className="hint" role="note">
          Write the acceptance criteria first: how will the mob know this task is done? Agree on them before you start the timer.
        </p>
      )}
      <CriteriaList taskId={task.id} criteria={task.criteria} />
      {!readOnly && (
        <div className="task-actions row">
          <button
            type="button"
            className="button primary"
            onClick={async () => {
              const r = await conn.command('task:complete', { taskId: task.id });
              setError(r.ok ? null : r.error);
              if (r.ok) toast({ message: `“${task.title}” is done`, action: { label: 'Undo', run: () => void conn.command('task:reopen', { taskId: task.id, current: true }) } });
            }}
          >
            ✓ Mark done{queue.length > 0 ? ', start next' : ''}
          </button>
          <button type="button" className="button" disabled={queue.length === 0} onClick={() => onSwitching({ to: null })} title={queue.length === 0 ? 'Add a task to Next up first' : undefined}>
            Switch task…
          </button>
          {open > 0 && task.criteria.length > 0 && <span className="muted small">{plural(open, 'criterion', 'criteria')} still open</span>}
          {error && (
            <p role="alert" className="error small">
              {error}
            </p>
          )}
        </div>
      )}
      {switching && !readOnly && (
        <Suspense fallback={null}>
          <SwitchTaskDialog.Component current={task} queue={queue} initialTo={switching.to ?? undefined} onClose={() => onSwitching(null)} />
        </Suspense>
      )}
    </section>
  );
}
