'use client';

import { type ComponentType, useEffect, useState } from 'react';
import { storedName, useIdentity } from '../_hooks/useIdentity';
import type { ConnectedSessionProps } from './ConnectedSession';
import { NameDialog } from './NameDialog';
import { SessionSkeleton } from './SessionSkeleton';

/** The session's own chunk (Yjs, its two sockets, the panels), requested once per page. */
let sessionChunk: Promise<typeof import('./ConnectedSession')> | null = null;
function loadSession(): Promise<typeof import('./ConnectedSession')> {
  sessionChunk ??= import('./ConnectedSession');
  return sessionChunk;
}

// Someone the page will not ask for a name (a returning member) waits for nothing but the session:
// it is requested as this module loads, so it downloads while the page hydrates. For a new visitor it
// is requested once the name prompt is on screen (SessionRoot's effect): evaluating it (Yjs, opening
// its sockets) would otherwise run between React's hydration slices, about 50 ms of main thread on
// the benchmark's machine before the prompt takes input.
if (typeof window !== 'undefined' && storedName() !== null) {
  // A failure is reported by SessionRoot's effect; until it subscribes, it is not an unhandled rejection.
  loadSession().catch(() => undefined);
}

/**
 * The client root of a session page, for editors (/s/<id>) and watchers (/v/<token>). It stays
 * small: the frame, and for a new visitor the name prompt, which takes input as soon as the page
 * hydrates. The session itself (Yjs, its two sockets, the panels) is a separate chunk, rendered when
 * it arrives; a name typed meanwhile stays in the prompt, and one submitted meanwhile joins the
 * session once the doc has synced.
 */
export function SessionRoot({ room, readOnly, minTurnSeconds }: { room: string; readOnly: boolean; minTurnSeconds: number }) {
  const { identity, remember } = useIdentity(room);
  const [Session, setSession] = useState<ComponentType<ConnectedSessionProps> | null>(null);
  const [sessionName, setSessionName] = useState('');
  const [failed, setFailed] = useState(false);

  // The identity is read in the hydration commit; the commit after it shows the prompt (or not).
  const identityKnown = identity !== null;
  useEffect(() => {
    if (!identityKnown) return;
    let cancelled = false;
    loadSession()
      .then((m) => {
        if (!cancelled) setSession(() => m.ConnectedSession);
      })
      // The chunk did not load (the network dropped, a deploy replaced it): say so; a reload fetches it anew.
      .catch(() => {
        if (!cancelled) setFailed(true);
      });
    return () => {
      cancelled = true;
    };
  }, [identityKnown]);

  return (
    <>
      {failed ? (
        <SessionSkeleton failure="This page could not load the session. Check your connection and reload the page." />
      ) : Session && identity ? (
        // Keyed by session: a session's state (the rename dialog, the view link) never outlives it.
        <Session key={room} room={room} readOnly={readOnly} minTurnSeconds={minTurnSeconds} identity={identity} remember={remember} onName={setSessionName} />
      ) : (
        <SessionSkeleton />
      )}
      {/* A sibling of the session, so the prompt (and what is typed in it) stays as the session arrives. */}
      {!readOnly && !failed && identity && !identity.name && (
        <NameDialog title={`Join ${sessionName || 'the session'}`} initial="" submitLabel="Join the mob" onSubmit={(name) => remember({ name })} />
      )}
    </>
  );
}
