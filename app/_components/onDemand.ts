import { type ComponentType, lazy } from 'react';

/**
 * A component whose code is not part of what the page loads until it is live (issue 30's bundle
 * budget counts that), for dialogs opened on a click. `preload()` fetches it ahead of the click (see
 * preloadOnFirstInteraction), so opening it does not wait on the network.
 */
export interface OnDemand<P> {
  Component: ComponentType<P>;
  preload: () => void;
}

export function onDemand<P>(load: () => Promise<ComponentType<P>>): OnDemand<P> {
  let pending: Promise<ComponentType<P>> | null = null;
  const fetchOnce = () => {
    pending ??= load().catch((err: unknown) => {
      pending = null; // a failed fetch (offline) is tried again on the next open
      throw err;
    });
    return pending;
  };
  return {
    Component: lazy(() => fetchOnce().then((Component) => ({ default: Component }))),
    preload: () => void fetchOnce().catch(() => undefined),
  };
}

const INTERACTIONS = ['pointermove', 'pointerdown', 'keydown', 'touchstart'] as const;

/**
 * Fetches `items` once the person first moves the pointer, touches or types on the live page: ahead
 * of any click on a dialog's opener, and never for a page nobody uses (a wall display stays at what
 * it needed to be live). Returns a cleanup for the effect that calls it.
 */
export function preloadOnFirstInteraction(items: readonly { preload: () => void }[]): () => void {
  const run = () => {
    stop();
    for (const item of items) item.preload();
  };
  const stop = () => {
    for (const type of INTERACTIONS) window.removeEventListener(type, run, true);
  };
  for (const type of INTERACTIONS) window.addEventListener(type, run, { capture: true, passive: true });
  return stop;
}
