/**
 * WAL checkpoints off the event loop. Commits (mostly compaction snapshots) do not fsync with
 * synchronous=NORMAL; a checkpoint copies the WAL back into the database file and fsyncs, which
 * takes milliseconds. Run on the main thread (SQLite's default, every 1000 pages) it would stall
 * every room in the process, so a worker thread with its own connection does it, asked for after
 * about CHECKPOINT_EVERY_PAGES pages were committed. Fewer, larger checkpoints cost less; 4000
 * pages keep the WAL around 16 MB.
 *
 * Under constant writes a checkpoint running beside the writer never quite catches up, so the WAL
 * could not restart; the main connection keeps a large auto-checkpoint as the bound, which then
 * finds nearly everything copied already. If the worker dies, the main connection goes back to
 * SQLite's default.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** WAL pages (4 KiB) written between two checkpoint requests, as counted by the callers of committed(). */
export const CHECKPOINT_EVERY_PAGES = 4000;
/** WAL size (pages) at which the main connection checkpoints itself: the upper bound on the WAL. */
export const MAIN_AUTOCHECKPOINT_PAGES = 16_384;
/** SQLite's own default, used again if the worker fails. */
export const DEFAULT_AUTOCHECKPOINT_PAGES = 1_000;

// Plain CommonJS so it runs in any Node context (the server, tsx, vitest) without a TypeScript loader.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
// Lowest priority for this thread only (Linux nice is per thread): where it shares a core with the
// rooms, copying pages waits for them rather than preempting them. Not permitted: keep the default.
try { require('node:os').setPriority(19); } catch {}
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
parentPort.on('message', (msg) => {
  if (msg === 'checkpoint') {
    db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage('done');
  } else if (msg === 'close') {
    db.close();
    parentPort.close();
  }
});
`;

export interface Checkpointer {
  /** Counts a commit of about `pages` pages; asks the worker for a checkpoint when enough have accumulated. */
  committed(pages?: number): void;
  /** Stops the worker and waits for it to exit. */
  close(): Promise<void>;
}

/** Starts checkpointing `file` in a worker; `onFailure` runs once if the worker dies. */
export function startCheckpointer(file: string, onFailure: (err: unknown) => void): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file } });
  let closing = false;
  let failed = false;
  let pagesWritten = 0;
  let running = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', () => {
    running = false;
  });
  worker.once('error', (err) => {
    failed = true;
    if (!closing) onFailure(err);
  });
  // An idle worker does not keep the process alive.
  worker.unref();
  return {
    committed(pages = 1) {
      pagesWritten += pages;
      if (pagesWritten < CHECKPOINT_EVERY_PAGES || running || failed || closing) return;
      pagesWritten = 0;
      running = true;
      worker.postMessage('checkpoint');
    },
    async close() {
      if (!closing) {
        closing = true;
        // Keeps the process alive until the worker has closed its connection.
        worker.ref();
        worker.postMessage('close');
      }
      await exited;
    },
  };
}
