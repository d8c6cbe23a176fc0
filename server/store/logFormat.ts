/**
 * The update log's on-disk format (updateLog.ts). A segment file is a run of frames:
 *   u32 LE body length | u32 LE crc32(body) | body
 *   body = u16 LE session id length | session id (utf8) | u48 LE seq | Yjs update
 * A frame that is cut short or fails its checksum ends the segment: it is the tail of a write the
 * OS never finished (power loss), and nothing after it was acknowledged.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

export interface LogFrame {
  sessionId: string;
  seq: number;
  update: Uint8Array;
}

const HEADER_BYTES = 8;
const SEQ_BYTES = 6;

/** A session id as frames carry it (UTF-8): made once per session, not once per update. */
export function sessionIdBytes(sessionId: string): Buffer {
  return Buffer.from(sessionId, 'utf8');
}

/** One frame for the update `seq` of the session whose id is `idBytes` (sessionIdBytes). */
export function encodeFrame(idBytes: Uint8Array, seq: number, update: Uint8Array): Buffer {
  const bodyBytes = 2 + idBytes.byteLength + SEQ_BYTES + update.byteLength;
  const frame = Buffer.allocUnsafe(HEADER_BYTES + bodyBytes);
  frame.writeUInt32LE(bodyBytes, 0);
  frame.writeUInt16LE(idBytes.byteLength, HEADER_BYTES);
  frame.set(idBytes, HEADER_BYTES + 2);
  frame.writeUIntLE(seq, HEADER_BYTES + 2 + idBytes.byteLength, SEQ_BYTES);
  frame.set(update, HEADER_BYTES + 2 + idBytes.byteLength + SEQ_BYTES);
  frame.writeUInt32LE(crc32(frame.subarray(HEADER_BYTES)), 4);
  return frame;
}

/** The whole frames at the start of `bytes`, up to the first torn or corrupt one. */
export function decodeFrames(bytes: Uint8Array): LogFrame[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames: LogFrame[] = [];
  let at = 0;
  while (at + HEADER_BYTES <= buf.length) {
    const bodyBytes = buf.readUInt32LE(at);
    const end = at + HEADER_BYTES + bodyBytes;
    if (bodyBytes < 2 + SEQ_BYTES || end > buf.length) break;
    const body = buf.subarray(at + HEADER_BYTES, end);
    if (crc32(body) !== buf.readUInt32LE(at + 4)) break;
    const idBytes = body.readUInt16LE(0);
    if (2 + idBytes + SEQ_BYTES > bodyBytes) break;
    frames.push({
      sessionId: body.toString('utf8', 2, 2 + idBytes),
      seq: body.readUIntLE(2 + idBytes, SEQ_BYTES),
      update: new Uint8Array(body.subarray(2 + idBytes + SEQ_BYTES)),
    });
    at = end;
  }
  return frames;
}

const SEGMENT_NAME = /^(\d{8})\.log$/;

export function segmentPath(dir: string, n: number): string {
  return join(dir, `${String(n).padStart(8, '0')}.log`);
}

/** Segment numbers present in `dir`, oldest first. */
export function listSegments(dir: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync(dir)) {
    const m = SEGMENT_NAME.exec(name);
    if (m) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}
