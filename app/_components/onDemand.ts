import { type ComponentType, lazy } from 'react';

/**
 * A component whose code is not part of what the page loads until it is live (issue 30's bundle
 * budget counts that), for dialogs opened on a click. `preload()` fetches it ahead of the click, once
 * the session is live and the browser is idle, so opening it does not wait on the network.
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

/** Fetches `items` when the browser is next idle (or after a second where it has no idle callback). */
export function preloadWhenIdle(items: readonly { preload: () => void }[]): () => void {
  const run = () => {
    for (const item of items) item.preload();
  };
  if (typeof window.requestIdleCallback === 'function') {
    const handle = window.requestIdleCallback(run, { timeout: 5000 });
    return () => window.cancelIdleCallback(handle);
  }
  const handle = window.setTimeout(run, 1000);
  return () => window.clearTimeout(handle);
}
