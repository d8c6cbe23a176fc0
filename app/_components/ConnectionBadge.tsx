'use client';

import type { LinkStatus } from '../_hooks/useSessionConnection';

function label(status: LinkStatus, readOnly: boolean): string {
  switch (status.kind) {
    case 'connecting':
      return 'Connecting…';
    case 'live':
      if (readOnly) return 'Live';
      return status.saved ? 'Live · saved' : 'Live · saving…';
    case 'offline':
      return status.unsent ? 'Offline — your changes will sync' : 'Offline — reconnecting';
    case 'gone':
      return 'Disconnected';
    default:
      return status satisfies never;
  }
}

/** Connection and save state: data-status for the link, data-saved when every change is stored. */
export function ConnectionBadge({ status, readOnly = false }: { status: LinkStatus; readOnly?: boolean }) {
  return (
    <output
      className={`badge status-${status.kind}${status.kind === 'live' && !status.saved && !readOnly ? ' saving' : ''}`}
      aria-live="polite"
      data-status={status.kind}
      data-saved={status.kind === 'live' ? String(status.saved) : 'false'}
      title={status.kind === 'gone' ? status.reason : undefined}
    >
      <span className="dot" aria-hidden="true" />
      {label(status, readOnly)}
    </output>
  );
}
