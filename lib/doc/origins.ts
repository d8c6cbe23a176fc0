/**
 * Typed transaction origins, so observers can tell a client's edit from a server write.
 */
export type ServerReason = 'create' | 'join' | 'timer' | 'rotate' | 'expire' | 'task' | 'decision' | 'delivery' | 'load';

export type Origin =
  | { readonly source: 'client'; readonly connectionId: string }
  | { readonly source: 'server'; readonly reason: ServerReason }
  | { readonly source: 'store' }
  /** A record another instance of a cluster made durable, applied here (never appended again). */
  | { readonly source: 'peer' };

export const serverOrigin = (reason: ServerReason): Origin => ({ source: 'server', reason });
export const STORE_ORIGIN: Origin = { source: 'store' };
export const PEER_ORIGIN: Origin = { source: 'peer' };

export function isOrigin(value: unknown): value is Origin {
  if (typeof value !== 'object' || value === null) return false;
  const source = (value as { source?: unknown }).source;
  return source === 'client' || source === 'server' || source === 'store' || source === 'peer';
}
