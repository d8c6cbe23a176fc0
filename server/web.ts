/**
 * The Next.js request handler, behind a private EventEmitter for upgrades: Next attaches its own
 * 'upgrade' listener to whatever it is given as httpServer and would close our /yjs sockets, so it
 * only ever sees the upgrades we re-emit to it (dev hot reload at /_next/webpack-hmr and friends).
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebMode } from './config';

export interface Web {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

export async function createWeb(mode: Exclude<WebMode, 'none'>, dir: string, hostname: string, port: number): Promise<Web> {
  const upgrades = new EventEmitter();
  // Loaded only when the UI is on: with MOBFLOW_UI=off the process never holds Next in memory.
  const { default: next } = await import('next');
  const app = next({
    dev: mode === 'development',
    dir,
    hostname,
    port,
    httpServer: upgrades as unknown as HttpServer,
  });
  await app.prepare();
  const handler = app.getRequestHandler();
  return {
    handle: (req, res) => handler(req, res),
    upgrade: (req, socket, head) => {
      if (upgrades.listenerCount('upgrade') === 0) socket.destroy();
      else upgrades.emit('upgrade', req, socket, head);
    },
    close: () => app.close(),
  };
}
