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
 */
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import type { SessionId } from '../../lib/ids';
import { encodeFrame, segmentPath } from './logFormat';

/** A segment is sealed, and a new one started, once it holds this many bytes. */
export const SEGMENT_BYTES = 8 * 1024 * 1024;

export interface LogEntry {
  seq: number;
  update: Uint8Array;
  segment: number;
}

export class UpdateLog {
  /** Entries no snapshot covers yet, per session, in seq order. */
  private readonly pending = new Map<SessionId, LogEntry[]>();
  /** How many pending entries each segment still holds. */
  private readonly live = new Map<number, number>();
  private segment: number;
  private fd: number;
  private written = 0;

  /** Starts a new segment numbered `first` in `dir` (older segments must be replayed and gone). */
  constructor(
    private readonly dir: string,
    first: number,
    private readonly segmentBytes = SEGMENT_BYTES,
    /** Called after a segment is sealed, with the number of the new current segment. */
    private readonly onSealed: (current: number) => void = () => undefined,
  ) {
    this.segment = first;
    this.fd = openSync(segmentPath(dir, first), 'a');
  }

  get currentSegment(): number {
    return this.segment;
  }

  /** Appends one update; durable once this returns. Throws when the write fails (nothing is kept). */
  append(id: SessionId, seq: number, update: Uint8Array): void {
    const frame = encodeFrame(id, seq, update);
    try {
      let at = 0;
      while (at < frame.byteLength) at += writeSync(this.fd, frame, at);
    } catch (err) {
      // A partly written frame would hide every frame after it from a replay: go on in a new segment.
      this.seal();
      throw err;
    }
    this.written += frame.byteLength;
    const entry = { seq, update, segment: this.segment };
    const list = this.pending.get(id);
    if (list) list.push(entry);
    else this.pending.set(id, [entry]);
    this.live.set(this.segment, (this.live.get(this.segment) ?? 0) + 1);
    if (this.written >= this.segmentBytes) {
      this.seal();
      this.onSealed(this.segment);
    }
  }

  /** The session's entries no snapshot covers yet, oldest first. */
  entries(id: SessionId): readonly LogEntry[] {
    return this.pending.get(id) ?? [];
  }

  hasEntries(id: SessionId): boolean {
    return this.pending.has(id);
  }

  /** Sessions with an entry in a segment older than `segment`. */
  sessionsOlderThan(segment: number): SessionId[] {
    const out: SessionId[] = [];
    for (const [id, list] of this.pending) if ((list[0]?.segment ?? segment) < segment) out.push(id);
    return out;
  }

  /** A snapshot now covers the session up to `seq`: drops those entries and any sealed segment left empty. */
  covered(id: SessionId, seq: number): void {
    const list = this.pending.get(id);
    if (!list) return;
    let drop = 0;
    while (drop < list.length && (list[drop] as LogEntry).seq <= seq) {
      const segment = (list[drop] as LogEntry).segment;
      const left = (this.live.get(segment) ?? 1) - 1;
      if (left > 0) this.live.set(segment, left);
      else {
        this.live.delete(segment);
        if (segment !== this.segment) unlinkSync(segmentPath(this.dir, segment));
      }
      drop++;
    }
    if (drop === list.length) this.pending.delete(id);
    else list.splice(0, drop);
  }

  /** Sessions with entries, for a final merge before close. */
  sessions(): SessionId[] {
    return [...this.pending.keys()];
  }

  /** Closes the current segment; deletes it when no entry is left (every segment is gone then). */
  close(): void {
    closeSync(this.fd);
    if (this.pending.size === 0) unlinkSync(segmentPath(this.dir, this.segment));
  }

  private seal(): void {
    closeSync(this.fd);
    // A sealed segment whose entries were all covered already has nothing to wait for.
    if (!this.live.has(this.segment)) unlinkSync(segmentPath(this.dir, this.segment));
    this.segment++;
    this.fd = openSync(segmentPath(this.dir, this.segment), 'a');
    this.written = 0;
  }
}
