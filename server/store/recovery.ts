/**
 * Start-up recovery of the SQLite store's update log: the segments a crash (or a full disk) left
 * behind are read frame by frame (a bad region costs its own bytes, not what follows), each
 * session's frames are merged into its snapshots in one transaction, and the segments are then
 * deleted — or, when anything in them could not be read, moved aside to log/quarantine/, never
 * deleted. The report says how many records came back and how many are known lost.
 */
import { mkdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { SessionId } from '../../lib/ids';
import { type BadRegion, decodeFrames, type LogFrame, listSegments, segmentPath } from './logFormat';

export interface RecoveryReport {
  segments: number;
  /** Records read back and merged into their sessions' snapshots. */
  recovered: number;
  /** Records known lost: gaps in a session's sequence numbers left by unreadable bytes. */
  lost: number;
  bad: (BadRegion & { file: string })[];
  /** Segments with unreadable bytes, moved to log/quarantine/ rather than deleted. */
  quarantined: string[];
  sessions: SessionId[];
}

/**
 * Reads every leftover segment frame by frame, hands each session's frames (in seq order) to
 * `merge` inside one transaction, then deletes the segments that read cleanly and moves the others
 * to quarantine/, with the report saying where the bad bytes were and how many records are lost.
 */
export function recoverSegments(logDir: string, merge: (id: SessionId, frames: LogFrame[]) => number, db: Database.Database): RecoveryReport {
  const segments = listSegments(logDir);
  const report: RecoveryReport = { segments: segments.length, recovered: 0, lost: 0, bad: [], quarantined: [], sessions: [] };
  if (segments.length === 0) return report;
  const bySession = new Map<string, LogFrame[]>();
  const damaged = new Set<number>();
  for (const n of segments) {
    const { frames, bad } = decodeFrames(readFileSync(segmentPath(logDir, n)));
    for (const b of bad) report.bad.push({ file: segmentPath(logDir, n), ...b });
    if (bad.length > 0) damaged.add(n);
    for (const f of frames) bySession.set(f.sessionId, [...(bySession.get(f.sessionId) ?? []), f]);
  }
  db.transaction(() => {
    for (const [id, frames] of bySession) {
      frames.sort((a, b) => a.seq - b.seq);
      report.recovered += new Set(frames.map((f) => f.seq)).size;
      report.lost += seqGaps(frames);
      merge(id as SessionId, frames);
    }
  })();
  report.sessions = [...bySession.keys()] as SessionId[];
  // The snapshots reach the database file (and its fsync) before the frames they replace go.
  db.pragma('wal_checkpoint(FULL)');
  const quarantine = join(logDir, 'quarantine');
  for (const n of segments) {
    if (damaged.has(n)) {
      mkdirSync(quarantine, { recursive: true });
      const to = join(quarantine, `${String(n).padStart(8, '0')}-${Date.now()}.log`);
      renameSync(segmentPath(logDir, n), to);
      report.quarantined.push(to);
    } else unlinkSync(segmentPath(logDir, n));
  }
  return report;
}

/** Sequence numbers missing between a session's first and last recovered record. */
function seqGaps(sorted: readonly LogFrame[]): number {
  let gaps = 0;
  for (let i = 1; i < sorted.length; i++) {
    const d = (sorted[i] as LogFrame).seq - (sorted[i - 1] as LogFrame).seq;
    if (d > 1) gaps += d - 1;
  }
  return gaps;
}

