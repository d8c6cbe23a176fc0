/**
 * Lean y-websocket framing for the load generator: just enough of the standard protocol to join,
 * write and recognise markers, without a Y.Doc per reader (so the generator is not the bottleneck).
 * Self-contained (lib0 only): the benchmark must not depend on how the server frames its messages.
 *
 * Markers: a writer's every marker write sets one key of a task map, which creates exactly one item,
 * so the update's first struct is (writer's client id, the clock that write got). A reader reads
 * three varuints of the update header instead of applying it. Awareness entries carry (clientID,
 * clock) in the clear, so presence markers are read the same way.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type * as Y from 'yjs';
import type { SessionDocs } from '../lib/doc/schema';

/** y-websocket message types, and the sub-types of a sync message (y-protocols/sync). */
const MSG = { sync: 0, awareness: 1 } as const;
const SYNC = { step1: 0, step2: 1, update: 2 } as const;

/** What a lean client needs to know about one incoming frame. */
export type Frame =
  | { kind: 'syncStep1' }
  | { kind: 'syncStep2'; update: Uint8Array }
  | { kind: 'update'; update: Uint8Array; marker: Marker | null }
  | { kind: 'awareness'; markers: Marker[] }
  | { kind: 'other' };

/** The (client, clock) of the first struct of an update, or of one awareness entry. */
export interface Marker {
  client: number;
  clock: number;
}

/** An update framed as a sync message. */
export function encodeUpdateMessage(update: Uint8Array): Uint8Array {
  return encodeSync(SYNC.update, update);
}

/** Sync step 1 with an empty state vector: "send me everything". */
export function encodeEmptySyncStep1(): Uint8Array {
  return encodeSync(SYNC.step1, new Uint8Array([0]));
}

function encodeSync(sub: number, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MSG.sync);
  encoding.writeVarUint(e, sub);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
}

/** One awareness entry for `client` at `clock`, framed as a message (the wire form of y-protocols). */
export function encodeAwarenessMessage(client: number, clock: number, stateJson: string): Uint8Array {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, 1);
  encoding.writeVarUint(inner, client);
  encoding.writeVarUint(inner, clock);
  encoding.writeVarString(inner, stateJson);
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MSG.awareness);
  encoding.writeVarUint8Array(e, encoding.toUint8Array(inner));
  return encoding.toUint8Array(e);
}

export function decodeFrame(frame: Uint8Array): Frame {
  const d = decoding.createDecoder(frame);
  const type = decoding.readVarUint(d);
  if (type === MSG.sync) {
    const sub = decoding.readVarUint(d);
    const payload = decoding.readVarUint8Array(d);
    if (sub === SYNC.step1) return { kind: 'syncStep1' };
    if (sub === SYNC.step2) return { kind: 'syncStep2', update: payload };
    if (sub === SYNC.update) return { kind: 'update', update: payload, marker: firstStruct(payload) };
    return { kind: 'other' };
  }
  if (type === MSG.awareness) return { kind: 'awareness', markers: awarenessMarkers(decoding.readVarUint8Array(d)) };
  return { kind: 'other' };
}

/** Update v1 header: #clients, then for the first client: #structs, client, clock. */
function firstStruct(update: Uint8Array): Marker | null {
  const d = decoding.createDecoder(update);
  if (decoding.readVarUint(d) === 0) return null;
  decoding.readVarUint(d);
  const client = decoding.readVarUint(d);
  const clock = decoding.readVarUint(d);
  return { client, clock };
}

function awarenessMarkers(update: Uint8Array): Marker[] {
  const d = decoding.createDecoder(update);
  const n = decoding.readVarUint(d);
  const out: Marker[] = [];
  for (let i = 0; i < n; i++) {
    const client = decoding.readVarUint(d);
    const clock = decoding.readVarUint(d);
    // Skip the JSON state without decoding it: a var string is its UTF-8 byte length then the bytes
    // (read the length first: `d.pos += read(d)` would add it to the position before the read).
    const len = decoding.readVarUint(d);
    d.pos += len;
    out.push({ client, clock });
  }
  return out;
}

/**
 * One Y.Doc read as a session's two documents (lib's readers and edits take SessionDocs): a
 * bench client's editable document, or the reference's single document per room, where every
 * root lives in the one doc.
 */
export function oneDoc(doc: Y.Doc): SessionDocs {
  return { shared: doc, server: doc };
}
