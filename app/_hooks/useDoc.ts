'use client';

import { useMemo, useSyncExternalStore } from 'react';
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import type { SessionDocs } from '../../lib/doc/schema';

function versioned(subscribeTo: (bump: () => void) => () => void) {
  let version = 0;
  return {
    subscribe: (notify: () => void) =>
      subscribeTo(() => {
        version++;
        notify();
      }),
    get: () => version,
  };
}

const docStores = new WeakMap<SessionDocs, ReturnType<typeof versioned>>();
const awarenessStores = new WeakMap<Awareness, ReturnType<typeof versioned>>();

/**
 * A value derived from the session's documents, recomputed after every update to either of them
 * (selectors are pure lib/ reads over SessionDocs).
 */
export function useDocSelector<T>(docs: SessionDocs, select: (docs: SessionDocs) => T): T {
  let store = docStores.get(docs);
  if (!store) {
    store = versioned((bump) => {
      const docsOf: Y.Doc[] = [docs.shared, docs.server];
      for (const d of docsOf) d.on('update', bump);
      return () => {
        for (const d of docsOf) d.off('update', bump);
      };
    });
    docStores.set(docs, store);
  }
  const version = useSyncExternalStore(store.subscribe, store.get, store.get);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal for docs
  return useMemo(() => select(docs), [docs, version, select]);
}

/** Awareness states, re-read whenever someone's presence changes. */
export function useAwarenessStates(awareness: Awareness): Map<number, unknown> {
  let store = awarenessStores.get(awareness);
  if (!store) {
    store = versioned((bump) => {
      awareness.on('change', bump);
      return () => awareness.off('change', bump);
    });
    awarenessStores.set(awareness, store);
  }
  const version = useSyncExternalStore(store.subscribe, store.get, store.get);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal
  return useMemo(() => new Map(awareness.getStates()), [awareness, version]);
}
