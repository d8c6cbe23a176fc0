/**
 * The production build served by the real entrypoint in a child process, for browser tests.
 */
// @ts-expect-error -- plain ESM script without types
import { ensureBuilt } from '../../scripts/ensure-build.mjs';
import { type ChildServer, startChild } from './child';
import { tempDir } from './server';

export async function startWebServer(): Promise<ChildServer> {
  (ensureBuilt as () => void)();
  return startChild(tempDir(), { MOBFLOW_UI: 'on' });
}
