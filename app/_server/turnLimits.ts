/**
 * The shortest turn (and break) the server accepts, for the pages to render their forms with.
 * server/config.ts reads it (MIN_TURN_SECONDS; tests lower it to 1 s) and the server passes it to
 * every page render in a request header it always sets (lib/protocol/http.ts MIN_TURN_HEADER), so
 * the UI never reads the environment. Server components only.
 */
import { headers } from 'next/headers';
import { LIMITS } from '../../lib/doc/schema';
import { MIN_TURN_HEADER } from '../../lib/protocol/http';

export async function minTurnSeconds(): Promise<number> {
  const n = Number((await headers()).get(MIN_TURN_HEADER));
  return Number.isInteger(n) && n >= 1 ? n : LIMITS.turnSecondsMin;
}
