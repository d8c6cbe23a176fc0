/**
 * Node Yjs clients: the real y-websocket provider over `ws`, plus waiting helpers that poll a
 * condition on events (no fixed sleeps).
 */
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { SessionDocs } from '../../lib/doc/schema';

export interface YClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** The session's documents as this client sees them (the server one stays empty unless it is synced). */
  docs: SessionDocs;
  destroy(): void;
}

/**
 * A standard y-websocket client on a session's shared document (`room` = its token), or on its
 * server document (`<token>/server`). `params` go on the URL (e.g. a member token).
 */
export function connect(wsUrl: string, room: string, opts: { connect?: boolean; params?: Record<string, string>; server?: Y.Doc } = {}): YClient {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(wsUrl, room, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    connect: opts.connect ?? true,
    maxBackoffTime: 300,
    params: opts.params ?? {},
  });
  return {
    doc,
    provider,
    docs: { shared: doc, server: opts.server ?? new Y.Doc() },
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}

/** Both documents of a session, each on its own connection: what the session page opens. */
export function connectSession(wsUrl: string, token: string, params: Record<string, string> = {}) {
  const server = connect(wsUrl, `${token}/server`);
  const shared = connect(wsUrl, token, { params, server: server.doc });
  return {
    shared,
    server,
    docs: { shared: shared.doc, server: server.doc } as SessionDocs,
    synced: () => Promise.all([synced(shared), synced(server)]),
    destroy() {
      shared.destroy();
      server.destroy();
    },
  };
}

/** Resolves when `check` is true, re-checking every few ms; rejects after `timeoutMs` with `what`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const synced = (c: YClient) => waitFor(() => c.provider.synced, 'provider synced');

/** Opens a raw WebSocket and resolves with its close code and reason. */
export function closeCodeOf(url: string, send?: (ws: WebSocket) => void): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('open', () => send?.(ws));
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    ws.on('error', () => undefined);
    setTimeout(() => reject(new Error('no close within 10 s')), 10_000).unref();
  });
}
