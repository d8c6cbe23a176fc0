'use client';

import { useCallback, useDeferredValue, useEffect, useMemo, useState } from 'react';
import { readSessionName, type SessionDocs } from '../../lib/doc/schema';
import type { MemberId } from '../../lib/ids';
import { findMemberByName, getMember, type Member, renameMember } from '../../lib/members';
import type { Joined } from '../../lib/protocol/members';
import type { SessionLinks } from '../../lib/protocol/http';
import { useDocSelector } from '../_hooks/useDoc';
import type { Identity, Remember } from '../_hooks/useIdentity';
import { type LinkStatus, type SessionConnection, useSessionConnection } from '../_hooks/useSessionConnection';
import { ConnectionBadge } from './ConnectionBadge';
import { DecisionLog } from './DecisionLog';
import { DeliveryBanner } from './DeliveryBanner';
import { DeliveryPanel } from './DeliveryPanel';
import { SESSION_ON_DEMAND } from './sessionParts';
import { preloadOnFirstInteraction } from './onDemand';
import { NameDialog } from './NameDialog';
import { Roster } from './Roster';
import { SameNameDialog } from './SameNameDialog';
import { SessionProvider, type SessionContextValue } from './SessionContext';
import { SessionSkeleton, SkeletonPanels } from './SessionSkeleton';
import { SessionStage } from './SessionStage';
import { ShareBar } from './ShareBar';
import { ToastProvider } from './Toasts';
import { TopBar } from './TopBar';

const selectName = (docs: SessionDocs) => readSessionName(docs);

export interface ConnectedSessionProps {
  room: string;
  readOnly: boolean;
  /** The shortest turn the server accepts (from the page, see app/_server/turnLimits.ts). */
  minTurnSeconds: number;
  /** Who this browser is, from SessionRoot (which asks a new visitor for a name). */
  identity: Identity;
  remember: Remember;
  /** Tells SessionRoot the session's name, for its join prompt. */
  onName(name: string): void;
}

/** A session once its code has loaded (see SessionRoot): connects, then shows the session. */
export function ConnectedSession({ room, readOnly, ...rest }: ConnectedSessionProps) {
  const { conn, status } = useSessionConnection(room, readOnly, readOnly ? null : rest.identity.token);
  if (!conn) return <SessionSkeleton />;
  return <Session conn={conn} status={status} {...rest} />;
}

