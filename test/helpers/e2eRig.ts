/**
 * What every browser test file starts with: the production build served by the real entrypoint
 * (e2eServer.ts) and one chromium, started before the file's tests and stopped after them. Contexts
 * opened through the rig are closed with it.
 */
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launch } from './browser';
import type { ChildServer } from './child';
import { startWebServer } from './e2eServer';

export interface E2eRig {
  readonly server: ChildServer;
  readonly browser: Browser;
  /** A fresh browser context (its own storage and cookies), closed when the file's tests end. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
}

/** Call at the top of a test file; `env` adds server settings (e.g. a shorter minimum turn). */
export function e2eRig(env: Record<string, string> = {}): E2eRig {
  let server: ChildServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    server = await startWebServer(env);
    browser = await launch();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.kill('SIGTERM');
  });
  const started = <T>(what: T | undefined, name: string): T => {
    if (what === undefined) throw new Error(`e2eRig: the ${name} is not started (use it inside a test or a later beforeAll)`);
    return what;
  };
  return {
    get server() {
      return started(server, 'server');
    },
    get browser() {
      return started(browser, 'browser');
    },
    async newContext(options) {
      const context = await started(browser, 'browser').newContext(options);
      contexts.push(context);
      return context;
    },
  };
}
