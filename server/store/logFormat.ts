/**
 * The update log's on-disk format (updateLog.ts). A segment file is a run of frames:
 *   u32 LE body length | u32 LE crc32(body) | body
 *   body = u16 LE (doc << 14 | session id length) | session id (utf8) | u48 LE seq | Yjs update
 * `doc` is which of the session's documents the update belongs to (DOC_CODE); 0 marks a frame
 * written before sessions had two documents (a legacy single document, migrated on load). A record
 * with several parts (a server write that changed both documents) is one frame with doc code 3,
 * whose payload is the parts in turn: u8 doc code | u32 LE length | Yjs update. One checksum then
 * covers the whole record, so a damaged record is lost whole, and leaves a gap in the sequence
 * numbers that recovery counts, instead of half of it being applied. (Logs written before that
 * hold a frame per part; they read as before.)
 *
 * Reading never stops at the first bad frame: a frame that fails its checksum (a flipped bit, a
 * torn write) is reported with its offset, and the reader scans forward to the next frame whose
 * checksum holds, so one bad byte costs that frame, not everything after it.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { DocKind } from '../../lib/doc/schema';

/** A frame's document: 0 = legacy (one document per session, before the split). */
export type FrameDoc = DocKind | 'legacy';
const DOC_CODE = { legacy: 0, shared: 1, server: 2 } as const satisfies Record<FrameDoc, number>;
const DOC_OF_CODE: readonly FrameDoc[] = ['legacy', 'shared', 'server'];
/** The doc code of a frame that carries every part of one record. */
const RECORD_CODE = 3;
/** A part's header inside a record frame: doc code and length. */
const PART_HEADER_BYTES = 5;

export interface LogFrame {
  sessionId: string;
  doc: FrameDoc;
  seq: number;
  update: Uint8Array;
}

/** A stretch of a segment that held no readable frame. */
export interface BadRegion {
  offset: number;
  bytes: number;
}

const HEADER_BYTES = 8;
const SEQ_BYTES = 6;
const ID_LENGTH_BITS = 14;
const ID_LENGTH_MASK = (1 << ID_LENGTH_BITS) - 1;
/** Session ids are 22 characters; anything longer in a length field is not a frame. */
const MAX_ID_BYTES = 64;

/** A session id as frames carry it (UTF-8): made once per session, not once per update. */
export function sessionIdBytes(sessionId: string): Buffer {
  return Buffer.from(sessionId, 'utf8');
}

/** One frame for the update `seq` of document `doc` of the session whose id is `idBytes`. */
export function encodeFrame(idBytes: Uint8Array, doc: FrameDoc, seq: number, update: Uint8Array): Buffer {
  const out = frameShell(idBytes, DOC_CODE[doc], seq, update.byteLength);
  out.set(update, out.length - update.byteLength);
  return seal(out);
}

/** One record, `seq`: a plain frame when it has one part, else one frame holding every part. */
export function encodeRecord(idBytes: Uint8Array, seq: number, parts: readonly { doc: FrameDoc; update: Uint8Array }[]): Buffer {
  const [only] = parts;
  if (parts.length === 1 && only) return encodeFrame(idBytes, only.doc, seq, only.update);
  let payload = 0;
  for (const p of parts) payload += PART_HEADER_BYTES + p.update.byteLength;
  const out = frameShell(idBytes, RECORD_CODE, seq, payload);
  let at = out.length - payload;
  for (const p of parts) {
    out.writeUInt8(DOC_CODE[p.doc], at);
    out.writeUInt32LE(p.update.byteLength, at + 1);
    out.set(p.update, at + PART_HEADER_BYTES);
    at += PART_HEADER_BYTES + p.update.byteLength;
  }
  return seal(out);
}

