/**
 * The SQLite store's background thread, with its own connection, for the two jobs that take
 * milliseconds to seconds and would otherwise stall every room in the process:
 *
 * - Compaction. A session's snapshot and the log entries it does not cover yet are merged with
 *   Y.mergeUpdates and written back as the new snapshot. The main thread only hands over the log
 *   entries (small); the worker reads the snapshot itself. Merging a 20 MB session on the event
 *   loop blocked it for 0.4-1.3 s (bench/compaction.ts has the figures before and after).
 * - WAL checkpoints. Commits do not fsync with synchronous=NORMAL; a checkpoint copies the WAL back
 *   into the database file and fsyncs, asked for after about CHECKPOINT_EVERY_PAGES pages. Under
 *   constant writes a checkpoint beside the writer never quite catches up, so the main connection
 *   keeps a large auto-checkpoint as the bound; if the worker dies it goes back to SQLite's default.
 *
 * The thread runs at the lowest priority (Linux nice is per thread): where it shares a core with
 * the rooms, it waits for them rather than preempting them.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { FrameDoc } from './logFormat';

/** WAL pages (4 KiB) written between two checkpoint requests, as counted by the callers of committed(). */
export const CHECKPOINT_EVERY_PAGES = 4000;
/** WAL size (pages) at which the main connection checkpoints itself: the upper bound on the WAL. */
export const MAIN_AUTOCHECKPOINT_PAGES = 16_384;
/** SQLite's own default, used again if the worker fails. */
export const DEFAULT_AUTOCHECKPOINT_PAGES = 1_000;

/** The snapshots table the worker writes (sqlite.ts creates it); doc codes as in DOC_CODE below. */
export const SNAPSHOT_TABLE = 'doc_snapshots';
const DOC_CODE = { shared: 1, server: 2 } as const;

