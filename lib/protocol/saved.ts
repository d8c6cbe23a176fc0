/**
 * Mobflow's one addition to the y-websocket protocol: a "saved" acknowledgement, sent only to
 * clients that ask for it (`?acks=1` on the WebSocket URL), so standard Yjs clients never see it.
 *
 *   varuint SAVED_MESSAGE, varuint n
 *
 * n = how many document messages (sync step 2 / update) the server has received on this connection
 * and stored durably. A client that counts what it sent knows its edits are saved when n catches up.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export const SAVED_MESSAGE = 100;
export const ACKS_PARAM = 'acks';

export function encodeSaved(n: number): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, SAVED_MESSAGE);
  encoding.writeVarUint(e, n);
  return encoding.toUint8Array(e);
}

/** The count in a saved message, or null when `frame` is not one. */
export function decodeSaved(frame: Uint8Array): number | null {
  try {
    const d = decoding.createDecoder(frame);
    if (decoding.readVarUint(d) !== SAVED_MESSAGE) return null;
    return decoding.readVarUint(d);
  } catch {
    return null;
  }
}

/** True for a client frame that carries document content (sync step 2 or update). */
export function isDocumentMessage(frame: Uint8Array): boolean {
  return frame.length > 1 && frame[0] === 0 && (frame[1] === 1 || frame[1] === 2);
}
