'use client';

import { type FormEvent, useId, useState } from 'react';
import type { CreatedIntegration, CreateIntegrationBody, HookProvider, IntegrationView } from '../../lib/protocol/integrations';
import type { Outcome } from '../_hooks/useIntegrations';
import { CopyButton } from './CopyButton';
import { IntegrationItem } from './IntegrationItem';
import { IntegrationError, IntegrationLabelField } from './integrationFields';

const PROVIDERS: Record<HookProvider, string> = { github: 'GitHub', gitlab: 'GitLab', cloudevents: 'Any CI (CloudEvents)' };

/** Where the URL and the secret go, in the provider's own words. */
function SetupHint({ created }: { created: CreatedIntegration }) {
  switch (created.provider) {
    case 'github':
      return (
        <p className="small">
          In the repository: <strong>Settings → Webhooks → Add webhook</strong>. Payload URL: the URL; Content type: <code>application/json</code>; Secret: the secret.
          Events: Workflow runs, Check suites, Deployment statuses, Pushes.
        </p>
      );
    case 'gitlab':
      return (
        <p className="small">
          In the project: <strong>Settings → Webhooks</strong>. URL: the URL; {created.auth === 'signing' ? 'Signing token' : 'Secret token'}: the secret. Triggers:
          Pipeline events, Deployment events, Push events.
        </p>
      );
    default:
      return (
        <p className="small">
          POST a CloudEvent (a CDEvent, or type <code>mobflow.ci.status</code>) to the URL{' '}
          {created.auth === 'signing' ? 'signed with Standard Webhooks headers (webhook-id, -timestamp, -signature)' : (
            <>
              with <code>Authorization: Bearer &lt;secret&gt;</code>
            </>
          )}
          . The README has a curl line for a CI job.
        </p>
      );
  }
}

/** CI/CD webhook endpoints: the list, and a form that creates one and shows its secret once. */
export function WebhookSetup({
  items,
  create,
  revoke,
}: {
  items: IntegrationView[];
  create: (b: CreateIntegrationBody) => Promise<Outcome<CreatedIntegration>>;
  revoke: (id: string) => Promise<Outcome<void>>;
}) {
  const ids = useId();
  const [provider, setProvider] = useState<HookProvider>('github');
  const [created, setCreated] = useState<CreatedIntegration | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const label = String(form.get('label') ?? '').trim() || undefined;
    const auth = form.get('auth') === 'signing' ? ('signing' as const) : ('token' as const);
    const body: CreateIntegrationBody = provider === 'github' ? { provider, label } : { provider, label, auth };
    setBusy(true);
    const r = await create(body);
    setBusy(false);
    setError(r.ok ? null : r.error);
    if (r.ok) setCreated(r.value);
  }

  return (
    <section className="integrations-section" aria-labelledby={`${ids}-hooks`}>
      <h3 id={`${ids}-hooks`}>CI/CD webhooks</h3>
      <p className="muted small">Pipelines, checks, deploys and pushes show in the Delivery panel, on the watch link too, with the task you were on.</p>
      {items.length > 0 && (
        <ul className="integration-list" aria-label="Webhook endpoints">
          {items.map((i) => (
            <IntegrationItem key={i.id} item={i} detail={`${PROVIDERS[i.provider as HookProvider] ?? i.provider}${i.auth === 'signing' ? ' · signed' : ''}`} onRevoke={revoke} />
          ))}
        </ul>
      )}
      {created && (
        <div className="secret-once" role="status" data-testid="created-hook">
          <p className="small">
            <strong>Copy the secret now: it is shown only this once.</strong>
          </p>
          <div className="secret-line">
            <span className="small">URL</span>
            <code>{created.url}</code>
            <CopyButton text={created.url ?? ''} label="Copy URL" />
          </div>
          <div className="secret-line">
            <span className="small">Secret</span>
            <code data-testid="hook-secret">{created.secret}</code>
            <CopyButton text={created.secret ?? ''} label="Copy secret" />
          </div>
          <SetupHint created={created} />
          <button type="button" className="button ghost" onClick={() => setCreated(null)}>
            Done, I copied it
          </button>
        </div>
      )}
      <form className="integration-form" onSubmit={submit} noValidate>
        <label>
          Sender
          <select name="provider" value={provider} onChange={(e) => setProvider(e.target.value as HookProvider)}>
            {Object.entries(PROVIDERS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        {provider !== 'github' && (
          <label>
            Proof
            <select name="auth" defaultValue="token">
              <option value="token">{provider === 'gitlab' ? 'Secret token' : 'Bearer token'}</option>
              <option value="signing">Signature (Standard Webhooks)</option>
            </select>
          </label>
        )}
        <IntegrationLabelField placeholder="payments repo" />
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create endpoint'}
        </button>
      </form>
      <IntegrationError error={error} />
    </section>
  );
}
