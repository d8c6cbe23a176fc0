'use client';

import { useCallback, useDeferredValue, useEffect, useMemo, useState } from 'react';
import type * as Y from 'yjs';
import { readSessionName } from '../../lib/doc/schema';
import { getMember, joinMember, renameMember } from '../../lib/members';
import { useDocSelector } from '../_hooks/useDoc';
import { useIdentity } from '../_hooks/useIdentity';
import { useSessionConnection } from '../_hooks/useSessionConnection';
import { ConnectionBadge } from './ConnectionBadge';
import { DecisionLog } from './DecisionLog';
import { JoinForm } from './JoinForm';
import { Roster } from './Roster';
import { SessionProvider, type SessionContextValue } from './SessionContext';
import { SessionSkeleton, SkeletonPanels } from './SessionSkeleton';
import { SessionStage } from './SessionStage';
import { ShareBar } from './ShareBar';
import { TopBar } from './TopBar';

const selectName = (doc: Y.Doc) => readSessionName(doc);

/** The client root of a session page, for editors (/s/<id>) and watchers (/v/<token>). */
export function SessionRoot({ room, readOnly }: { room: string; readOnly: boolean }) {
  const { conn, status } = useSessionConnection(room, readOnly);
  if (!conn) return <SessionSkeleton />;
  // Keyed by session: a session's state (who you are, the rename dialog, the view link) never outlives it.
  return <ConnectedSession key={conn.room} conn={conn} status={status} />;
}

function ConnectedSession({ conn, status }: { conn: NonNullable<ReturnType<typeof useSessionConnection>['conn']>; status: ReturnType<typeof useSessionConnection>['status'] }) {
  const { room, readOnly, doc, provider } = conn;
  const { identity, remember } = useIdentity(room);
  const [renaming, setRenaming] = useState(false);
  const [viewUrl, setViewUrl] = useState<string | null>(null);
  const name = useDocSelector(doc, useCallback(selectName, []));
  const me = useDocSelector(
    doc,
    useCallback((d: Y.Doc) => (identity.memberId ? getMember(d, identity.memberId) : null), [identity.memberId]),
  );
  const live = status.kind === 'live';
  // The first render has the frame and, for a new visitor, the name prompt; the panels follow in a
  // deferred render that React may interrupt, so the prompt takes input without waiting for them.
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

  // Rejoin automatically with the remembered name once the doc is synced (so rejoin-by-name works).
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

  const needsName = !readOnly && !identity.name;

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

        {(needsName || renaming) && (
          <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="join-title">
            <div className="card dialog">
              <h2 id="join-title">{renaming ? 'Change your name' : `Join ${name || 'the session'}`}</h2>
              <JoinForm
                initial={me?.name ?? identity.name ?? ''}
                submitLabel={renaming ? 'Save name' : 'Join the mob'}
                onCancel={renaming ? () => setRenaming(false) : undefined}
                onSubmit={(n) => {
                  if (renaming && me) {
                    renameMember(doc, me.id, n);
                    remember({ name: n, memberId: me.id });
                  } else {
                    const member = joinMember(doc, n, Date.now(), identity.memberId);
                    remember({ name: member.name, memberId: member.id });
                  }
                  setRenaming(false);
                }}
              />
            </div>
          </div>
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
