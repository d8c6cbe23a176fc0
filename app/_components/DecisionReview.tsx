'use client';

import type { SessionDocs } from '../../lib/doc/schema';
import { useCallback, useDeferredValue, useEffect, useMemo, useState } from 'react';
import { buildTimeline } from '../../lib/decisionTimeline';
import { decisionTasks, filterDecisions, listDecisions } from '../../lib/decisions';
import { readSessionName, readTurns } from '../../lib/doc/schema';
import { parseTaskId } from '../../lib/ids';
import { listMembers } from '../../lib/members';
import { listTasks } from '../../lib/task';
import { useDocSelector } from '../_hooks/useDoc';
import { type SessionConnection, useSessionConnection } from '../_hooks/useSessionConnection';
import { ConnectionBadge } from './ConnectionBadge';
import { DecisionEntry } from './DecisionEntry';
import { DeliveryEvents } from './DeliveryEvents';
import { selectDelivery } from './deliveryView';
import { TopBar } from './TopBar';
import { DecisionTimeline } from './DecisionTimeline';
import '../_styles/decisions.css';
import '../_styles/delivery.css';

/** Entries per page: paging keeps a 10,000-decision log as light as a short one. */
const PAGE_SIZES = [25, 100, 500] as const;
const ALL_TASKS = 'all';
const NO_TASK = 'none';

const selectReview = (doc: SessionDocs) => {
  const { current, queue, done } = listTasks(doc);
  return {
    name: readSessionName(doc),
    decisions: listDecisions(doc),
    turns: readTurns(doc),
    tasks: [...done, ...(current ? [current] : []), ...queue],
    members: listMembers(doc),
    deliveries: selectDelivery(doc).entries,
  };
};

/** The review page of the decision log (/s/<id>/log and /v/<token>/log). */
export function DecisionReview({ room, readOnly }: { room: string; readOnly: boolean }) {
  // The review only reads: no member token needed.
  const { conn, status } = useSessionConnection(room, readOnly, null);
  if (!conn) return <main className="page" aria-busy="true" />;
  return <Review conn={conn} status={status} />;
}

