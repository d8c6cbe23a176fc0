/**
 * What the server does with each frame a connection sends: decode it (y-websocket protocol plus
 * Mobflow's heartbeat), then answer a sync request, check and apply a document update, or check and
 * apply presence. Every refusal is counted by reason; a frame that cannot be decoded closes that
 * connection only (4000).
 */
import { applyAwarenessUpdate } from 'y-protocols/awareness';
import { presenceAllowed } from '../../lib/presence';
import { CloseCode } from '../../lib/protocol/closeCodes';
import { HEARTBEAT, isHeartbeat } from '../../lib/protocol/heartbeat';
import { encodeSaved } from '../../lib/protocol/saved';
import type { Limits } from '../config';
import type { Logger } from '../logger';
import { METRIC, type Metrics } from '../metrics';
import type { Connection } from './connection';
import { decodeAwarenessEntries, decodeMessage, encodeAwareness, encodeAwarenessEntries, encodePermissionDenied, encodeSyncStep1, updateAddsTo } from './messages';
import type { Room } from './room';
import { checkSharedUpdate } from './sharedCheck';
import { shared } from './socket';
import { encodeAwarenessUpdate } from 'y-protocols/awareness';

export interface ReceiverDeps {
  limits: Limits;
  metrics: Metrics;
  logger: Logger;
  now(): number;
}

const READ_ONLY = {
  view: { reason: 'read_only', message: 'this is a read-only view link: changes are not accepted' },
  server: { reason: 'server_owned', message: 'the timer, turn history, decision log and settings change only through commands' },
} as const;

/** Handles one frame from `conn` (already admitted by its budgets) in `room`. */
export function receive(deps: ReceiverDeps, room: Room, conn: Connection, frame: Uint8Array): void {
  if (!conn.isOpen) return; // frames already in flight when it was closed are not read
  if (isHeartbeat(frame)) {
    if (conn.heartbeat) conn.answerHeartbeat();
    return;
  }
  if (frame.byteLength > deps.limits.maxFrameBytes) {
    conn.close(CloseCode.MessageTooBig, `frame of ${frame.byteLength} bytes exceeds ${deps.limits.maxFrameBytes}`);
    return;
  }
  try {
    const msg = decodeMessage(frame);
    switch (msg.kind) {
      case 'syncStep1':
        if (conn.admitSyncRequest()) void room.durableSyncReply(conn.channel, msg.stateVector).then((reply) => reply && conn.isOpen && conn.send(reply));
        return;
      case 'syncStep2':
      case 'update':
        update(deps, room, conn, msg.update);
        return;
      case 'awareness':
        awareness(deps, room, conn, msg.update);
        return;
      case 'queryAwareness':
        if (conn.channel === 'shared') conn.send(shared(encodeAwareness(encodeAwarenessUpdate(room.awareness, [...room.awareness.getStates().keys()]))));
        return;
      case 'auth':
        return;
      default:
        assertNever(msg);
    }
  } catch (err) {
    conn.close(CloseCode.MalformedMessage, `malformed message: ${(err as Error).message}`);
  }
}

/**
 * Updates in a row that cannot apply, each answered with a resync request, before the connection may
 * be closed: it is closed once there were this many AND limits.unresolvedGraceMs has passed since
 * the first. A count alone closed clients that were right: in a cluster, a room that missed a
 * record on the bus lacks what they build on until it reads the record back from the store, and
 * eight resync round trips take milliseconds.
 */
const UNRESOLVED_RESYNCS = 8;

function refuse(deps: ReceiverDeps, conn: Connection, reason: string, message: string): void {
  deps.metrics.inc(METRIC.refused, 'Client messages refused, by reason', { reason });
  if (conn.isOpen) conn.send(shared(encodePermissionDenied(message)));
}

