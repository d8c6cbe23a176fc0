/**
 * The production build served by the real entrypoint in a child process, for browser tests.
 */
import { ensureBuilt } from '../../scripts/ensure-build.mjs';
import { type ChildServer, startChild } from './child';
import { tempDir } from './server';

/** Builds if stale, then starts the server with the UI on a fresh DATA_DIR (`env` adds settings). */
export async function startWebServer(env: Record<string, string> = {}): Promise<ChildServer> {
  ensureBuilt();
  return startChild(tempDir(), { ...env, MOBFLOW_UI: 'on' });
}
