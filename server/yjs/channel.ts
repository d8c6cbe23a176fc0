/**
 * One document of a room and the connections on it: the sync replies (the full state encoded once
 * per version) and broadcasts (framed once for every subscriber).
 */
import * as Y from 'yjs';
import type { Connection } from './connection';
import { encodeSyncStep2 } from './messages';
import { type Shared, shared } from './socket';

export class Channel {
  readonly conns = new Set<Connection>();
  /** The full state as a sync step 2, for clients that have nothing yet: encoded once per version. */
  private fullState: Shared | null = null;

  /**
   * `loaded`: the one stored update the document loaded from, kept until the document first
   * changes: it already is the full state, so the first fresh join after a load sends it as is
   * (encoding a 10,000-decision document takes about 100 ms).
   */
  constructor(
    readonly doc: Y.Doc,
    private loaded: Uint8Array | null,
  ) {}

  /** The document changed: the cached full state is stale. */
  changed(): void {
    this.fullState = null;
    this.loaded = null;
  }

  /** The answer to a sync step 1: what a peer with `stateVector` lacks. */
  syncReply(stateVector: Uint8Array): Shared {
    if (!knowsAnyClient(this.doc, stateVector)) {
      // Nothing the peer has is ours (a fresh join, or a made-up vector): the answer is the whole
      // state, encoded once per version and shared by every such request.
      this.fullState ??= shared(encodeSyncStep2(this.loaded ?? Y.encodeStateAsUpdate(this.doc)));
      this.loaded = null;
      return this.fullState;
    }
    return shared(encodeSyncStep2(Y.encodeStateAsUpdate(this.doc, stateVector)));
  }

  /** Sends to every connection but the origin's; the frame is made once for all. */
  broadcast(msg: Shared, origin: unknown): void {
    for (const c of this.conns) {
      if (c.origin === origin || c === origin) continue;
      c.send(msg);
    }
  }
}

/** True when the vector names a client (with a clock past 0) that the document has. */
function knowsAnyClient(doc: Y.Doc, stateVector: Uint8Array): boolean {
  if (stateVector.length === 1 && stateVector[0] === 0) return false;
  for (const [client, clock] of Y.decodeStateVector(stateVector)) if (clock > 0 && doc.store.clients.has(client)) return true;
  return false;
}