// Plain CommonJS so it runs in any Node context (the server bundle, tsx, vitest) without a loader.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
try { require('node:os').setPriority(19); } catch {}
const Database = require(workerData.driver);
const Y = require(workerData.yjs);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
const read = db.prepare('SELECT doc, data, upto_seq FROM ${SNAPSHOT_TABLE} WHERE session_id = ?');
const upsert = db.prepare('INSERT INTO ${SNAPSHOT_TABLE} (session_id, doc, data, upto_seq) VALUES (?, ?, ?, ?) ON CONFLICT(session_id, doc) DO UPDATE SET data = excluded.data, upto_seq = excluded.upto_seq');
// Y.mergeUpdates takes time quadratic in the number of updates it is given: groups of 64, then
// groups of the results, give the same update far faster (a 43,000-record, 20 MB backlog: see
// bench/compaction.ts; the PostgreSQL store's worker does the same, server/cluster/compactWorker.ts).
const merge = (parts) => {
  let level = parts;
  do {
    const next = [];
    for (let i = 0; i < level.length; i += 64) next.push(level.length === 1 ? level[0] : Y.mergeUpdates(level.slice(i, i + 64)));
    level = next;
  } while (level.length > 1);
  return level[0];
};
const compact = db.transaction((id, uptoSeq, merged) => {
  const rows = read.all(id);
  if (rows.some((r) => r.upto_seq > uptoSeq)) return 0; // a later compaction already covers more
  let bytes = 0;
  for (const [doc, data] of merged) {
    upsert.run(id, doc, data, uptoSeq);
    bytes += data.byteLength;
  }
  return bytes;
});
parentPort.on('message', (msg) => {
  if (msg.type === 'checkpoint') {
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
    parentPort.postMessage({ type: 'checkpointed' });
  } else if (msg.type === 'compact') {
    try {
      const rows = new Map(read.all(msg.id).map((r) => [r.doc, r.data]));
      const merged = [];
      for (const [doc, updates] of msg.docs) {
        const snap = rows.get(doc);
        const all = snap ? [new Uint8Array(snap), ...updates] : updates;
        merged.push([doc, Buffer.from(merge(all))]);
      }
      const bytes = compact(msg.id, msg.uptoSeq, merged);
      parentPort.postMessage({ type: 'compacted', job: msg.job, ok: true, pages: Math.ceil(bytes / 4096) + 1 });
    } catch (err) {
      parentPort.postMessage({ type: 'compacted', job: msg.job, ok: false, error: String(err && err.message || err) });
    }
  } else if (msg.type === 'close') {
    db.close();
    parentPort.close();
  }
});
`;

export interface CompactionJob {
  id: string;
  uptoSeq: number;
  /** The log entries to fold in, oldest first (legacy ones never reach a compaction: they are migrated on load). */
  entries: readonly { doc: FrameDoc; update: Uint8Array }[];
}

export interface StoreWorker {
  /** Counts a main-connection commit of about `pages` pages; asks for a checkpoint when enough accumulated. */
  committed(pages?: number): void;
  /** Merges the entries into the session's snapshots off the event loop; resolves once committed. */
  compact(job: CompactionJob): Promise<void>;
  /** Stops the worker (after the jobs it has) and waits for it to exit. */
  close(): Promise<void>;
}

/** Starts the worker on `file`; `onFailure` runs once if it dies (the main connection checkpoints then). */
export function startStoreWorker(file: string, onFailure: (err: unknown) => void): StoreWorker {
  const require = createRequire(import.meta.url);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver: require.resolve('better-sqlite3'), yjs: require.resolve('yjs'), file } });
  let closing = false;
  let failed: unknown = null;
  let pagesWritten = 0;
  let checkpointing = false;
  let nextJob = 0;
  const jobs = new Map<number, { resolve(): void; reject(err: Error): void }>();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));

  const requestCheckpoint = () => {
    if (pagesWritten < CHECKPOINT_EVERY_PAGES || checkpointing || failed || closing) return;
    pagesWritten = 0;
    checkpointing = true;
    worker.postMessage({ type: 'checkpoint' });
  };
  const settle = () => {
    // Only pending jobs keep the process alive; an idle worker does not.
    if (jobs.size === 0 && !closing) worker.unref();
  };
  worker.on('message', (msg: { type: string; job?: number; ok?: boolean; error?: string; pages?: number }) => {
    if (msg.type === 'checkpointed') {
      checkpointing = false;
      return;
    }
    const job = msg.job === undefined ? undefined : jobs.get(msg.job);
    if (!job || msg.job === undefined) return;
    jobs.delete(msg.job);
    if (msg.ok) {
      pagesWritten += msg.pages ?? 1;
      requestCheckpoint();
      job.resolve();
    } else job.reject(new Error(`compaction failed: ${msg.error ?? 'unknown error'}`));
    settle();
  });
  worker.once('error', (err) => {
    failed = err;
    for (const job of jobs.values()) job.reject(new Error(`store worker failed: ${String(err)}`));
    jobs.clear();
    if (!closing) onFailure(err);
  });
  worker.once('exit', () => {
    for (const job of jobs.values()) job.reject(new Error('store worker exited'));
    jobs.clear();
  });
  worker.unref();

  return {
    committed(pages = 1) {
      pagesWritten += pages;
      requestCheckpoint();
    },
    compact(job) {
      if (failed) return Promise.reject(new Error(`store worker failed: ${String(failed)}`));
      if (closing) return Promise.reject(new Error('store is closing'));
      const byDoc = new Map<number, Uint8Array[]>();
      for (const e of job.entries) {
        if (e.doc === 'legacy') return Promise.reject(new Error('legacy entries are migrated on load, not compacted'));
        const code = DOC_CODE[e.doc];
        const list = byDoc.get(code);
        if (list) list.push(e.update);
        else byDoc.set(code, [e.update]);
      }
      const id = nextJob++;
      const done = new Promise<void>((resolve, reject) => jobs.set(id, { resolve, reject }));
      worker.ref();
      worker.postMessage({ type: 'compact', job: id, id: job.id, uptoSeq: job.uptoSeq, docs: [...byDoc] });
      return done;
    },
    async close() {
      if (!closing) {
        closing = true;
        worker.ref();
        worker.postMessage({ type: 'close' });
      }
      await exited;
    },
  };
}
