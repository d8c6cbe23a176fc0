'use client';

import { useMemo, useState } from 'react';
import { LIMITS } from '../../lib/doc/schema';
import type { TaskId } from '../../lib/ids';
import type { CriterionView } from '../../lib/task';
import { addCriterion, criterionText, moveCriterion, removeCriterion, setCriterionDone } from '../../lib/taskCriteria';
import { CollabText } from './CollabText';
import { useSession } from './SessionContext';
import { Toolbar } from './Toolbar';
import { useToast } from './Toasts';
import { undoable } from './undoable';

/** After a move the row re-renders elsewhere; keep keyboard focus on the same button. */
function refocus(selector: string) {
  requestAnimationFrame(() => document.querySelector<HTMLElement>(selector)?.focus());
}

function CriterionRow({ taskId, c, index, count }: { taskId: TaskId; c: CriterionView; index: number; count: number }) {
  const { conn, readOnly } = useSession();
  const doc = conn.docs;
  const toast = useToast();
  const ytext = useMemo(() => (readOnly ? null : criterionText(doc, taskId, c.id)), [doc, taskId, c.id, readOnly]);
  const n = index + 1;
  if (readOnly) {
    return (
      <li className={`criterion${c.done ? ' done' : ''}`} data-criterion={c.id}>
        <span className="check" role="img" aria-label={c.done ? 'met' : 'open'}>
          {c.done ? '✓' : ''}
        </span>
        <span className="criterion-text">{c.text}</span>
      </li>
    );
  }
  const move = (to: number, action: string) => {
    moveCriterion(doc, taskId, c.id, to);
    refocus(`[data-criterion="${c.id}"] [data-action="${action}"]`);
  };
  return (
    <li className={`criterion${c.done ? ' done' : ''}`} data-criterion={c.id}>
      <input type="checkbox" className="tick" checked={c.done} aria-label={`Criterion ${n} met`} onChange={(e) => setCriterionDone(doc, taskId, c.id, e.target.checked)} />
      <CollabText ytext={ytext} label={`Criterion ${n}`} maxLength={LIMITS.criterion} kind="wrap" className="criterion-input" />
      <Toolbar label={`Criterion ${n}: actions`} className="item-actions">
        <button type="button" className="button ghost icon" data-action="up" aria-label={`Move criterion ${n} up`} disabled={index === 0} onClick={() => move(index - 1, 'up')}>
          ↑
        </button>
        <button type="button" className="button ghost icon" data-action="down" aria-label={`Move criterion ${n} down`} disabled={index === count - 1} onClick={() => move(index + 1, 'down')}>
          ↓
        </button>
        <button type="button" className="button ghost icon" aria-label={`Remove criterion ${n}`} onClick={() => {
            const undo = undoable(doc, () => removeCriterion(doc, taskId, c.id));
            if (undo) toast({ message: `Removed criterion “${c.text.slice(0, 60)}”`, action: { label: 'Undo', run: undo } });
          }}
        >
          ✕
        </button>
      </Toolbar>
    </li>
  );
}

/** Acceptance criteria: tick, edit together, reorder, remove, add. */
export function CriteriaList({ taskId, criteria }: { taskId: TaskId; criteria: CriterionView[] }) {
  const { conn, readOnly } = useSession();
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="criteria">
      {criteria.length > 0 && (
        <ul aria-label="Acceptance criteria">
          {criteria.map((c, i) => (
            <CriterionRow key={c.id} taskId={taskId} c={c} index={i} count={criteria.length} />
          ))}
        </ul>
      )}
      {!readOnly && (
        <form
          className="row add-criterion"
          onSubmit={(e) => {
            e.preventDefault();
            const r = addCriterion(conn.docs, taskId, draft);
            if (r.ok) {
              setDraft('');
              setError(null);
            } else setError(r.error);
          }}
        >
          <input type="text" aria-label="New criterion" placeholder="Done when…" maxLength={LIMITS.criterion} value={draft} onChange={(e) => setDraft(e.target.value)} />
          <button type="submit" className="button">
            Add criterion
          </button>
          {error && (
            <p role="alert" className="error small">
              {error}
            </p>
          )}
        </form>
      )}
    </div>
  );
}
