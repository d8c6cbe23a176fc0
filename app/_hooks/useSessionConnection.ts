'use client';

import { useEffect, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { SessionDocs } from '../../lib/doc/schema';
import { type AckState, ackingWebSocket, allSaved } from '../../lib/protocol/ackSocket';
import { CloseCode } from '../../lib/protocol/closeCodes';
import { type ClientToServer, SOCKET_PATH, type ServerToClient } from '../../lib/protocol/events';
import { HEARTBEAT, HEARTBEAT_FRAME, HEARTBEAT_MESSAGE, HEARTBEAT_PARAM } from '../../lib/protocol/heartbeat';
import { MEMBER_PARAM } from '../../lib/protocol/memberParam';
import { ACKS_PARAM, SAVED_MESSAGE } from '../../lib/protocol/saved';
import type { PresenceState } from '../../lib/presence';

export type LinkStatus =
  | { kind: 'connecting' }
  /** saved: every change sent from this browser is stored durably on the server. */
  | { kind: 'live'; saved: boolean }
  /** unsent: local changes wait for the connection (they are kept and sync on reconnect). */
  | { kind: 'offline'; unsent: boolean }
  | { kind: 'gone'; code: number; reason: string };

export type Command = <E extends keyof ClientToServer>(
  event: E,
  payload: Parameters<ClientToServer[E]>[0],
) => Promise<{ ok: true; value: unknown } | { ok: false; error: string }>;

export interface SessionConnection {
  room: string;
  readOnly: boolean;
  docs: SessionDocs;
  /** The shared document's provider: presence lives on it. */
  provider: WebsocketProvider;
  socket: Socket<ServerToClient, ClientToServer>;
  /** A socket.io command with its ack, or a readable error when the server does not answer. */
  command: Command;
  /**
   * Who this browser shows as, in presence. A member is only named on a connection that carries
   * that member's token (the server refuses anything else), and presence is sent again with a fresh
   * clock on every reconnect (the server dropped this client's state when the old socket closed,
   * and would ignore the same clock a second time).
   */
  setPresence(user: PresenceState['user']): void;
}

/** Pure: the connection state the UI shows, from what the providers and the browser report. */
export function linkStatus(s: {
  online: boolean;
  connected: boolean;
  synced: boolean;
  stalled: boolean;
  everSynced: boolean;
  closed: { code: number; reason: string } | null;
  acks: AckState;
  unsent: boolean;
}): LinkStatus {
  if (s.closed) return { kind: 'gone', ...s.closed };
  const unsent = s.unsent || !allSaved(s.acks);
  if (!s.online || s.stalled) return s.everSynced ? { kind: 'offline', unsent } : { kind: 'connecting' };
  if (s.connected && s.synced) return { kind: 'live', saved: allSaved(s.acks) };
  return s.everSynced ? { kind: 'offline', unsent } : { kind: 'connecting' };
}

const REPLACED = 'this link was replaced by someone in the session: ask your team for the new one';
const COMMAND_TIMEOUT_MS = 10_000;

/**
 * Opens a session's two documents (the shared one, written here; the server's, read-only) and the
 * socket.io connection; closes them on unmount. `token` proves which member this browser is: it
 * goes on every connection, and a new one (after joining) reconnects them.
 */
export function useSessionConnection(room: string, readOnly: boolean, token: string | null) {
  const [conn, setConn] = useState<SessionConnection | null>(null);
  const [status, setStatus] = useState<LinkStatus>({ kind: 'connecting' });

  // biome-ignore lint/correctness/useExhaustiveDependencies: the token is applied by the effect below, not by reconnecting from scratch
  useEffect(() => {
    const docs: SessionDocs = { shared: new Y.Doc(), server: new Y.Doc() };
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
    const base = `${scheme}://${window.location.host}/yjs`;
    // Declared before the providers: they open their sockets (and call update) inside their constructors.
    const acks: AckState = { sent: 0, saved: 0 };
    let unsent = false;
    let everSynced = false;
    let closed: { code: number; reason: string } | null = null;
    let lastHeard = Date.now();
    let stalled = false;
    let shared: WebsocketProvider | null = null;
    let server: WebsocketProvider | null = null;
    function update() {
      if (!shared || !server) return;
      const synced = shared.synced && server.synced;
      everSynced ||= synced;
      if (shared.wsconnected) unsent = false;
      setStatus(linkStatus({ online: navigator.onLine, connected: shared.wsconnected && server.wsconnected, synced, stalled, everSynced, closed, acks, unsent }));
    }
    // Every message from the server counts as a sign of life (the heartbeat answers when nothing else comes).
    const Heard = ackingWebSocket(WebSocket, acks, () => update());
    const Listening = class extends Heard {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        lastHeard = Date.now();
        this.addEventListener('message', () => {
          lastHeard = Date.now();
          if (stalled) {
            stalled = false;
            update();
          }
        });
      }
    };
    const params: Record<string, string> = { [HEARTBEAT_PARAM]: '1', ...(readOnly ? {} : { [ACKS_PARAM]: '1', ...(token ? { [MEMBER_PARAM]: token } : {}) }) };
    shared = new WebsocketProvider(base, room, docs.shared, { maxBackoffTime: 5000, params, WebSocketPolyfill: Listening as unknown as typeof WebSocket });
    server = new WebsocketProvider(base, `${room}/server`, docs.server, { maxBackoffTime: 5000 });
    // Presence lives with the shared document only.
    server.awareness.setLocalState(null);
    shared.messageHandlers[SAVED_MESSAGE] = () => undefined;
    shared.messageHandlers[HEARTBEAT_MESSAGE] = () => undefined;
    const socket: Socket<ServerToClient, ClientToServer> = io({ path: SOCKET_PATH, auth: { room, ...(token ? { member: token } : {}) }, transports: ['websocket'] });

    // Heartbeat: one byte a second; nothing heard for a while means the network is gone, whatever
    // the socket says (a dropped link can look open for 30 s). The socket is closed so the provider
    // reconnects as soon as the network is back.
    const beat = setInterval(() => {
      const ws = shared?.ws;
      if (!ws || ws.readyState !== WebSocket.OPEN) return;
      ws.send(HEARTBEAT_FRAME);
      if (!stalled && Date.now() - lastHeard > HEARTBEAT.clientTimeoutMs) {
        stalled = true;
        update();
        ws.close();
      }
    }, HEARTBEAT.intervalMs);

    // Local edits while disconnected are kept in the doc and go out with the next sync.
    docs.shared.on('update', (_u: Uint8Array, origin: unknown) => {
      if (origin !== shared && !shared?.wsconnected && !unsent) {
        unsent = true;
        update();
      }
    });
    const onClosed = (e: { code: number; reason: string }) => {
      const reason = e.code === CloseCode.LinkReplaced ? REPLACED : e.reason || (e.code === CloseCode.UnknownSession ? 'no such session' : 'refused');
      closed = { code: e.code, reason };
      update();
    };
    for (const p of [shared, server]) {
      p.on('status', update);
      p.on('sync', update);
      p.on('closed', onClosed);
    }
    socket.on('notice', (n) => {
      if (n.kind === 'link-replaced') onClosed({ code: CloseCode.LinkReplaced, reason: REPLACED });
    });
    let presence: PresenceState['user'] | null = null;
    const applyPresence = () => {
      if (!presence || !shared) return;
      const token = shared.params[MEMBER_PARAM];
      const proven = presence.memberId !== null && token?.startsWith(`${presence.memberId}.`);
      shared.awareness.setLocalStateField('user', proven || presence.memberId === null ? presence : { ...presence, memberId: null });
    };
    shared.on('status', ({ status: s }: { status: string }) => {
      if (s === 'connected') applyPresence();
      // On a closed socket the provider drops everyone else's presence but keeps their clocks, and
      // would then ignore the same states when the server sends them again on reconnect (until
      // each renews, up to 15 s later): forget those clocks too.
      if (s === 'disconnected' && shared) {
        const aw = shared.awareness;
        for (const id of [...aw.meta.keys()]) if (id !== aw.clientID && !aw.states.has(id)) aw.meta.delete(id);
      }
    });
    const setPresence = (user: PresenceState['user']) => {
      presence = user;
      applyPresence();
    };
    const onNetwork = () => {
      if (navigator.onLine) stalled = false;
      update();
    };
    window.addEventListener('online', onNetwork);
    window.addEventListener('offline', onNetwork);
    const command: Command = (event, payload) =>
      new Promise((resolve) => {
        (socket.timeout(COMMAND_TIMEOUT_MS).emit as (e: string, p: unknown, cb: (err: unknown, r: never) => void) => void)(event, payload, (err, reply) => {
          resolve(err ? { ok: false, error: 'No answer from the server: check the connection and try again.' } : reply);
        });
      });
    setConn({ room, readOnly, docs, provider: shared, socket, command, setPresence });
    update();
    return () => {
      clearInterval(beat);
      window.removeEventListener('online', onNetwork);
      window.removeEventListener('offline', onNetwork);
      socket.close();
      shared?.destroy();
      server?.destroy();
      docs.shared.destroy();
      docs.server.destroy();
      setConn(null);
    };
  }, [room, readOnly]);

  // A member token (after joining here or in another tab) goes on every connection: reconnect them with it.
  useEffect(() => {
    if (!conn || conn.readOnly) return;
    const want = token ?? undefined;
    if (conn.provider.params[MEMBER_PARAM] === want) return;
    if (want) conn.provider.params = { ...conn.provider.params, [MEMBER_PARAM]: want };
    else {
      const { [MEMBER_PARAM]: _gone, ...rest } = conn.provider.params;
      conn.provider.params = rest;
    }
    // The new connection opens once the old one has closed: the server drops the old one's presence
    // first, so the new one's is not refused as someone else's.
    const old = conn.provider.ws;
    conn.provider.disconnect();
    if (old && old.readyState !== WebSocket.CLOSED) {
      let done = false;
      const reconnect = () => {
        if (done) return;
        done = true;
        conn.provider.connect();
      };
      old.addEventListener('close', reconnect, { once: true });
      setTimeout(reconnect, 1_000);
    } else conn.provider.connect();
    conn.socket.auth = { room: conn.room, ...(want ? { member: want } : {}) };
    conn.socket.disconnect().connect();
  }, [conn, token]);

  return { conn, status };
}
