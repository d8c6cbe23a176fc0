/**
 * y-websocket message framing: the standard protocol, so any Yjs client works.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as authProtocol from 'y-protocols/auth';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';

export const MessageType = { sync: 0, awareness: 1, auth: 2, queryAwareness: 3 } as const;
export const SyncType = {
  step1: syncProtocol.messageYjsSyncStep1,
  step2: syncProtocol.messageYjsSyncStep2,
  update: syncProtocol.messageYjsUpdate,
} as const;

export type Incoming =
  | { kind: 'syncStep1'; stateVector: Uint8Array }
  | { kind: 'syncStep2' | 'update'; update: Uint8Array }
  | { kind: 'awareness'; update: Uint8Array }
  | { kind: 'queryAwareness' }
  | { kind: 'auth' };

/** Decodes one frame; throws on anything that is not a well-formed message. */
export function decodeMessage(frame: Uint8Array): Incoming {
  const d = decoding.createDecoder(frame);
  const type = decoding.readVarUint(d);
  let msg: Incoming;
  switch (type) {
    case MessageType.sync: {
      const sub = decoding.readVarUint(d);
      const payload = decoding.readVarUint8Array(d);
      if (sub === SyncType.step1) msg = { kind: 'syncStep1', stateVector: payload };
      else if (sub === SyncType.step2) msg = { kind: 'syncStep2', update: payload };
      else if (sub === SyncType.update) msg = { kind: 'update', update: payload };
      else throw new Error(`unknown sync message type ${sub}`);
      break;
    }
    case MessageType.awareness:
      msg = { kind: 'awareness', update: decoding.readVarUint8Array(d) };
      break;
    case MessageType.queryAwareness:
      msg = { kind: 'queryAwareness' };
      break;
    case MessageType.auth:
      return { kind: 'auth' };
    default:
      throw new Error(`unknown message type ${type}`);
  }
  if (decoding.hasContent(d)) throw new Error('trailing bytes after message');
  return msg;
}

export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.sync);
  syncProtocol.writeSyncStep1(e, doc);
  return encoding.toUint8Array(e);
}

/** A sync step 2 carrying `update`: what the peer lacks (or the whole state, for a peer with nothing). */
export function encodeSyncStep2(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.sync);
  encoding.writeVarUint(e, syncProtocol.messageYjsSyncStep2);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

export function encodeUpdate(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.sync);
  syncProtocol.writeUpdate(e, update);
  return encoding.toUint8Array(e);
}

export function encodeAwareness(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.awareness);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

/** The standard "permission denied" auth message: y-websocket clients log the reason. */
export function encodePermissionDenied(reason: string): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.auth);
  authProtocol.writePermissionDenied(e, reason);
  return encoding.toUint8Array(e);
}

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  /** The state as sent: JSON text ("null" removes the client). */
  state: string;
}

/** The entries of an awareness update. Throws when malformed (including state that is not JSON). */
export function decodeAwarenessEntries(update: Uint8Array): AwarenessEntry[] {
  const d = decoding.createDecoder(update);
  const n = decoding.readVarUint(d);
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < n; i++) {
    const clientId = decoding.readVarUint(d);
    const clock = decoding.readVarUint(d);
    const state = decoding.readVarString(d);
    JSON.parse(state);
    entries.push({ clientId, clock, state });
  }
  if (decoding.hasContent(d)) throw new Error('trailing bytes after awareness update');
  return entries;
}

export function encodeAwarenessEntries(entries: readonly AwarenessEntry[]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(e, entry.clientId);
    encoding.writeVarUint(e, entry.clock);
    encoding.writeVarString(e, entry.state);
  }
  return encoding.toUint8Array(e);
}

/**
 * True when applying `update` would add anything to `doc`: structs past the doc's state vector,
 * or deletions the doc has not seen. Used to refuse writes from read-only connections while
 * accepting the empty (or already known) sync step 2 every client sends.
 */
export function updateAddsTo(doc: Y.Doc, update: Uint8Array): boolean {
  const decoded = Y.decodeUpdate(update);
  const sv = Y.decodeStateVector(Y.encodeStateVector(doc));
  for (const s of decoded.structs) {
    if (s.id.clock + s.length > (sv.get(s.id.client) ?? 0)) return true;
  }
  if (decoded.ds.clients.size === 0) return false;
  const known = Y.createDeleteSetFromStructStore(doc.store);
  for (const [client, items] of decoded.ds.clients) {
    const ranges = known.clients.get(client) ?? [];
    for (const item of items) if (!covered(ranges, item.clock, item.len)) return true;
  }
  return false;
}

/** True when [clock, clock + len) lies inside the sorted, merged ranges (no per-clock loop: len is client-controlled). */
function covered(ranges: readonly { clock: number; len: number }[], clock: number, len: number): boolean {
  let at = clock;
  const end = clock + len;
  for (const r of ranges) {
    if (r.clock > at) return false;
    if (r.clock + r.len > at) at = r.clock + r.len;
    if (at >= end) return true;
  }
  return at >= end;
}
