'use client';

import { useCallback, useState } from 'react';
import { type MemberId, parseMemberId } from '../../lib/ids';

const NAME_KEY = 'mobflow:name';
const memberKey = (sessionId: string) => `mobflow:member:${sessionId}`;

export interface Identity {
  name: string | null;
  memberId: MemberId | null;
}

/**
 * The display name (per browser) and member id (per session), kept in localStorage. Read as the
 * component mounts, so its first render already knows whether to ask for a name: only for
 * components that render in the browser alone (never on the server, where there is no storage),
 * keyed by the session.
 */
export function useIdentity(sessionKey: string) {
  const [identity, setIdentity] = useState(() => readIdentity(sessionKey));

  const remember = useCallback(
    (next: { name: string; memberId: MemberId }) => {
      safeSet(NAME_KEY, next.name);
      safeSet(memberKey(sessionKey), next.memberId);
      setIdentity(next);
    },
    [sessionKey],
  );

  return { identity, remember };
}

function readIdentity(sessionKey: string): Identity {
  return { name: safeGet(NAME_KEY), memberId: parseMemberId(safeGet(memberKey(sessionKey))) };
}

function safeGet(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function safeSet(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // Private mode or storage full: the name is simply not remembered.
  }
}
