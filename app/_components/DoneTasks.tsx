'use client';

import { useCallback, useState } from 'react';
import { listMembers } from '../../lib/members';
import type { TaskView } from '../../lib/task';
import { useDocSelector } from '../_hooks/useDoc';
import { useSession } from './SessionContext';
import { formatSpent, plural } from './taskFormat';
import type { SessionDocs } from '../../lib/doc/schema';

/** The latest few are what a retro needs at a glance; the rest are one click away. */
const DONE_PAGE = 10;

const selectNames = (doc: SessionDocs) => new Map(listMembers(doc).map((m) => [m.id as string, m.name]));

/** Finished tasks of this session, newest first, with time spent, turns and who drove. */
export function DoneTasks({ done }: { done: TaskView[] }) {
  const { conn, readOnly } = useSession();
  const names = useDocSelector(conn.docs, useCallback(selectNames, []));
  const [shown, setShown] = useState(DONE_PAGE);
  const [error, setError] = useState<string | null>(null);
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
              {!readOnly && (
                <button
                  type="button"
                  className="button ghost small reopen"
                  aria-label={`Reopen “${t.title}”`}
                  onClick={async () => {
                    const r = await conn.command('task:reopen', { taskId: t.id });
                    setError(r.ok ? null : r.error);
                  }}
                >
                  Reopen
                </button>
              )}
            </li>
          );
        })}
      </ol>
      {error && (
        <p role="alert" className="error small">
          {error}
        </p>
      )}
      {hidden > 0 && (
        <button type="button" className="button ghost" onClick={() => setShown((n) => n + DONE_PAGE * 5)}>
          +{hidden} more
        </button>
      )}
    </section>
  );
}
