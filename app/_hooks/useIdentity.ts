'use client';

import { useCallback, useLayoutEffect, useState } from 'react';
import { type MemberId, parseMemberId } from '../../lib/ids';

const NAME_KEY = 'mobflow:name';
const memberKey = (sessionId: string) => `mobflow:member:${sessionId}`;
const tokenKey = (sessionId: string) => `mobflow:token:${sessionId}`;

export interface Identity {
  name: string | null;
  memberId: MemberId | null;
  /** Proof of being that member, from the server when this browser joined (lib/protocol/members.ts). */
  token: string | null;
}

/**
 * The display name (per browser) and member id (per session), kept in localStorage. null while the
 * page renders on the server and hydrates (there is no storage there, and the two must agree); read
 * in a layout effect right after, so the first paint after hydration already knows whether to ask
 * for a name.
 */
export function useIdentity(sessionKey: string) {
  const [identity, setIdentity] = useState<Identity | null>(null);
  useLayoutEffect(() => setIdentity(readIdentity(sessionKey)), [sessionKey]);

  /** Remembers a name, and the member id and token once the session has them (else keeps the stored ones). */
  const remember = useCallback(
    (next: { name: string; memberId?: MemberId; token?: string }) => {
      safeSet(NAME_KEY, next.name);
      if (next.memberId) safeSet(memberKey(sessionKey), next.memberId);
      if (next.token) safeSet(tokenKey(sessionKey), next.token);
      setIdentity((prev) => ({ name: next.name, memberId: next.memberId ?? prev?.memberId ?? null, token: next.token ?? prev?.token ?? null }));
    },
    [sessionKey],
  );

  return { identity, remember };
}

export type Remember = ReturnType<typeof useIdentity>['remember'];

function readIdentity(sessionKey: string): Identity {
  const memberId = parseMemberId(safeGet(memberKey(sessionKey)));
  const token = safeGet(tokenKey(sessionKey));
  // A token is only good with its member (it starts with the member id).
  return { name: storedName(), memberId, token: memberId && token?.startsWith(`${memberId}.`) ? token : null };
}

/** The display name this browser remembers, if any: a page that finds one will not ask for a name. Browser only. */
export function storedName(): string | null {
  return safeGet(NAME_KEY);
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
