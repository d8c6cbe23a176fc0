'use client';

import { useId } from 'react';
import { useIntegrations } from '../_hooks/useIntegrations';
import { ChatSetup } from './ChatSetup';
import { Modal } from './Modal';
import { MobShSetup } from './MobShSetup';
import { useSession } from './SessionContext';
import { WebhookSetup } from './WebhookSetup';
import '../_styles/delivery.css';

/**
 * Where a session connects to the team's tools (editors only): CI/CD webhook endpoints, chat
 * destinations and the mob.sh room key. Secrets are shown once, when created.
 */
export function IntegrationsDialog({ onClose }: { onClose: () => void }) {
  const { conn } = useSession();
  const api = useIntegrations(conn.room);
  const ids = useId();
  const hooks = (api.items ?? []).filter((i) => i.provider !== 'chat');
  const chats = (api.items ?? []).filter((i) => i.provider === 'chat');
  return (
    <Modal labelledBy={`${ids}-title`} onDismiss={onClose} returnFocus={() => document.querySelector<HTMLElement>('[data-action="integrations"]')}>
      <div className="card dialog integrations-dialog">
        <div className="integrations-head">
          <h2 id={`${ids}-title`}>Connect CI, chat and mob.sh</h2>
          <button type="button" className="button ghost" onClick={onClose}>
            Close
          </button>
        </div>
        {api.error && (
          <p role="alert" className="error small">
            {api.error}
          </p>
        )}
        {api.items === null && !api.error ? (
          <p className="muted">Loading…</p>
        ) : (
          <>
            <WebhookSetup items={hooks} create={api.create} revoke={api.revoke} />
            <ChatSetup items={chats} create={api.create} revoke={api.revoke} />
            <MobShSetup mobKey={api.mobKey} rotate={api.rotateMobKey} />
          </>
        )}
      </div>
    </Modal>
  );
}