function Review({ conn, status }: { conn: SessionConnection; status: ReturnType<typeof useSessionConnection>['status'] }) {
  const { room, readOnly, docs } = conn;
  const data = useDocSelector(docs, useCallback(selectReview, []));
  const [task, setTask] = useState<string>(ALL_TASKS);
  const [query, setQuery] = useState('');
  const deferredQuery = useDeferredValue(query);
  const [pageSize, setPageSize] = useState<number>(PAGE_SIZES[0]);
  const [page, setPage] = useState(0);
  const [scrollTo, setScrollTo] = useState<number | null>(null);
  const [everLive, setEverLive] = useState(false);
  if (status.kind === 'live' && !everLive) setEverLive(true);

  const filtered = useMemo(
    () => filterDecisions(data.decisions, { taskId: task === ALL_TASKS ? undefined : task === NO_TASK ? null : (parseTaskId(task) ?? undefined), query: deferredQuery }),
    [data.decisions, task, deferredQuery],
  );
  const taskOptions = useMemo(() => decisionTasks(data.decisions), [data.decisions]);
  const timeline = useMemo(() => {
    const names = new Map(data.members.map((m) => [m.id as string, m.name]));
    return buildTimeline(data.decisions, data.turns, data.tasks, (id) => (id ? (names.get(id) ?? 'someone') : 'nobody'), data.deliveries);
  }, [data]);
  // CI/CD events beside the decisions, filtered by the same task, newest first.
  const deliveries = useMemo(() => {
    const wanted = task === ALL_TASKS ? undefined : task === NO_TASK ? null : parseTaskId(task);
    return data.deliveries.filter((e) => wanted === undefined || e.taskId === wanted).reverse();
  }, [data.deliveries, task]);
  const bySeq = useMemo(() => new Map(data.decisions.map((d) => [d.id as string, d])), [data.decisions]);

  const pages = Math.max(1, Math.ceil(filtered.length / pageSize));
  const current = Math.min(page, pages - 1);
  const shown = filtered.slice(current * pageSize, (current + 1) * pageSize);

  /** Shows a decision wherever it is: clears filters, turns to its page, scrolls to it. */
  const jumpTo = useCallback(
    (seq: number) => {
      const index = data.decisions.findIndex((d) => d.seq === seq);
      if (index === -1) return;
      setTask(ALL_TASKS);
      setQuery('');
      setPage(Math.floor(index / pageSize));
      setScrollTo(seq);
    },
    [data.decisions, pageSize],
  );
  useEffect(() => {
    if (scrollTo === null) return;
    const el = document.getElementById(`decision-${scrollTo}`);
    if (!el) return;
    el.scrollIntoView({ block: 'center' });
    el.focus({ preventScroll: true });
    setScrollTo(null);
  });

  const base = readOnly ? `/api/view/${room}` : `/api/sessions/${room}`;
  const sessionHref = `/${readOnly ? 'v' : 's'}/${room}`;

  return (
    <div className="session review">
      <TopBar
        heading="Decision log"
        skipLabel="Skip to the decisions"
        notes={
          <>
            <span className="muted">{data.name}</span>
            {readOnly && <span className="tag">read-only</span>}
          </>
        }
      >
        <ConnectionBadge status={status} readOnly={readOnly} />
        <a className="button ghost" href={sessionHref}>
          ← Back to the session
        </a>
      </TopBar>

      <main className={`page review-page${data.deliveries.length > 0 ? ' with-delivery' : ''}`} id="main" tabIndex={-1}>
        {/* The topbar is hidden on paper; this heading takes its place there. */}
        <h1 className="print-only">
          Decision log · {data.name} · {data.decisions.length} {data.decisions.length === 1 ? 'decision' : 'decisions'}
        </h1>
        <section className="card review-tools" aria-label="Filter and export">
          <div className="row review-filters">
            <label>
              Task
              <select
                aria-label="Filter by task"
                value={task}
                onChange={(e) => {
                  setTask(e.target.value);
                  setPage(0);
                }}
              >
                <option value={ALL_TASKS}>All tasks ({data.decisions.length})</option>
                {taskOptions.map((t) => (
                  <option key={t.taskId ?? NO_TASK} value={t.taskId ?? NO_TASK}>
                    {t.taskId ? t.title : 'No task'} ({t.count})
                  </option>
                ))}
              </select>
            </label>
            <label className="grow">
              Search
              <input
                aria-label="Search decisions"
                type="search"
                value={query}
                placeholder="Words in the title, rationale, alternatives or names"
                onChange={(e) => {
                  setQuery(e.target.value);
                  setPage(0);
                }}
              />
            </label>
          </div>
          <div className="row">
            <a className="button" href={`${base}/decisions.md`} download>
              Download Markdown
            </a>
            <a className="button" href={`${base}/decisions.json`} download>
              Download JSON
            </a>
            <button type="button" className="button ghost" onClick={() => window.print()}>
              Print
            </button>
          </div>
        </section>

        {timeline && <DecisionTimeline timeline={timeline} onJump={jumpTo} />}

        {status.kind === 'gone' && (
          <p role="alert" className="banner error">
            This log is not available: {status.reason}.
          </p>
        )}

        <p className="muted small" role="status" data-testid="decision-count">
          {!everLive && data.decisions.length === 0
            ? 'Loading the log…'
            : `${filtered.length} of ${data.decisions.length} ${data.decisions.length === 1 ? 'decision' : 'decisions'}${pages > 1 ? ` · page ${current + 1} of ${pages}` : ''}`}
        </p>

        <div className={`review-body${data.deliveries.length > 0 ? ' with-delivery' : ''}`}>
          <div className="review-decisions">
            {filtered.length === 0 && data.decisions.length > 0 ? (
              <div className="card review-empty" data-testid="no-match">
                <p>
                  No decision matches {deferredQuery.trim() ? <>“{deferredQuery.trim()}”</> : 'these filters'}
                  {task !== ALL_TASKS ? ' in this task' : ''}.
                </p>
                <button
                  type="button"
                  className="button"
                  onClick={() => {
                    setQuery('');
                    setTask(ALL_TASKS);
                    setPage(0);
                  }}
                >
                  Show all {data.decisions.length} {data.decisions.length === 1 ? 'decision' : 'decisions'}
                </button>
              </div>
            ) : (
              <ol className="decision-entries" aria-label="Decisions">
                {shown.map((d) => (
                  <DecisionEntry key={d.id} d={d} bySeq={bySeq} onJump={jumpTo} />
                ))}
              </ol>
            )}

            {pages > 1 && (
              <nav className="row pager" aria-label="Pages">
                <button type="button" className="button" disabled={current === 0} onClick={() => setPage(current - 1)}>
                  ← Previous
                </button>
                <span className="muted small">
                  Page {current + 1} of {pages}
                </span>
                <button type="button" className="button" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
                  Next →
                </button>
                <label className="inline">
                  Per page
                  <select
                    value={pageSize}
                    onChange={(e) => {
                      setPageSize(Number(e.target.value));
                      setPage(0);
                    }}
                  >
                    {PAGE_SIZES.map((n) => (
                      <option key={n} value={n}>
                        {n}
                      </option>
                    ))}
                  </select>
                </label>
              </nav>
            )}
          </div>
          {data.deliveries.length > 0 && (
            <aside className="card review-delivery" aria-labelledby="review-delivery-title">
              <h2 id="review-delivery-title">
                CI/CD events <span className="count">{deliveries.length}</span>
              </h2>
              {deliveries.length === 0 ? <p className="muted small">None during this task.</p> : <DeliveryEvents entries={deliveries} label="CI/CD events" />}
            </aside>
          )}
        </div>
      </main>
    </div>
  );
}
