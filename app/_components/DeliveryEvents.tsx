'use client';

import type { DeliveryEntry } from '../../lib/delivery/log';
import { clockTime, KIND_WORDS, linkOf, STATUS_VIEW, shortSha } from './deliveryView';
import '../_styles/delivery.css';

/**
 * CI/CD events as a list, each with its status (mark and word), what ran, where, when and the task
 * that was current when it arrived. `compact` leaves out the kind, the actor and the provider (the panel).
 */
export function DeliveryEvents({ entries, label, compact = false }: { entries: readonly DeliveryEntry[]; label: string; compact?: boolean }) {
  return (
    <ol className={`delivery-events${compact ? ' compact' : ''}`} aria-label={label}>
      {entries.map((e) => {
        const view = STATUS_VIEW[e.status];
        const href = linkOf(e);
        const what = e.kind === 'deploy' && e.environment ? `${KIND_WORDS.deploy} to ${e.environment}` : KIND_WORDS[e.kind];
        return (
          <li key={`${e.dedupeKey}-${e.receivedAt}`} className="delivery-event" data-status={e.status} data-kind={e.kind}>
            <time className="muted small delivery-time" dateTime={new Date(e.occurredAt).toISOString()}>
              {clockTime(e.occurredAt)}
            </time>
            <span className="delivery-event-status">
              <span aria-hidden="true">{view.mark}</span> {view.word}
            </span>
            <span className="delivery-event-body">
              {href ? (
                <a href={href} target="_blank" rel="noopener noreferrer">
                  {e.title}
                  <span className="sr-only"> (opens in a new tab)</span>
                </a>
              ) : (
                e.title
              )}
              <span className="muted small delivery-event-meta">
                {[compact ? null : what, e.ref, shortSha(e.sha), compact ? null : e.actor, compact ? null : e.provider].filter(Boolean).join(' · ')}
                {e.taskTitle ? ` · task “${e.taskTitle}”` : ' · no task'}
              </span>
            </span>
          </li>
        );
      })}
    </ol>
  );
}
