'use client';

import { useCallback, useState } from 'react';
import type * as Y from 'yjs';
import { listMembers } from '../../lib/members';
import type { TaskView } from '../../lib/task';
import { useDocSelector } from '../_hooks/useDoc';
import { useSession } from './SessionContext';
import { formatSpent, plural } from './taskFormat';

/** The latest few are what a retro needs at a glance; the rest are one click away. */
const DONE_PAGE = 10;

const selectNames = (doc: Y.Doc) => new Map(listMembers(doc).map((m) => [m.id as string, m.name]));

/** Finished tasks of this session, newest first, with time spent, turns and who drove. */
export function DoneTasks({ done }: { done: TaskView[] }) {
  const { conn } = useSession();
  const names = useDocSelector(conn.doc, useCallback(selectNames, []));
  const [shown, setShown] = useState(DONE_PAGE);
  if (done.length === 0) return null;
  const newestFirst = [...done].reverse();
  const visible = newestFirst.slice(0, shown);
  const hidden = newestFirst.length - visible.length;
  return (
    <section className="card task-done" aria-labelledby="done-title">
      <h2 id="done-title">
        Done <span className="count">{done.length}</span>
      </h2>
      <ol aria-label="Done tasks">
        {visible.map((t) => {
          const s = t.summary;
          const drivers = (s?.drivers ?? []).map((d) => names.get(d) ?? 'someone who left');
          return (
            <li key={t.id} data-done={t.id}>
              <span className="done-title">{t.title}</span>
              <span className="done-meta small muted">
                {formatSpent(s?.spentMs ?? 0)} · {plural(s?.turns ?? 0, 'turn')}
                {t.criteria.length > 0 && ` · ${t.criteria.filter((c) => c.done).length}/${t.criteria.length} criteria`}
                {drivers.length > 0 && ` · drove: ${drivers.join(', ')}`}
              </span>
              {s?.switchedReason && <span className="done-reason small">Switched away: “{s.switchedReason}”</span>}
            </li>
          );
        })}
      </ol>
      {hidden > 0 && (
        <button type="button" className="button ghost" onClick={() => setShown((n) => n + DONE_PAGE * 5)}>
          +{hidden} more
        </button>
      )}
    </section>
  );
}
