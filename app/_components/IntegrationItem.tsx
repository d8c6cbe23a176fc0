'use client';

import { useState } from 'react';
import type { IntegrationView } from '../../lib/protocol/integrations';
import type { Outcome } from '../_hooks/useIntegrations';

/** One integration in a list, with a Revoke that asks once before it acts. */
export function IntegrationItem({ item, detail, onRevoke }: { item: IntegrationView; detail: string; onRevoke: (id: string) => Promise<Outcome<void>> }) {
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <li className="integration" data-integration={item.provider}>
      <div className="integration-line">
        <strong>{item.label}</strong>
        <span className="muted small">{detail}</span>
      </div>
      {item.url && <code className="integration-url">{item.url}</code>}
      <div className="row integration-actions">
        {asking ? (
          <>
            <span className="small">Revoke “{item.label}”? It stops working at once.</span>
            <button
              type="button"
              className="button danger"
              onClick={async () => {
                const r = await onRevoke(item.id);
                if (!r.ok) setError(r.error);
                setAsking(false);
              }}
            >
              Revoke it
            </button>
            <button type="button" className="button ghost" onClick={() => setAsking(false)}>
              Keep it
            </button>
          </>
        ) : (
          <button type="button" className="button ghost" onClick={() => setAsking(true)} aria-label={`Revoke ${item.label}`}>
            Revoke
          </button>
        )}
      </div>
      {error && (
        <p role="alert" className="error small">
          {error}
        </p>
      )}
    </li>
  );
}
