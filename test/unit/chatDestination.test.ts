import { describe, expect, it } from 'vitest';
import type { DeliveryEvent } from '../../lib/delivery/event';
import { type NotifyEvent, notificationText, renderBody } from '../../server/integrations/chatMessage';
import { isPrivateHost, parseDestination } from '../../server/integrations/destination';

const session = { name: 'payments', viewUrl: 'https://mobflow.example.com/v/abcdefghijklmnopqrstuv' };
const failed: DeliveryEvent = {
  provider: 'github',
  kind: 'pipeline',
  status: 'failure',
  title: 'CI #412: Fix rounding',
  ref: 'main',
  sha: 'abcdef1',
  actor: 'ana',
  url: 'https://github.com/acme/payments/actions/runs/1',
  environment: null,
  occurredAt: 0,
  dedupeKey: 'k',
  runKey: 'r',
};

describe('destinations', () => {
  it('accepts http(s) URLs in the three formats', () => {
    expect(parseDestination({ format: 'slack', url: 'https://hooks.slack.com/services/T0/B0/XYZ' })).toEqual({
      ok: true,
      destination: { format: 'slack', url: 'https://hooks.slack.com/services/T0/B0/XYZ' },
    });
    expect(parseDestination({ format: 'teams', url: 'https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=x' }).ok).toBe(true);
    expect(parseDestination({ format: 'json', url: 'http://chat.example.com/hook#frag' })).toMatchObject({ destination: { url: 'http://chat.example.com/hook' } });
  });

  it('refuses other schemes, credentials, unknown formats and extra fields', () => {
    const err = (raw: unknown) => {
      const r = parseDestination(raw);
      return r.ok ? 'accepted' : r.error;
    };
    expect(err({ format: 'slack', url: 'ftp://x.example.com' })).toBe('url must be http or https');
    expect(err({ format: 'slack', url: 'https://u:p@x.example.com' })).toBe('url must not contain credentials');
    expect(err({ format: 'irc', url: 'https://x.example.com' })).toContain('format must be one of');
    expect(err({ format: 'json', url: 'not a url' })).toBe('url is not a valid URL');
    expect(err({ format: 'json', url: 'https://x.example.com', extra: 1 })).not.toBe('accepted');
    expect(err(null)).not.toBe('accepted');
  });

  it('refuses private and loopback addresses unless allowed', () => {
    for (const url of [
      'http://127.0.0.1:8080/',
      'http://2130706433/',
      'http://0x7f.1/',
      'http://localhost/',
      'http://api.localhost/',
      'http://10.1.2.3/',
      'http://172.20.0.1/',
      'http://192.168.1.1/',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[fd00::1]/',
      'http://[fe80::1]/',
      'http://0.0.0.0/',
    ]) {
      expect(parseDestination({ format: 'json', url }), url).toEqual({ ok: false, error: 'url points to a private or local address' });
    }
    expect(parseDestination({ format: 'json', url: 'http://127.0.0.1:8080/' }, { allowPrivate: true }).ok).toBe(true);
    expect(isPrivateHost('93.184.215.14')).toBe(false);
    expect(isPrivateHost('[2606:2800:21f:cb07:6820:80da:af6b:8b2c]')).toBe(false);
    expect(isPrivateHost('hooks.slack.com')).toBe(false);
  });
});

describe('chat messages', () => {
  const events: NotifyEvent[] = [
    { type: 'turn-started', session, driver: 'Ana', next: 'Bo', minutes: 10 },
    { type: 'break-started', session, minutes: 5 },
    { type: 'task-done', session, task: 'Refund endpoint' },
    { type: 'decision-logged', session, title: 'Use <money> type' },
    { type: 'pipeline-failed', session, pipeline: failed },
  ];

  it('says one line per transition', () => {
    expect(events.map(notificationText)).toEqual([
      'payments: Ana drives for 10 min, Bo is next',
      'payments: break for 5 min',
      'payments: task done: Refund endpoint',
      'payments: decision logged: Use <money> type',
      'payments: CI failed on main: CI #412: Fix rounding https://github.com/acme/payments/actions/runs/1',
    ]);
    expect(notificationText({ type: 'pipeline-failed', session, pipeline: { ...failed, kind: 'deploy', environment: 'canary' } })).toContain('deploy failed (canary)');
    expect(notificationText({ type: 'task-done', session: { name: 'a\nb', viewUrl: null }, task: 'x\u001b[1m' })).toBe('a b: task done: x [1m');
  });

  it('renders Slack text escaped, with a link to the read-only view', () => {
    const e = events[3] as NotifyEvent;
    expect(JSON.parse(renderBody('slack', e, notificationText(e), 0))).toEqual({
      text: 'payments: decision logged: Use &lt;money&gt; type <https://mobflow.example.com/v/abcdefghijklmnopqrstuv|open>',
    });
  });

  it('renders a Teams Workflows Adaptive Card', () => {
    const e = events[0] as NotifyEvent;
    const body = JSON.parse(renderBody('teams', e, notificationText(e), 0));
    expect(body.type).toBe('message');
    expect(body.attachments).toHaveLength(1);
    expect(body.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(body.attachments[0].content).toMatchObject({
      type: 'AdaptiveCard',
      version: '1.4',
      body: [{ type: 'TextBlock', text: 'payments: Ana drives for 10 min, Bo is next', wrap: true }],
      actions: [{ type: 'Action.OpenUrl', url: session.viewUrl }],
    });
  });

  it('renders plain JSON with a stable event name and ISO time', () => {
    const e = events[4] as NotifyEvent;
    expect(JSON.parse(renderBody('json', e, 'text', Date.UTC(2026, 4, 12)))).toEqual({
      event: 'pipeline.failed',
      session: 'payments',
      text: 'text',
      at: '2026-05-12T00:00:00.000Z',
    });
  });

  it('drops a view link that is not http(s)', () => {
    const e: NotifyEvent = { type: 'break-started', session: { name: 's', viewUrl: 'javascript:alert(1)' }, minutes: 5 };
    expect(renderBody('slack', e, 'hi', 0)).toBe('{"text":"hi"}');
  });
});
