'use client';

import { useMemo, useSyncExternalStore } from 'react';
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';

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

const docStores = new WeakMap<Y.Doc, ReturnType<typeof versioned>>();
const awarenessStores = new WeakMap<Awareness, ReturnType<typeof versioned>>();

/** A value derived from the doc, recomputed after every update (selectors are pure lib/ reads). */
export function useDocSelector<T>(doc: Y.Doc, select: (doc: Y.Doc) => T): T {
  let store = docStores.get(doc);
  if (!store) {
    store = versioned((bump) => {
      doc.on('update', bump);
      return () => doc.off('update', bump);
    });
    docStores.set(doc, store);
  }
  const version = useSyncExternalStore(store.subscribe, store.get, store.get);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal for doc
  return useMemo(() => select(doc), [doc, version, select]);
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
