'use client';

import { type FormEvent, useId, useState } from 'react';
import type { ChatFormat, CreatedIntegration, CreateIntegrationBody, IntegrationView } from '../../lib/protocol/integrations';
import type { Outcome } from '../_hooks/useIntegrations';
import { IntegrationItem } from './IntegrationItem';
import { IntegrationError, IntegrationLabelField } from './integrationFields';

const FORMATS: Record<ChatFormat, string> = { slack: 'Slack (incoming webhook)', teams: 'Microsoft Teams (Workflows webhook)', json: 'Any URL taking JSON' };

/** Chat destinations: turn starts, breaks, tasks done, decisions and failing pipelines are posted there. */
export function ChatSetup({
  items,
  create,
  revoke,
}: {
  items: IntegrationView[];
  create: (b: CreateIntegrationBody) => Promise<Outcome<CreatedIntegration>>;
  revoke: (id: string) => Promise<Outcome<void>>;
}) {
  const ids = useId();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const el = e.currentTarget;
    const form = new FormData(el);
    const url = String(form.get('url') ?? '').trim();
    if (!url) return setError('Paste the webhook URL your chat tool gave you.');
    setBusy(true);
    const r = await create({ provider: 'chat', format: String(form.get('format')) as ChatFormat, url, label: String(form.get('label') ?? '').trim() || undefined });
    setBusy(false);
    setError(r.ok ? null : r.error);
    if (r.ok) el.reset();
  }

  return (
    <section className="integrations-section" aria-labelledby={`${ids}-chat`}>
      <h3 id={`${ids}-chat`}>Chat</h3>
      <p className="muted small">One message per turn start, break, task done, decision and failing pipeline, with the watch link (never the invite link).</p>
      {items.length > 0 && (
        <ul className="integration-list" aria-label="Chat destinations">
          {items.map((i) => (
            <IntegrationItem key={i.id} item={i} detail={i.destination ? `${FORMATS[i.destination.format]} · ${i.destination.host}` : 'chat'} onRevoke={revoke} />
          ))}
        </ul>
      )}
      <form className="integration-form" onSubmit={submit} noValidate>
        <label>
          Tool
          <select name="format" defaultValue="slack">
            {Object.entries(FORMATS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label className="wide">
          Webhook URL
          <input name="url" type="url" inputMode="url" autoComplete="off" placeholder="https://hooks.slack.com/services/…" />
        </label>
        <IntegrationLabelField placeholder="#payments-mob" />
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add chat'}
        </button>
      </form>
      <IntegrationError error={error} />
    </section>
  );
}
