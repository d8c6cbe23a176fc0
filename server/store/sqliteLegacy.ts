/**
 * Sessions stored before they had two documents: one `snapshots` row per session and, before that,
 * one `doc_updates` row per update. Read once, when the session next loads, then dropped (sqlite.ts
 * splits them into the two documents with lib/doc/migrate.ts).
 */
import type Database from 'better-sqlite3';
import * as Y from 'yjs';

/** Reads (and, once migrated, drops) what a session stored before it had two documents. */
export function legacyStatements(db: Database.Database, tables: ReadonlySet<string>) {
  db.exec('CREATE TABLE IF NOT EXISTS snapshots (session_id TEXT PRIMARY KEY, data BLOB NOT NULL, upto_seq INTEGER NOT NULL)');
  const hasRows = tables.has('doc_updates');
  const snap = db.prepare<[string], { data: Buffer; upto_seq: number }>('SELECT data, upto_seq FROM snapshots WHERE session_id = ?');
  const rows = hasRows ? db.prepare<[string, number], { seq: number; data: Buffer }>('SELECT seq, data FROM doc_updates WHERE session_id = ? AND seq > ? ORDER BY seq') : null;
  const upsert = db.prepare('INSERT INTO snapshots (session_id, data, upto_seq) VALUES (?, ?, ?) ON CONFLICT(session_id) DO UPDATE SET data = excluded.data, upto_seq = excluded.upto_seq');
  const dropSnap = db.prepare('DELETE FROM snapshots WHERE session_id = ?');
  const dropRows = hasRows ? db.prepare('DELETE FROM doc_updates WHERE session_id = ?') : null;
  const updates = (id: string): { list: Uint8Array[]; last: number } => {
    const s = snap.get(id);
    const from = s?.upto_seq ?? 0;
    const r = rows?.all(id, from) ?? [];
    return { list: [...(s ? [new Uint8Array(s.data)] : []), ...r.map((x) => new Uint8Array(x.data))], last: r.at(-1)?.seq ?? from };
  };
  return {
    has: (id: string) => updates(id).list.length > 0,
    updates: (id: string) => updates(id).list,
    lastSeq: (id: string) => updates(id).last,
    /** A crash's legacy frames, merged into the legacy snapshot (migrated on the session's next load). */
    saveMerged(id: string, frames: Uint8Array[], upto: number) {
      upsert.run(id, Buffer.from(Y.mergeUpdates([...updates(id).list, ...frames])), upto);
      dropRows?.run(id);
    },
    drop(id: string) {
      dropSnap.run(id);
      dropRows?.run(id);
    },
  };
}

