/**
 * Sessions as plain documents for unit tests: a session's two documents, replicas of it (a browser,
 * the server) that exchange updates only when told to, in either order.
 */
import * as Y from 'yjs';
import { DEFAULT_SETTINGS, initSession, type SessionDocs, type SessionSettings } from '../../lib/doc/schema';

export function newDocs(): SessionDocs {
  return { shared: new Y.Doc(), server: new Y.Doc() };
}

/** A new session's documents, as the server creates them. */
export function newSession(settings: Partial<SessionSettings> = {}): SessionDocs {
  const docs = newDocs();
  initSession(docs, { name: 'Mob', createdAt: 0, settings: { ...DEFAULT_SETTINGS, ...settings } });
  return docs;
}

/** A replica with everything `of` has so far. */
export function replica(of: SessionDocs): SessionDocs {
  const docs = newDocs();
  Y.applyUpdate(docs.shared, Y.encodeStateAsUpdate(of.shared));
  Y.applyUpdate(docs.server, Y.encodeStateAsUpdate(of.server));
  return docs;
}

/** Exchanges both documents between two replicas (`first`'s changes reach `second` first). */
export function merge(first: SessionDocs, second: SessionDocs): void {
  for (const kind of ['shared', 'server'] as const) {
    const u1 = Y.encodeStateAsUpdate(first[kind]);
    const u2 = Y.encodeStateAsUpdate(second[kind]);
    Y.applyUpdate(second[kind], u1);
    Y.applyUpdate(first[kind], u2);
  }
}

export function mergeAll(all: readonly SessionDocs[]): void {
  for (const [i, x] of all.entries()) for (const y of all.slice(i + 1)) merge(x, y);
}

/** Records every update a document emits (what a provider would send), for the server's checks. */
export function recordUpdates(doc: Y.Doc): Uint8Array[] {
  const out: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => out.push(u));
  return out;
}
