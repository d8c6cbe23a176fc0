'use client';

import { createContext, useContext } from 'react';
import type { Member } from '../../lib/members';
import type { SessionConnection } from '../_hooks/useSessionConnection';

export interface SessionContextValue {
  conn: SessionConnection;
  /** The person at this browser; null for watchers and before joining. */
  me: Member | null;
  readOnly: boolean;
  /** Public links: the edit link only exists for editors. */
  links: { edit: string | null; view: string | null };
  /** Replaces (revokes) the invite or watch link; editors only. */
  replaceLink(link: 'edit' | 'view'): Promise<{ ok: true } | { ok: false; error: string }>;
  /** Server limits the forms respect (the shortest turn, MIN_TURN_SECONDS). */
  limits: { minTurnSeconds: number };
}

const Ctx = createContext<SessionContextValue | null>(null);
export const SessionProvider = Ctx.Provider;

export function useSession(): SessionContextValue {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}
