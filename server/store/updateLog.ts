/**
 * Where the SQLite store makes each Yjs update durable: one write() of a small checksummed frame
 * to a log file (logFormat.ts), about a µs, instead of a SQLite commit per update (a 4 KiB WAL
 * page, its locks and later its checkpoint: most of Mobflow's CPU per update above the reference
 * server's). The log is never copied into SQLite update by update: a session's entries are
 * dropped once a snapshot covers them (the room's compaction, or the store's own merge, see
 * sqlite.ts), and a segment file is deleted once none of its entries is left.
 *
 * Durability is a WAL commit's with synchronous=NORMAL: the bytes are in the OS page cache once
 * write() returns, so they survive a crash of the process (kill -9); only an OS crash or power loss
 * could lose the newest. Entries are also kept in memory until covered, so a load reads them
 * without touching the file; after a crash the store replays the segments instead.
 *
 * In memory, a session's entries are one typed index (seq, segment, end offset) over one byte
 * arena, not an object and a buffer per update. Every entry lives for hundreds of updates, so
 * per-update objects all survived V8's young-generation collections: with them the server's
 * scavenges copied about 260 bytes per update and paused it for 4-7 ms (the reference server,
 * which keeps nothing per update, for 1-3 ms). Plain JS arrays as columns still reallocated their
 * backing stores as they grew, most of what the young generation kept per update after that.
 */
import { closeSync, ftruncateSync, openSync, unlinkSync, writeSync } from 'node:fs';
import type { SessionId } from '../../lib/ids';
import { encodeRecord, type FrameDoc, segmentPath, sessionIdBytes } from './logFormat';

/** A segment is sealed, and a new one started, once it holds this many bytes. */
export const SEGMENT_BYTES = 8 * 1024 * 1024;

export interface LogEntry {
  seq: number;
  doc: FrameDoc;
  update: Uint8Array;
  segment: number;
}

/** The document code kept per entry in the index (logFormat's FrameDoc, as a number). */
const DOC_INDEX: readonly FrameDoc[] = ['legacy', 'shared', 'server'];

/** How the log writes to its file; tests inject a failing one where a full disk cannot be mounted. */
export type WriteFn = (fd: number, buffer: Uint8Array, offset: number) => number;
const fsWrite: WriteFn = (fd, buffer, offset) => writeSync(fd, buffer, offset);

/**
 * One session's entries no snapshot covers yet, oldest first: an index of (seq, segment, end, doc)
 * per entry and a byte arena where entry i is bytes[end(i-1) .. end(i)). Both grow by doubling, so
 * an append allocates nothing most of the time (JS arrays would reallocate their backing stores).
 */
class SessionEntries {
  /** seq, segment, end offset and document of each entry, FIELDS numbers apiece. */
  private index = new Float64Array(FIELDS * MIN_ENTRIES);
  private bytes: Buffer;
  private count = 0;
  private used = 0;

  /** `idBytes`: the session's id as its frames carry it. */
  constructor(
    readonly idBytes: Buffer,
    firstBytes: number,
  ) {
    this.bytes = Buffer.allocUnsafeSlow(Math.max(MIN_ARENA_BYTES, firstBytes));
  }

  get length(): number {
    return this.count;
  }

  seq(i: number): number {
    return this.index[i * FIELDS] as number;
  }

  segment(i: number): number {
    return this.index[i * FIELDS + 1] as number;
  }

  doc(i: number): FrameDoc {
    return DOC_INDEX[this.index[i * FIELDS + 3] as number] ?? 'legacy';
  }

  private end(i: number): number {
    return i < 0 ? 0 : (this.index[i * FIELDS + 2] as number);
  }

