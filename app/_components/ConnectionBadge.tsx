'use client';

import type { LinkStatus } from '../_hooks/useSessionConnection';

const LABEL: Record<LinkStatus['kind'], string> = {
  connecting: 'Connecting…',
  live: 'Live',
  offline: 'Offline — reconnecting',
  gone: 'Disconnected',
};

export function ConnectionBadge({ status }: { status: LinkStatus }) {
  return (
    <output className={`badge status-${status.kind}`} aria-live="polite" data-status={status.kind} title={status.kind === 'gone' ? status.reason : undefined}>
      <span className="dot" aria-hidden="true" />
      {LABEL[status.kind]}
    </output>
  );
}