function update(deps: ReceiverDeps, room: Room, conn: Connection, bytes: Uint8Array): void {
  if (conn.readOnly) {
    // Every client sends a sync step 2 on connect, empty or already known: only new content is refused.
    const doc = room.docs[conn.channel];
    if (updateAddsTo(doc, bytes)) {
      const r = conn.kind === 'view' ? READ_ONLY.view : READ_ONLY.server;
      refuse(deps, conn, r.reason, r.message);
    }
    return;
  }
  conn.received++;
  if (room.wouldExceedCap(bytes.byteLength)) {
    conn.close(CloseCode.DocumentTooLarge, `session document would exceed ${deps.limits.maxDocBytes} bytes`);
    return;
  }
  const checked = checkSharedUpdate(room.docs, bytes);
  if (!checked.ok) {
    if (checked.reason === 'unresolved') {
      // A client that reconnects may send a fresh edit before the sync step 2 that carries what its
      // last connection never got stored (a room that failed, an instance that went away): the edit
      // builds on changes the server lacks. Nothing is parked; the server asks for a resync instead
      // (its sync step 1), which every y-websocket client answers with everything the server lacks.
      // A client that keeps sending what cannot apply is closed (permanent: a reload recovers).
      deps.metrics.inc(METRIC.refused, 'Client messages refused, by reason', { reason: 'unresolved' });
      const now = deps.now();
      conn.unresolvedSince ??= now;
      // Cluster: the room may have missed a record on the bus; read the store now, not at the next poll.
      room.behind();
      if (++conn.unresolvedStreak <= UNRESOLVED_RESYNCS || now - conn.unresolvedSince < deps.limits.unresolvedGraceMs) {
        conn.send(shared(encodeSyncStep1(room.docs.shared)));
        return;
      }
      refuse(deps, conn, 'unresolved', checked.detail);
      conn.close(CloseCode.UnresolvedUpdate, 'update depends on changes the server does not have: reload');
    } else {
      refuse(deps, conn, 'schema', checked.detail);
      conn.close(CloseCode.Forbidden, `refused: ${checked.detail}`);
    }
    return;
  }
  conn.unresolvedStreak = 0;
  conn.unresolvedSince = null;
  const n = conn.received;
  const stored = room.applyClientUpdate(conn, bytes);
  if (!conn.acks) {
    stored.catch(() => undefined); // the room closes every connection with 4500 when the log fails
    return;
  }
  stored.then(
    () => conn.send(shared(encodeSaved(n))),
    () => undefined,
  );
}

function awareness(deps: ReceiverDeps, room: Room, conn: Connection, bytes: Uint8Array): void {
  if (conn.channel !== 'shared') return; // presence lives with the shared document
  if (bytes.byteLength > deps.limits.maxAwarenessBytes) {
    conn.close(CloseCode.MessageTooBig, `presence state larger than ${deps.limits.maxAwarenessBytes} bytes`);
    return;
  }
  if (!conn.awarenessBudget.take()) {
    refuse(deps, conn, 'awareness_rate', 'presence updates too frequent: some were dropped');
    return;
  }
  // Standard providers echo every presence change they receive back to the server, so entries for
  // other clients are normal: an echo (clock not newer than ours) is skipped silently; a newer
  // clock for someone else's id is a forgery and refused visibly. Who a state says the person is
  // must match the connection (a watcher only watches; an editor is only itself).
  const own = [];
  let forged = false;
  let impersonated = false;
  const others = room.connections('shared');
  for (const entry of decodeAwarenessEntries(bytes)) {
    if (!conn.awarenessIds.has(entry.clientId)) {
      const owner = [...others].find((c) => c !== conn && c.awarenessIds.has(entry.clientId));
      if (owner && takesOver(conn, owner, deps.now())) owner.awarenessIds.delete(entry.clientId);
      else if (owner || conn.awarenessIds.size > 0) {
        const known = room.awareness.meta.get(entry.clientId)?.clock ?? -1;
        if (entry.clock > known) forged = true;
        continue;
      }
    }
    if (!presenceAllowed(JSON.parse(entry.state), { kind: conn.kind, memberId: conn.memberId })) {
      impersonated = true;
      continue;
    }
    conn.awarenessIds.add(entry.clientId);
    own.push(entry);
  }
  if (forged) refuse(deps, conn, 'awareness_foreign', 'awareness may only be set for your own client id');
  if (impersonated) {
    const message = conn.kind === 'view' ? 'a watch link shows you as watching, never as a member' : 'presence may only name the member this connection joined as';
    refuse(deps, conn, 'awareness_identity', message);
  }
  if (own.length > 0) applyAwarenessUpdate(room.awareness, encodeAwarenessEntries(own), conn);
}

/**
 * A browser that reconnects sends its presence under the same client id, sometimes before the
 * server has seen its old socket go (a dropped network is only noticed by the heartbeat). The new
 * connection takes the id over when the old one is the same member, or has gone silent; anyone
 * else's id stays theirs.
 */
function takesOver(conn: Connection, owner: Connection, now: number): boolean {
  if (conn.memberId !== null && conn.memberId === owner.memberId) return true;
  return now - owner.lastHeard > HEARTBEAT.intervalMs * 2;
}

function assertNever(x: never): never {
  throw new Error(`unexpected message ${JSON.stringify(x)}`);
}
