'use client';

import { createContext, useContext } from 'react';
import type { ServerClock } from '../_hooks/useServerClock';

/** One server-clock estimate for the whole stage (SessionStage owns it), so its panels share one set of pings. */
export const StageClock = createContext<ServerClock | null>(null);

export function useStageClock(): ServerClock {
  const clock = useContext(StageClock);
  if (!clock) throw new Error('useStageClock outside SessionStage');
  return clock;
}
