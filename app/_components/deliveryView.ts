/**
 * How delivery reads on screen: status words and marks (never colour alone), the tab title with
 * an alarm in front, times. Pure, so the panel, the timeline and the review page agree.
 */
import { safeUrl } from '../../lib/delivery/clean';
import type { DeliveryKind, DeliveryStatus } from '../../lib/delivery/event';
import { type DeliveryEntry, readDeliveries } from '../../lib/delivery/log';
import { type DeliveryState, deliveryAlarm, deliveryState } from '../../lib/delivery/status';
import { deliveryOf, type SessionDocs } from '../../lib/doc/schema';

/** A mark and a word per status: the mark is decoration, the word is what is read out. */
export const STATUS_VIEW: Readonly<Record<DeliveryStatus, { mark: string; word: string }>> = {
  queued: { mark: '◷', word: 'Queued' },
  running: { mark: '◌', word: 'Running' },
  success: { mark: '✓', word: 'Passed' },
  failure: { mark: '✗', word: 'Failed' },
  cancelled: { mark: '⊘', word: 'Cancelled' },
  skipped: { mark: '–', word: 'Skipped' },
};

export const KIND_WORDS: Readonly<Record<DeliveryKind, string>> = {
  pipeline: 'Pipeline',
  check: 'Checks',
  deploy: 'Deploy',
  push: 'Push',
};

export interface DeliverySelection {
  entries: DeliveryEntry[];
  state: DeliveryState;
  alarm: string | null;
}

/** The last answer per document, with the log's length it was computed at (the log only grows). */
const selections = new WeakMap<object, { length: number; value: DeliverySelection }>();

/**
 * The session's delivery log and where it stands, for the panel and the tab title. Recomputed only
 * when the log grew: the pages call this on every edit to either document (typing included).
 */
export function selectDelivery(docs: SessionDocs): DeliverySelection {
  const log = deliveryOf(docs);
  const last = selections.get(log);
  if (last && last.length === log.length) return last.value;
  const entries = readDeliveries(docs);
  const state = deliveryState(entries);
  const value = { entries, state, alarm: deliveryAlarm(state) };
  selections.set(log, { length: log.length, value });
  return value;
}

/** Only http(s) links go out (the server already cleaned them; the document is still untrusted here). */
export const linkOf = (e: Pick<DeliveryEntry, 'url'>): string | null => safeUrl(e.url);

/**
 * The tab title with the delivery alarm in front ("✗ canary failing · 4:12 · Ana driving"); with
 * the timer idle, the alarm and the session's name.
 */
export function withAlarm(timerTitle: string, alarm: string | null, sessionName: string): string {
  if (!alarm) return timerTitle;
  return `${alarm} · ${timerTitle || sessionName || 'Mobflow'}`;
}

export const clockTime = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** "just now", "4 min ago", "2 h ago", else the time of day. */
export function ago(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  return h < 24 ? `${h} h ago` : clockTime(at);
}

/** A short commit id for display. */
export const shortSha = (sha: string | null) => (sha ? sha.slice(0, 7) : null);