  push(seq: number, segment: number, doc: FrameDoc, update: Uint8Array): void {
    const end = this.used + update.byteLength;
    if (end > this.bytes.byteLength) this.bytes = resized(this.bytes, Math.max(end, this.bytes.byteLength * 2), this.used);
    if ((this.count + 1) * FIELDS > this.index.length) this.index = this.resizedIndex((this.index.length / FIELDS) * 2);
    this.bytes.set(update, this.used);
    this.used = end;
    const at = this.count * FIELDS;
    this.index[at] = seq;
    this.index[at + 1] = segment;
    this.index[at + 2] = end;
    this.index[at + 3] = DOC_INDEX.indexOf(doc);
    this.count++;
  }

  /** Entry i's bytes, copied: the arena moves under later appends and drops. */
  update(i: number): Uint8Array {
    return new Uint8Array(this.bytes.subarray(this.end(i - 1), this.end(i)));
  }

  /** Forgets the first `n` entries; the rest move to the start of the index and the arena. */
  drop(n: number): void {
    const from = this.end(n - 1);
    this.bytes.copy(this.bytes, 0, from, this.used);
    this.used -= from;
    this.index.copyWithin(0, n * FIELDS, this.count * FIELDS);
    this.count -= n;
    for (let i = 0; i < this.count; i++) this.index[i * FIELDS + 2] = this.end(i) - from;
    // After a burst the arena may be far larger than what is left: give the memory back.
    if (this.bytes.byteLength > MIN_ARENA_BYTES && this.used * 4 < this.bytes.byteLength) {
      this.bytes = resized(this.bytes, Math.max(MIN_ARENA_BYTES, this.used * 2), this.used);
    }
    if (this.index.length > FIELDS * MIN_ENTRIES && this.count * 4 * FIELDS < this.index.length) {
      this.index = this.resizedIndex(Math.max(MIN_ENTRIES, this.count * 2));
    }
  }

  /** The index's entries in a new index with room for `entries`. */
  private resizedIndex(entries: number): Float64Array<ArrayBuffer> {
    const out = new Float64Array(entries * FIELDS);
    out.set(this.index.subarray(0, this.count * FIELDS));
    return out;
  }
}

/** The first `used` bytes of `bytes` in a new buffer of `size` bytes. */
function resized(bytes: Buffer, size: number, used: number): Buffer {
  const out = Buffer.allocUnsafeSlow(size);
  bytes.copy(out, 0, 0, used);
  return out;
}

/** Numbers per entry in a session's index: seq, segment, end, doc. */
const FIELDS = 4;
/** A session's first index holds this many entries, and its first arena this many bytes; both double as entries arrive. */
const MIN_ENTRIES = 32;
const MIN_ARENA_BYTES = 1024;

export class UpdateLog {
  /** Entries no snapshot covers yet, per session; a session with none has no key (never an empty list). */
  private readonly pending = new Map<SessionId, SessionEntries>();
  /** How many pending entries each segment still holds. */
  private readonly live = new Map<number, number>();
  private segment: number;
  /** The current segment's descriptor; null after a failure left no segment open (reopened on the next append). */
  private fd: number | null;
  private written = 0;

  /** Starts a new segment numbered `first` in `dir` (older segments must be replayed and gone). */
  constructor(
    private readonly dir: string,
    first: number,
    private readonly segmentBytes = SEGMENT_BYTES,
    private readonly write: WriteFn = fsWrite,
  ) {
    this.segment = first;
    this.fd = openSync(segmentPath(dir, first), 'a');
  }

  get currentSegment(): number {
    return this.segment;
  }

