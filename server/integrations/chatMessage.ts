/**
 * The session transitions chat hears about, as one line of text and as each destination's body.
 *
 * Bodies:
 * - Slack incoming webhook: `{"text": ...}` (mrkdwn; `&`, `<`, `>` escaped as Slack requires).
 *   Slack-compatible receivers (Mattermost, Rocket.Chat) take the same body.
 * - Microsoft Teams: a Workflows webhook ("Post to a channel when a webhook request is received"
 *   template). Workflows accept Adaptive Cards only, not the retired connectors' MessageCard, so
 *   the body is a `message` activity with one Adaptive Card attachment holding a wrapped
 *   TextBlock. Card version 1.4: what Teams renders everywhere today.
 * - json: `{event, session, text, at}` for anything else (`at` is ISO 8601).
 *
 * Never put the session id in a message: it is the edit capability. Pass the read-only link.
 */
import { cleanText, clip, safeUrl } from '../../lib/delivery/clean';
import type { DeliveryEvent } from '../../lib/delivery/event';
import { assertNever } from '../../lib/timer';
import type { DestinationFormat } from './destination';

export interface SessionRef {
  name: string;
  /** The session's read-only (view) link, never the edit link; null to omit. */
  viewUrl: string | null;
}

export type NotifyEvent =
  | { type: 'turn-started'; session: SessionRef; driver: string; next: string | null; minutes: number }
  | { type: 'break-started'; session: SessionRef; minutes: number }
  | { type: 'task-done'; session: SessionRef; task: string }
  | { type: 'decision-logged'; session: SessionRef; title: string }
  | { type: 'pipeline-failed'; session: SessionRef; pipeline: DeliveryEvent };

/** Event names in the json format (stable: receivers switch on them). */
export const NOTIFY_EVENT_NAMES = {
  'turn-started': 'turn.started',
  'break-started': 'break.started',
  'task-done': 'task.done',
  'decision-logged': 'decision.logged',
  'pipeline-failed': 'pipeline.failed',
} as const satisfies Record<NotifyEvent['type'], string>;

const MAX_TEXT_CHARS = 500;

/** Names and titles arrive from users and CI: one line each, no control characters. */
const one = (s: string) => cleanText(s, MAX_TEXT_CHARS) ?? '';

/** The message as one line of plain text. */
export function notificationText(e: NotifyEvent): string {
  const s = one(e.session.name) || 'session';
  let text: string;
  switch (e.type) {
    case 'turn-started':
      text = `${s}: ${one(e.driver)} drives for ${e.minutes} min${e.next ? `, ${one(e.next)} is next` : ''}`;
      break;
    case 'break-started':
      text = `${s}: break for ${e.minutes} min`;
      break;
    case 'task-done':
      text = `${s}: task done: ${one(e.task)}`;
      break;
    case 'decision-logged':
      text = `${s}: decision logged: ${one(e.title)}`;
      break;
    case 'pipeline-failed': {
      const p = e.pipeline;
      const where = p.environment ? ` (${one(p.environment)})` : p.ref ? ` on ${one(p.ref)}` : '';
      text = `${s}: ${p.kind === 'deploy' ? 'deploy' : 'CI'} failed${where}: ${one(p.title)}${p.url ? ` ${p.url}` : ''}`;
      break;
    }
    default:
      return assertNever(e);
  }
  return clip(text, MAX_TEXT_CHARS);
}

const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The HTTP body (JSON text) for one destination format. */
export function renderBody(format: DestinationFormat, e: NotifyEvent, text: string, at: number): string {
  // '|' would end a Slack link's URL part early.
  const link = safeUrl(e.session.viewUrl)?.replace(/\|/g, '%7C') ?? null;
  switch (format) {
    case 'slack':
      return JSON.stringify({ text: link ? `${slackEscape(text)} <${slackEscape(link)}|open>` : slackEscape(text) });
    case 'teams':
      return JSON.stringify({
        type: 'message',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            contentUrl: null,
            content: {
              $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
              type: 'AdaptiveCard',
              version: '1.4',
              body: [{ type: 'TextBlock', text, wrap: true }],
              ...(link ? { actions: [{ type: 'Action.OpenUrl', title: 'Open session', url: link }] } : {}),
            },
          },
        ],
      });
    case 'json':
      return JSON.stringify({ event: NOTIFY_EVENT_NAMES[e.type], session: one(e.session.name), text, at: new Date(at).toISOString() });
    default:
      return assertNever(format);
  }
}
