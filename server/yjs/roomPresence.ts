/**
 * A room's presence: the Yjs awareness of its shared document, who is online for the rotation (the
 * members with an edit connection open, here and, in a cluster, on other instances), and the
 * batches that send awareness changes out: to this room's connections once per batch, and in a
 * cluster to the peers, which apply it and never publish it again.
 */
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { PEER_ORIGIN } from '../../lib/doc/origins';
import type { MemberId } from '../../lib/ids';
import { AwarenessBatch } from './awarenessBatch';
import type { Connection } from './connection';
import { encodeAwareness } from './messages';
import { type Shared, shared } from './socket';

export interface PresenceDeps {
  /** Sends a frame to every connection on the shared document but the origin's. */
  broadcast(msg: Shared, origin: unknown): void;
  /** Cluster: publishes this instance's own presence changes (an encoded awareness update). */
  publish?(update: Uint8Array): void;
  /** Cluster: members with an edit connection on other instances. */
  remoteOnline?(): Iterable<MemberId>;
}

export class RoomPresence {
  readonly awareness: Awareness;
  /** Members with an edit connection here, and how many each has open. */
  private readonly online = new Map<MemberId, number>();
  private readonly batch: AwarenessBatch;
  private readonly peerBatch: AwarenessBatch | null;
  private readonly remoteOnline: () => Iterable<MemberId>;

  constructor(doc: Y.Doc, deps: PresenceDeps) {
    this.awareness = new Awareness(doc);
    this.awareness.setLocalState(null);
    this.awareness.on('update', this.onUpdate);
    this.batch = new AwarenessBatch(({ clients, soleOrigin }) => deps.broadcast(shared(encodeAwareness(encodeAwarenessUpdate(this.awareness, clients))), soleOrigin));
    const publish = deps.publish;
    this.peerBatch = publish ? new AwarenessBatch(({ clients }) => publish(encodeAwarenessUpdate(this.awareness, clients))) : null;
    this.remoteOnline = deps.remoteOnline ?? (() => []);
  }

  /** Members online for the rotation: an edit connection open here or on another instance. */
  onlineMembers(): ReadonlySet<MemberId> {
    const online = new Set(this.online.keys());
    for (const m of this.remoteOnline()) online.add(m);
    return online;
  }

  /** Members with an edit connection on this instance (what a cluster heartbeat reports). */
  localOnlineMembers(): MemberId[] {
    return [...this.online.keys()];
  }

  /** A connection joined the shared document: counted if it is a member's, and sent everyone's presence. */
  joined(conn: Connection): void {
    if (conn.kind === 'edit' && conn.memberId) this.online.set(conn.memberId, (this.online.get(conn.memberId) ?? 0) + 1);
    const states = [...this.awareness.getStates().keys()];
    if (states.length > 0) conn.send(shared(encodeAwareness(encodeAwarenessUpdate(this.awareness, states))));
  }

  /** A connection left the shared document: its member count goes down and its presence goes. */
  left(conn: Connection): void {
    if (conn.kind === 'edit' && conn.memberId) {
      const n = (this.online.get(conn.memberId) ?? 1) - 1;
      if (n > 0) this.online.set(conn.memberId, n);
      else this.online.delete(conn.memberId);
    }
    const ids = [...conn.awarenessIds].filter((id) => this.awareness.getStates().has(id));
    if (ids.length > 0) removeAwarenessStates(this.awareness, ids, null);
  }

  /** Presence from another instance's connections: shown here, never published again. */
  applyPeer(update: Uint8Array): void {
    applyAwarenessUpdate(this.awareness, update, PEER_ORIGIN);
  }

  destroy(): void {
    this.batch.close();
    this.peerBatch?.close();
    this.awareness.off('update', this.onUpdate);
    this.awareness.destroy();
  }

  private onUpdate = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
    const clients = [...added, ...updated, ...removed];
    this.batch.add(clients, origin);
    if (origin !== PEER_ORIGIN) this.peerBatch?.add(clients, origin);
  };
}
