'use client';

import { useCallback, useDeferredValue, useEffect, useMemo, useState } from 'react';
import type * as Y from 'yjs';
import { readSessionName } from '../../lib/doc/schema';
import { getMember, joinMember, renameMember } from '../../lib/members';
import { useDocSelector } from '../_hooks/useDoc';
import type { Identity, Remember } from '../_hooks/useIdentity';
import { type LinkStatus, type SessionConnection, useSessionConnection } from '../_hooks/useSessionConnection';
import { ConnectionBadge } from './ConnectionBadge';
import { DecisionLog } from './DecisionLog';
import { NameDialog } from './NameDialog';
import { Roster } from './Roster';
import { SessionProvider, type SessionContextValue } from './SessionContext';
import { SessionSkeleton, SkeletonPanels } from './SessionSkeleton';
import { SessionStage } from './SessionStage';
import { ShareBar } from './ShareBar';
import { TopBar } from './TopBar';

const selectName = (doc: Y.Doc) => readSessionName(doc);

export interface ConnectedSessionProps {
  room: string;
  readOnly: boolean;
  /** Who this browser is, from SessionRoot (which asks a new visitor for a name). */
  identity: Identity;
  remember: Remember;
  /** Tells SessionRoot the session's name, for its join prompt. */
  onName(name: string): void;
}

/** A session once its code has loaded (see SessionRoot): connects, then shows the session. */
export function ConnectedSession({ room, readOnly, ...rest }: ConnectedSessionProps) {
  const { conn, status } = useSessionConnection(room, readOnly);
  if (!conn) return <SessionSkeleton />;
  return <Session conn={conn} status={status} {...rest} />;
}

function Session({
  conn,
  status,
  identity,
  remember,
  onName,
}: Omit<ConnectedSessionProps, 'room' | 'readOnly'> & { conn: SessionConnection; status: LinkStatus }) {
  const { room, readOnly, doc, provider } = conn;
  const [renaming, setRenaming] = useState(false);
  const [viewUrl, setViewUrl] = useState<string | null>(null);
  const name = useDocSelector(doc, useCallback(selectName, []));
  const me = useDocSelector(
    doc,
    useCallback((d: Y.Doc) => (identity.memberId ? getMember(d, identity.memberId) : null), [identity.memberId]),
  );
  const live = status.kind === 'live';
  useEffect(() => onName(name), [onName, name]);
  // The first render has the frame; the panels follow in a deferred render that React may interrupt,
  // so a name being typed into SessionRoot's prompt meanwhile is not held up by them.
  const panels = useDeferredValue(true, false);

  // The view link comes from the API (it is not in the doc, so watchers never learn more than they have).
  useEffect(() => {
    if (readOnly) {
      setViewUrl(window.location.href.split('?')[0] ?? null);
      return;
    }
    let cancelled = false;
    fetch(`/api/sessions/${room}`)
      .then((r) => (r.ok ? (r.json() as Promise<{ viewUrl?: string }>) : null))
      .then((b) => {
        if (!cancelled && b?.viewUrl) setViewUrl(b.viewUrl);
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [room, readOnly]);

  // Join, or rejoin, with the remembered name once the doc is synced (so rejoin-by-name works): the
  // name a new visitor gives SessionRoot's prompt lands here too, whether before or after the sync.
  useEffect(() => {
    if (readOnly || !live || !identity.name || me) return;
    const member = joinMember(doc, identity.name, Date.now(), identity.memberId);
    remember({ name: member.name, memberId: member.id });
  }, [readOnly, live, identity, me, doc, remember]);

  useEffect(() => {
    provider.awareness.setLocalStateField('user', {
      memberId: readOnly ? null : (me?.id ?? null),
      name: readOnly ? (identity.name ?? 'Watcher') : (me?.name ?? identity.name ?? ''),
      watching: readOnly,
    });
  }, [provider, readOnly, me?.id, me?.name, identity.name]);

  const ctx = useMemo<SessionContextValue>(
    () => ({
      conn,
      me,
      readOnly,
      links: {
        edit: readOnly ? null : `${typeof window === 'undefined' ? '' : window.location.origin}/s/${room}`,
        view: viewUrl,
      },
    }),
    [conn, me, readOnly, room, viewUrl],
  );

  return (
    <SessionProvider value={ctx}>
      <div className="session">
        <TopBar heading={name || (status.kind === 'live' ? 'Mob session' : '…')} notes={readOnly && <span className="tag">watching · read-only</span>}>
          <ConnectionBadge status={status} readOnly={readOnly} />
          {!readOnly && me && (
            <button type="button" className="button ghost" onClick={() => setRenaming(true)} aria-label={`You are ${me.name}: change your name`}>
              You: <strong>{me.name}</strong>
            </button>
          )}
          <ShareBar />
        </TopBar>

        {status.kind === 'gone' && (
          <p role="alert" className="banner error">
            This session is not available: {status.reason}.
          </p>
        )}

        {renaming && me && (
          <NameDialog
            title="Change your name"
            initial={me.name}
            submitLabel="Save name"
            onCancel={() => setRenaming(false)}
            onSubmit={(n) => {
              renameMember(doc, me.id, n);
              remember({ name: n, memberId: me.id });
              setRenaming(false);
            }}
          />
        )}

        <main className="session-grid" aria-busy={!panels || undefined}>
          {panels ? (
            <>
              <SessionStage />
              <aside className="side">
                <Roster />
                <DecisionLog />
              </aside>
            </>
          ) : (
            <SkeletonPanels />
          )}
        </main>
      </div>
    </SessionProvider>
  );
}
