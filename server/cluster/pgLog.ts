/**
 * Reading a session's log back from PostgreSQL (load, catch-up) and folding it into the snapshots.
 *
 * Consistency: each read below is ONE statement, and a statement sees one snapshot of the
 * database even at READ COMMITTED, so the snapshot rows and the records after them are read as of
 * one instant: a compaction that commits meanwhile (new snapshot, its records deleted) is seen
 * either entirely or not at all, and a load can neither miss a record nor see one twice. That is
 * the guarantee of a REPEATABLE READ READ ONLY transaction, for one round trip instead of four.
 * Since numbers are handed out in commit order (pgAppender.ts), the records a read sees are all
 * the records up to the highest one it sees.
 */
import type { Pool } from 'pg';
import type { DocKind } from '../../lib/doc/schema';
import type { SessionId } from '../../lib/ids';
import type { DocUpdate, StoredSession } from '../store/types';
import type { LoggedRecord } from './types';

export const DOC_CODE: Record<DocKind, number> = { shared: 1, server: 2 };
const DOC_KIND: Record<number, DocKind> = { 1: 'shared', 2: 'server' };

function docKind(code: number): DocKind {
  const kind = DOC_KIND[code];
  if (!kind) throw new Error(`unknown document code ${code} in the log`);
  return kind;
}

/** A row of a log read: a snapshot (src 0, seq = its upto_seq) or a record's update (src 1). */
interface LogRow {
  src: 0 | 1;
  seq: number;
  part: number;
  doc: number;
  data: Buffer;
}

const UPTO = 'upto AS (SELECT coalesce(max(upto_seq), 0) AS seq FROM snapshots WHERE session_id = $1)';

/** The snapshots and every record after them. */
const LOAD_SQL = `WITH ${UPTO}
SELECT 0 AS src, s.upto_seq AS seq, 0 AS part, s.doc, s.data FROM snapshots s WHERE s.session_id = $1
UNION ALL
SELECT 1, r.seq, r.part, r.doc, r.data FROM records r, upto WHERE r.session_id = $1 AND r.seq > upto.seq
ORDER BY src, seq, part`;

/** The records after $2; the snapshots first only when they hold records after $2 (no snapshot bytes otherwise). */
const SINCE_SQL = `WITH ${UPTO}
SELECT 0 AS src, s.upto_seq AS seq, 0 AS part, s.doc, s.data FROM snapshots s, upto WHERE s.session_id = $1 AND upto.seq > $2
UNION ALL
SELECT 1, r.seq, r.part, r.doc, r.data FROM records r, upto WHERE r.session_id = $1 AND r.seq > greatest($2, upto.seq)
ORDER BY src, seq, part`;

export async function loadSession(pool: Pool, id: SessionId): Promise<StoredSession> {
  const { rows } = await pool.query<LogRow>(LOAD_SQL, [id]);
  const docs: Record<DocKind, Uint8Array[]> = { shared: [], server: [] };
  let lastSeq = 0;
  const pending = new Set<number>();
  for (const r of rows) {
    docs[docKind(r.doc)].push(r.data);
    lastSeq = Math.max(lastSeq, r.seq);
    if (r.src === 1) pending.add(r.seq);
  }
  return { docs, lastSeq, pending: pending.size };
}

export async function readSince(pool: Pool, id: SessionId, afterSeq: number): Promise<LoggedRecord[]> {
  const { rows } = await pool.query<LogRow>(SINCE_SQL, [id, afterSeq]);
  const out: LoggedRecord[] = [];
  for (const r of rows) {
    const update: DocUpdate = { doc: docKind(r.doc), update: r.data };
    // The snapshot rows share their upto_seq, so they become one record, as do a record's parts.
    const last = out.at(-1);
    if (last && last.seq === r.seq) last.updates.push(update);
    else out.push({ seq: r.seq, updates: [update] });
  }
  return out;
}

export async function lastSeq(pool: Pool, id: SessionId): Promise<number> {
  const { rows } = await pool.query<{ last_seq: number }>('SELECT last_seq FROM sessions WHERE id = $1', [id]);
  return rows[0]?.last_seq ?? 0;
}

/** lastSeq for many sessions in one query (a peer's periodic check that it missed nothing). */
export async function lastSeqs(pool: Pool, ids: readonly SessionId[]): Promise<Map<SessionId, number>> {
  const { rows } = await pool.query<{ id: string; last_seq: number }>('SELECT id, last_seq FROM sessions WHERE id = ANY($1::text[])', [ids]);
  return new Map(rows.map((r) => [r.id as SessionId, Number(r.last_seq)]));
}

/**
 * Compaction, run by compactWorker.ts: folds the records up to $2 into the snapshots, in two
 * steps so that no lock is held while the worker merges (a session of tens of MB takes a second;
 * holding the session row would stop its appends that long):
 *
 * 1. `fold`: one consistent read of the records up to $2 and the snapshots of the documents they
 *    touch. Their merge is every update up to U, the highest record read (never above what is
 *    committed, whatever the caller passed): all of them are in it, since a snapshot holds
 *    everything up to its upto_seq and the records after it form an unbroken run.
 * 2. One transaction that locks the session's snapshot rows (`lock`) and reads where they stand.
 *    If another compaction (here or on another instance) reached U meanwhile, there is nothing to
 *    do. Otherwise the merge is written (`upsert`, only ever moving upto_seq forward), any snapshot
 *    row without new records moves to U too (`advance`: a session's rows share one upto_seq), and
 *    the records up to U go (`drop`). The result is right even if another compaction committed a
 *    lower snapshot between the two steps: the merge holds everything up to U anyway. With no
 *    snapshot row yet to lock, two first compactions meet on the primary key instead: the second
 *    waits for the first to commit, and its ON CONFLICT clause then sees the committed row.
 */
export const COMPACT_SQL = {
  fold: `WITH ${UPTO},
fold AS (SELECT r.seq, r.part, r.doc, r.data FROM records r, upto WHERE r.session_id = $1 AND r.seq > upto.seq AND r.seq <= $2)
SELECT 0 AS src, s.upto_seq AS seq, 0 AS part, s.doc, s.data FROM snapshots s WHERE s.session_id = $1 AND s.doc IN (SELECT doc FROM fold)
UNION ALL
SELECT 1, seq, part, doc, data FROM fold
ORDER BY src, seq, part`,
  lock: 'SELECT upto_seq FROM snapshots WHERE session_id = $1 FOR UPDATE',
  /** $VALUES: one ($1, doc, data, $2) row per merged document. */
  upsert: `INSERT INTO snapshots (session_id, doc, data, upto_seq) VALUES $VALUES
ON CONFLICT (session_id, doc) DO UPDATE SET data = excluded.data, upto_seq = excluded.upto_seq
WHERE snapshots.upto_seq < excluded.upto_seq`,
  advance: 'UPDATE snapshots SET upto_seq = $2 WHERE session_id = $1 AND upto_seq < $2',
  drop: 'DELETE FROM records WHERE session_id = $1 AND seq <= $2',
} as const;
