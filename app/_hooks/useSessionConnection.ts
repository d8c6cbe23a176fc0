'use client';

import { useEffect, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { CloseCode } from '../../lib/protocol/closeCodes';
import { type ClientToServer, SOCKET_PATH, type ServerToClient } from '../../lib/protocol/events';

export type LinkStatus =
  | { kind: 'connecting' }
  | { kind: 'live' }
  | { kind: 'offline' }
  | { kind: 'gone'; code: number; reason: string };

export interface SessionConnection {
  room: string;
  readOnly: boolean;
  doc: Y.Doc;
  provider: WebsocketProvider;
  socket: Socket<ServerToClient, ClientToServer>;
}

/** Pure: the connection state the UI shows, from what the provider reports. */
export function linkStatus(s: { connected: boolean; synced: boolean; everSynced: boolean; closed: { code: number; reason: string } | null }): LinkStatus {
  if (s.closed) return { kind: 'gone', ...s.closed };
  if (s.connected && s.synced) return { kind: 'live' };
  return s.everSynced ? { kind: 'offline' } : { kind: 'connecting' };
}

/** Opens the Yjs provider and the socket.io connection for one session; closes both on unmount. */
export function useSessionConnection(room: string, readOnly: boolean) {
  const [conn, setConn] = useState<SessionConnection | null>(null);
  const [status, setStatus] = useState<LinkStatus>({ kind: 'connecting' });

  useEffect(() => {
    const doc = new Y.Doc();
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
    const provider = new WebsocketProvider(`${scheme}://${window.location.host}/yjs`, room, doc, { maxBackoffTime: 5000 });
    const socket: Socket<ServerToClient, ClientToServer> = io({ path: SOCKET_PATH, auth: { room }, transports: ['websocket'] });
    let everSynced = false;
    let closed: { code: number; reason: string } | null = null;
    const update = () => {
      everSynced ||= provider.synced;
      setStatus(linkStatus({ connected: provider.wsconnected, synced: provider.synced, everSynced, closed }));
    };
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
