import type { Socket } from 'socket.io';
import type { LinkKind } from '../../lib/capability';
import type { MemberId, SessionId } from '../../lib/ids';
import type { ClientToServer, ServerToClient } from '../../lib/protocol/events';

/** What the handshake established about a socket: its session, link, and (once joined) its member. */
export interface SocketData {
  sessionId: SessionId;
  kind: LinkKind;
  /** The link token it was opened with, so replacing that link disconnects it. */
  token: string;
  memberId: MemberId | null;
  ip: string;
}

export type RealtimeSocket = Socket<ClientToServer, ServerToClient, Record<string, never>, SocketData>;