function Session({
  conn,
  status,
  identity,
  remember,
  onName,
  minTurnSeconds,
}: Omit<ConnectedSessionProps, 'room' | 'readOnly'> & { conn: SessionConnection; status: LinkStatus }) {
  const { room, readOnly, docs } = conn;
  const [renaming, setRenaming] = useState(false);
  const [links, setLinks] = useState<SessionLinks | null>(null);
  const [askSameName, setAskSameName] = useState<Member | null>(null);
  const [joinError, setJoinError] = useState<string | null>(null);
  const name = useDocSelector(docs, useCallback(selectName, []));
  // Who this browser is: the member its token proves (a browser without one has not joined here yet).
  const me = useDocSelector(
    docs,
    useCallback((d: SessionDocs) => (identity.memberId && identity.token ? getMember(d, identity.memberId) : null), [identity.memberId, identity.token]),
  );
  const live = status.kind === 'live';
  useEffect(() => onName(name), [onName, name]);
  // Editors' dialogs are fetched once someone uses the live page, so the first click does not wait for them.
  useEffect(() => (live && !readOnly ? preloadOnFirstInteraction(SESSION_ON_DEMAND) : undefined), [live, readOnly]);
  // The first render has the frame; the panels follow in a deferred render that React may interrupt,
  // so a name being typed into SessionRoot's prompt meanwhile is not held up by them.
  const panels = useDeferredValue(true, false);

  // The links come from an edit-only route (they are not in the documents, so watchers never learn
  // more than they have).
  useEffect(() => {
    if (readOnly) return;
    let cancelled = false;
    fetch(`/api/sessions/${room}/links`)
      .then((r) => (r.ok ? (r.json() as Promise<SessionLinks>) : null))
      .then((b) => {
        if (!cancelled && b) setLinks(b);
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [room, readOnly]);

  /** Joins through the server, which hands back the token that proves it on every connection. */
  const join = useCallback(
    async (who: string, as?: MemberId) => {
      setAskSameName(null);
      setJoinError(null);
      const r = await conn.command('member:join', { name: who, ...(as ? { as } : {}) });
      if (!r.ok) return setJoinError(r.error);
      const { member, token } = r.value as Joined;
      remember({ name: member.name, memberId: member.id, token });
    },
    [conn, remember],
  );

  // Once the documents are synced: the same browser (its member still in the roster) is itself again
  // without a question; a name already in the roster asks whether it is the same person; else a new
  // member joins. The name a new visitor gives SessionRoot's prompt lands here too.
  useEffect(() => {
    if (readOnly || !live || !identity.name || me || askSameName) return;
    const mine = identity.memberId ? getMember(docs, identity.memberId) : null;
    if (mine) {
      void join(identity.name, mine.id);
      return;
    }
    const same = findMemberByName(docs, identity.name);
    if (same) setAskSameName(same);
    else void join(identity.name);
  }, [readOnly, live, identity, me, docs, join, askSameName]);

  useEffect(() => {
    conn.setPresence({
      memberId: readOnly ? null : (me?.id ?? null),
      name: readOnly ? (identity.name ?? 'Watcher') : (me?.name ?? identity.name ?? ''),
      watching: readOnly,
    });
  }, [conn, readOnly, me?.id, me?.name, identity.name]);

  const ctx = useMemo<SessionContextValue>(
    () => ({
      conn,
      me,
      readOnly,
      links: {
        edit: readOnly ? null : (links?.editUrl ?? `${typeof window === 'undefined' ? '' : window.location.origin}/s/${room}`),
        view: readOnly ? (typeof window === 'undefined' ? null : (window.location.href.split('?')[0] ?? null)) : (links?.viewUrl ?? null),
      },
      replaceLink: async (link) => {
        const r = await fetch(`/api/sessions/${room}/links`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ link }) });
        if (!r.ok) return { ok: false, error: ((await r.json().catch(() => null)) as { error?: string } | null)?.error ?? 'could not replace the link' };
        const next = (await r.json()) as SessionLinks;
        if (link === 'edit') {
          // This browser stays itself under the new link, then moves to it (everyone else is told the old one stopped).
          copyIdentity(room, next.id);
          window.location.replace(next.editUrl);
        } else setLinks(next);
        return { ok: true };
      },
      limits: { minTurnSeconds },
    }),
    [conn, me, readOnly, room, links, minTurnSeconds],
  );

  return (
    <SessionProvider value={ctx}>
      <ToastProvider>
      <div className="session">
        <TopBar heading={name || (status.kind === 'live' ? 'Mob session' : '…')} notes={readOnly && <span className="tag">watching · read-only</span>}>
          <ConnectionBadge status={status} readOnly={readOnly} />
          {!readOnly && me && (
            // The visible words start the accessible name ("You: Ada, change your name"), so voice control finds it.
            <button type="button" className="button ghost you" onClick={() => setRenaming(true)} title="Change your name">
              You: <strong className="you-name">{me.name}</strong>
              <span className="sr-only">, change your name</span>
            </button>
          )}
          <ShareBar />
        </TopBar>

        <DeliveryBanner />

        {status.kind === 'gone' && (
          <p role="alert" className="banner error">
            This session is not available: {status.reason}.
          </p>
        )}

        {joinError && (
          <p role="alert" className="banner error">
            Could not join: {joinError}
          </p>
        )}

        {askSameName && identity.name && (
          <SameNameDialog
            name={askSameName.name}
            onSame={() => void join(identity.name as string, askSameName.id)}
            onOther={() => void join(identity.name as string)}
            onRename={() => {
              setAskSameName(null);
              setRenaming(true);
            }}
          />
        )}

        {renaming && (me || !identity.memberId) && (
          <NameDialog
            title={me ? 'Change your name' : 'Join with another name'}
            initial={me?.name ?? ''}
            submitLabel={me ? 'Save name' : 'Join the mob'}
            onCancel={() => setRenaming(false)}
            onSubmit={(n) => {
              if (me) {
                renameMember(docs, me.id, n);
                remember({ name: n, memberId: me.id });
              } else remember({ name: n });
              setRenaming(false);
            }}
          />
        )}

        <main className="session-grid" id="main" tabIndex={-1} aria-busy={!panels || undefined}>
          {panels ? (
            <>
              <SessionStage />
              <aside className="side">
                <DeliveryPanel />
                <Roster />
                <DecisionLog />
              </aside>
            </>
          ) : (
            <SkeletonPanels />
          )}
        </main>
      </div>
      </ToastProvider>
    </SessionProvider>
  );
}

/** Copies this browser's identity from one edit token to another (the link was replaced here). */
function copyIdentity(from: string, to: string): void {
  try {
    for (const kind of ['member', 'token']) {
      const v = window.localStorage.getItem(`mobflow:${kind}:${from}`);
      if (v !== null) window.localStorage.setItem(`mobflow:${kind}:${to}`, v);
    }
  } catch {
    // Storage unavailable: this browser will be asked its name again.
  }
}
