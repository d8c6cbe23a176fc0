/**
 * Lean y-websocket framing for the load generator: just enough of the protocol to join, write and
 * recognise markers, without a Y.Doc per client (so the generator is not the bottleneck).
 *
 * Markers: a writer is a Y.Doc whose every update sets one Y.Map key, which creates exactly one
 * item, so the update's first struct clock is the writer's sequence number (0, 1, 2, ...). A reader
 * reads three varuints of the update header instead of applying it.
 * Awareness entries carry (clientID, clock) in the clear, so presence markers are read the same way.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { encodeAwareness, encodeAwarenessEntries, encodeUpdate, MessageType as MSG, SyncType as SYNC } from '../server/yjs/messages';

/** An update framed as a sync message (the server's own encoder). */
export const encodeUpdateMessage = encodeUpdate;

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

/** Sync step 1 with an empty state vector: "send me everything". */
export function encodeEmptySyncStep1(): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MSG.sync);
  encoding.writeVarUint(e, SYNC.step1);
  encoding.writeVarUint8Array(e, new Uint8Array([0]));
  return encoding.toUint8Array(e);
}

/** One awareness entry for `client` at `clock`, framed as a message (the wire form of y-protocols). */
export function encodeAwarenessMessage(client: number, clock: number, stateJson: string): Uint8Array {
  return encodeAwareness(encodeAwarenessEntries([{ clientId: client, clock, state: stateJson }]));
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
    // Skip the JSON state without decoding it.
    skipVarBytes(d);
    out.push({ client, clock });
  }
  return out;
}

/** A var string is its UTF-8 byte length then the bytes. */
function skipVarBytes(d: decoding.Decoder): void {
  const len = decoding.readVarUint(d);
  d.pos += len;
}
