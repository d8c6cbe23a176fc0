'use client';

import { Suspense, useCallback, useMemo, useState } from 'react';
import type { DeliveryEntry } from '../../lib/delivery/log';
import { useDocSelector } from '../_hooks/useDoc';
import { DeliveryEvents } from './DeliveryEvents';
import { IntegrationsSetup } from './sessionParts';
import { clockTime, linkOf, STATUS_VIEW, selectDelivery, shortSha } from './deliveryView';
import { useSession } from './SessionContext';
import '../_styles/delivery.css';


/** Events listed under the status (the newest first); the review page has them all. */
const RECENT = 3;

/** One status line: a mark and a word (never colour alone), the run, where and when, and its task. */
function StatusRow({ name, entry, status, extra }: { name: string; entry: DeliveryEntry; status: DeliveryEntry['status']; extra?: string }) {
  const view = STATUS_VIEW[status];
  const href = linkOf(entry);
  const where = [entry.ref, shortSha(entry.sha), clockTime(entry.occurredAt)].filter(Boolean).join(' · ');
  return (
    <li className="delivery-row" data-status={status} data-name={name}>
      <span className="delivery-badge">
        <span className="delivery-mark" aria-hidden="true">
          {view.mark}
        </span>
        <span className="delivery-name">{name}</span>
        <span className="delivery-word">{view.word}</span>
      </span>
      <span className="delivery-run">
        {href ? (
          <a href={href} target="_blank" rel="noopener noreferrer">
            {entry.title}
            <span className="sr-only"> (opens in a new tab)</span>
          </a>
        ) : (
          entry.title
        )}
      </span>
      <span className="muted small delivery-where">
        {where}
        {extra ? ` · ${extra}` : ''}
        {entry.taskTitle ? ` · during “${entry.taskTitle}”` : ''}
      </span>
    </li>
  );
}

/**
 * The delivery pipeline beside the task, on the session and the watch page: the latest CI result
 * and the latest deploy per environment, live from the server document, failures first and loud;
 * then the newest events. Editors set up the endpoints, chat and mob.sh from here.
 */
export function DeliveryPanel() {
  const { conn, readOnly } = useSession();
  const { entries, state, alarm } = useDocSelector(conn.docs, useCallback(selectDelivery, []));
  const [setup, setSetup] = useState(false);
  const recent = useMemo(() => entries.slice(-RECENT).reverse(), [entries]);
  const failingFirst = useMemo(() => [...state.environments].sort((a, b) => Number(b.status === 'failure') - Number(a.status === 'failure')), [state.environments]);
  const ciFailing = state.ci?.status === 'failure';

  return (
    <section className="card delivery" id="delivery" aria-labelledby="delivery-title" data-alarm={alarm ? 'on' : 'off'}>
      <div className="delivery-head">
        <h2 id="delivery-title">Delivery</h2>
        {!readOnly && (
          <button type="button" className="button" data-action="integrations" onClick={() => setSetup(true)}>
            Connect CI, chat, mob.sh
          </button>
        )}
      </div>
      {/* Always in the page, so a failure arriving is announced (politely) as it lands. */}
      <p className="delivery-alarm" aria-live="polite" data-testid="delivery-alarm" hidden={!alarm}>
        {alarm ?? ''}
      </p>
      {entries.length === 0 ? (
        <p className="muted small">No pipeline has reported yet.{readOnly ? '' : ' Connect GitHub, GitLab or any CI that can post a webhook.'}</p>
      ) : (
        <>
          <ul className="delivery-status" aria-label="Latest pipeline and deploys">
            {ciFailing && state.ci && <StatusRow name="CI" entry={state.ci.entry} status={state.ci.status} extra={state.ci.runs > 1 ? `${state.ci.runs} runs` : undefined} />}
            {failingFirst.map((e) => (
              <StatusRow key={e.environment ?? e.runKey} name={e.environment ?? 'Deploy'} entry={e} status={e.status} />
            ))}
            {!ciFailing && state.ci && <StatusRow name="CI" entry={state.ci.entry} status={state.ci.status} extra={state.ci.runs > 1 ? `${state.ci.runs} runs` : undefined} />}
          </ul>
          <h3 className="delivery-subhead">Recent events</h3>
          <DeliveryEvents entries={recent} label="Recent delivery events" compact />
        </>
      )}
      {setup && (
        <Suspense fallback={null}>
          <IntegrationsSetup.Component onClose={() => setSetup(false)} />
        </Suspense>
      )}
    </section>
  );
}