  /**
   * Appends one record: the updates of one change to the session's documents, all under `seq`, in
   * one write() (copied); durable once this returns. Throws when the write fails: the file is cut
   * back to where it was, so nothing of the record is kept and the next append can succeed (a full
   * disk that frees up resumes by itself).
   */
  append(id: SessionId, seq: number, updates: readonly { doc: FrameDoc; update: Uint8Array }[]): void {
    let list = this.pending.get(id);
    const idBytes = list?.idBytes ?? sessionIdBytes(id);
    const record = encodeRecord(idBytes, seq, updates);
    const fd = this.fd ?? this.reopen();
    try {
      let at = 0;
      while (at < record.byteLength) at += this.write(fd, record, at);
    } catch (err) {
      this.rollBack(fd);
      throw err;
    }
    this.written += record.byteLength;
    if (!list) {
      list = new SessionEntries(idBytes, record.byteLength * 4);
      this.pending.set(id, list);
    }
    for (const u of updates) {
      list.push(seq, this.segment, u.doc, u.update);
      this.live.set(this.segment, (this.live.get(this.segment) ?? 0) + 1);
    }
    if (this.written >= this.segmentBytes) this.seal();
  }

  /** After a failed write: cut the partial record off, or give up this segment if even that fails. */
  private rollBack(fd: number): void {
    try {
      ftruncateSync(fd, this.written);
    } catch {
      // A partly written frame would hide every frame after it from a replay: continue in a new segment.
      try {
        closeSync(fd);
      } catch {
        // already unusable
      }
      this.fd = null;
      if (!this.live.has(this.segment)) this.unlinkQuietly(this.segment);
      this.segment++;
      this.written = 0;
    }
  }

  /** Opens the current segment again after a failure closed it (throws while the disk still refuses). */
  private reopen(): number {
    this.fd = openSync(segmentPath(this.dir, this.segment), 'a');
    this.written = 0;
    return this.fd;
  }

  private unlinkQuietly(segment: number): void {
    try {
      unlinkSync(segmentPath(this.dir, segment));
    } catch {
      // gone already
    }
  }

  /** The session's newest entry's seq, or undefined when it has none. */
  lastSeq(id: SessionId): number | undefined {
    const list = this.pending.get(id);
    return list?.seq(list.length - 1);
  }

  /** The session's entries no snapshot covers yet, oldest first (up to `uptoSeq` when given). */
  entries(id: SessionId, uptoSeq = Number.POSITIVE_INFINITY): LogEntry[] {
    const list = this.pending.get(id);
    if (!list) return [];
    const out: LogEntry[] = [];
    for (let i = 0; i < list.length && list.seq(i) <= uptoSeq; i++) {
      out.push({ seq: list.seq(i), doc: list.doc(i), update: list.update(i), segment: list.segment(i) });
    }
    return out;
  }

  /** How many entries of the session no snapshot covers yet. */
  count(id: SessionId): number {
    return this.pending.get(id)?.length ?? 0;
  }

  hasEntries(id: SessionId): boolean {
    return this.pending.has(id);
  }

  /** A snapshot now covers the session up to `seq`: drops those entries and any sealed segment left empty. */
  covered(id: SessionId, seq: number): void {
    const list = this.pending.get(id);
    if (!list) return;
    let drop = 0;
    while (drop < list.length && list.seq(drop) <= seq) {
      const segment = list.segment(drop);
      const left = (this.live.get(segment) ?? 1) - 1;
      if (left > 0) this.live.set(segment, left);
      else {
        this.live.delete(segment);
        if (segment !== this.segment) this.unlinkQuietly(segment);
      }
      drop++;
    }
    if (drop === list.length) this.pending.delete(id);
    else if (drop > 0) list.drop(drop);
  }

  /** Sessions with entries, for a final merge before close. */
  sessions(): SessionId[] {
    return [...this.pending.keys()];
  }

  /** Closes the current segment; deletes it when no entry is left (every segment is gone then). */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    if (this.pending.size === 0) this.unlinkQuietly(this.segment);
  }

  /** Starts the next segment; if it cannot be opened now, the next append tries again. */
  private seal(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    // A sealed segment whose entries were all covered already has nothing to wait for.
    if (!this.live.has(this.segment)) this.unlinkQuietly(this.segment);
    this.segment++;
    this.written = 0;
    try {
      this.reopen();
    } catch {
      this.fd = null;
    }
  }
}