/** A frame with its length and body head written; the payload (its last `payloadBytes`) is the caller's, then seal(). */
function frameShell(idBytes: Uint8Array, code: number, seq: number, payloadBytes: number): Buffer {
  const bodyBytes = 2 + idBytes.byteLength + SEQ_BYTES + payloadBytes;
  const out = Buffer.allocUnsafe(HEADER_BYTES + bodyBytes);
  out.writeUInt32LE(bodyBytes, 0);
  out.writeUInt16LE((code << ID_LENGTH_BITS) | idBytes.byteLength, HEADER_BYTES);
  out.set(idBytes, HEADER_BYTES + 2);
  out.writeUIntLE(seq, HEADER_BYTES + 2 + idBytes.byteLength, SEQ_BYTES);
  return out;
}

/** Writes the body's checksum. */
function seal(frame: Buffer): Buffer {
  frame.writeUInt32LE(crc32(frame.subarray(HEADER_BYTES)), 4);
  return frame;
}

/** The frame at `at` (a record frame gives one LogFrame per part), or null when there is no well-formed frame there. */
function frameAt(buf: Buffer, at: number): { frames: LogFrame[]; end: number } | null {
  if (at + HEADER_BYTES > buf.length) return null;
  const bodyBytes = buf.readUInt32LE(at);
  const end = at + HEADER_BYTES + bodyBytes;
  if (bodyBytes < 2 + SEQ_BYTES || end > buf.length) return null;
  const body = buf.subarray(at + HEADER_BYTES, end);
  if (crc32(body) !== buf.readUInt32LE(at + 4)) return null;
  const head = body.readUInt16LE(0);
  const idBytes = head & ID_LENGTH_MASK;
  const code = head >>> ID_LENGTH_BITS;
  if (idBytes === 0 || idBytes > MAX_ID_BYTES || 2 + idBytes + SEQ_BYTES > bodyBytes) return null;
  const sessionId = body.toString('utf8', 2, 2 + idBytes);
  const seq = body.readUIntLE(2 + idBytes, SEQ_BYTES);
  const payload = body.subarray(2 + idBytes + SEQ_BYTES);
  if (code === RECORD_CODE) {
    const frames = recordParts(payload, sessionId, seq);
    return frames ? { frames, end } : null;
  }
  const doc = DOC_OF_CODE[code];
  if (!doc) return null;
  return { frames: [{ sessionId, doc, seq, update: new Uint8Array(payload) }], end };
}

/** The parts of a record frame's payload, or null when they do not add up. */
function recordParts(payload: Buffer, sessionId: string, seq: number): LogFrame[] | null {
  const frames: LogFrame[] = [];
  let at = 0;
  while (at < payload.length) {
    if (at + PART_HEADER_BYTES > payload.length) return null;
    const doc = DOC_OF_CODE[payload.readUInt8(at)];
    const bytes = payload.readUInt32LE(at + 1);
    const end = at + PART_HEADER_BYTES + bytes;
    if (!doc || end > payload.length) return null;
    frames.push({ sessionId, doc, seq, update: new Uint8Array(payload.subarray(at + PART_HEADER_BYTES, end)) });
    at = end;
  }
  return frames.length > 0 ? frames : null;
}

/**
 * Every frame whose checksum holds, in file order, and the regions in between that held none. After
 * a bad region the reader tries each following offset; a false match needs a plausible length and a
 * matching CRC-32, about one chance in four billion per offset.
 */
export function decodeFrames(bytes: Uint8Array): { frames: LogFrame[]; bad: BadRegion[] } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames: LogFrame[] = [];
  const bad: BadRegion[] = [];
  let at = 0;
  let badFrom = -1;
  while (at < buf.length) {
    const found = frameAt(buf, at);
    if (found) {
      if (badFrom >= 0) bad.push({ offset: badFrom, bytes: at - badFrom });
      badFrom = -1;
      frames.push(...found.frames);
      at = found.end;
    } else {
      if (badFrom < 0) badFrom = at;
      at++;
    }
  }
  if (badFrom >= 0) bad.push({ offset: badFrom, bytes: buf.length - badFrom });
  return { frames, bad };
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
