'use client';

import { useEffect, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { type AckState, ackingWebSocket, allSaved } from '../../lib/protocol/ackSocket';
import { CloseCode } from '../../lib/protocol/closeCodes';
import { ACKS_PARAM, SAVED_MESSAGE } from '../../lib/protocol/saved';
import { type ClientToServer, SOCKET_PATH, type ServerToClient } from '../../lib/protocol/events';

export type LinkStatus =
  | { kind: 'connecting' }
  /** saved: every change sent from this browser is stored durably on the server. */
  | { kind: 'live'; saved: boolean }
  /** unsent: local changes wait for the connection (they are kept and sync on reconnect). */
  | { kind: 'offline'; unsent: boolean }
  | { kind: 'gone'; code: number; reason: string };

export interface SessionConnection {
  room: string;
  readOnly: boolean;
  doc: Y.Doc;
  provider: WebsocketProvider;
  socket: Socket<ServerToClient, ClientToServer>;
}

/** Pure: the connection state the UI shows, from what the provider reports. */
export function linkStatus(s: {
  connected: boolean;
  synced: boolean;
  everSynced: boolean;
  closed: { code: number; reason: string } | null;
  acks: AckState;
  unsent: boolean;
}): LinkStatus {
  if (s.closed) return { kind: 'gone', ...s.closed };
  if (s.connected && s.synced) return { kind: 'live', saved: allSaved(s.acks) };
  return s.everSynced ? { kind: 'offline', unsent: s.unsent } : { kind: 'connecting' };
}

/** Opens the Yjs provider and the socket.io connection for one session; closes both on unmount. */
export function useSessionConnection(room: string, readOnly: boolean) {
  const [conn, setConn] = useState<SessionConnection | null>(null);
  const [status, setStatus] = useState<LinkStatus>({ kind: 'connecting' });

  useEffect(() => {
    const doc = new Y.Doc();
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
    // Declared before the provider: it opens its socket (and calls update) inside its constructor.
    const acks: AckState = { sent: 0, saved: 0 };
    let unsent = false;
    let everSynced = false;
    let closed: { code: number; reason: string } | null = null;
    let ready: WebsocketProvider | null = null;
    // Editors ask the server for "saved" acknowledgements so the badge can say when changes are durable.
    const provider = new WebsocketProvider(`${scheme}://${window.location.host}/yjs`, room, doc, {
      maxBackoffTime: 5000,
      ...(readOnly ? {} : { params: { [ACKS_PARAM]: '1' }, WebSocketPolyfill: ackingWebSocket(WebSocket, acks, () => update()) }),
    });
    ready = provider;
    provider.messageHandlers[SAVED_MESSAGE] = () => undefined;
    const socket: Socket<ServerToClient, ClientToServer> = io({ path: SOCKET_PATH, auth: { room }, transports: ['websocket'] });
    function update() {
      const provider = ready;
      if (!provider) return;
      everSynced ||= provider.synced;
      if (provider.wsconnected) unsent = false;
      setStatus(linkStatus({ connected: provider.wsconnected, synced: provider.synced, everSynced, closed, acks, unsent }));
    }
    // Local edits while disconnected are kept in the doc and go out with the next sync.
    doc.on('update', (_u: Uint8Array, origin: unknown) => {
      if (origin !== provider && !provider.wsconnected && !unsent) {
        unsent = true;
        update();
      }
    });
    provider.on('status', update);
    provider.on('sync', update);
    provider.on('closed', (e: { code: number; reason: string }) => {
      closed = { code: e.code, reason: e.reason || (e.code === CloseCode.UnknownSession ? 'no such session' : 'refused') };
      update();
    });
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    setConn({ room, readOnly, doc, provider, socket });
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
      socket.close();
      provider.destroy();
      doc.destroy();
      setConn(null);
    };
  }, [room, readOnly]);

  return { conn, status };
}
