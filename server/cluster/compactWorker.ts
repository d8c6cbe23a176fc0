/**
 * Compaction off the event loop: a worker thread with its own small connection pool reads what to
 * fold, merges it and writes the snapshots (the steps and their safety are in pgLog.ts, which owns
 * the SQL). For a session of tens of MB every part of that is slow on the main thread, and it
 * recurs every few hundred records, not once per load: Y.mergeUpdates (server/store/worker.ts
 * measured 0.4-1.3 s for 20 MB), decoding the snapshot's bytea from hex text (pg reads results
 * as text) and handing tens of thousands of records to a merger. Here none of it stalls a room.
 * The thread runs at the lowest priority (Linux nice is per thread), so it yields the core to the
 * rooms. It starts with the first compaction and does not keep the process alive while idle; if it
 * dies, its jobs fail and the next compaction starts a new one.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { PoolConfig } from 'pg';
import type { SessionId } from '../../lib/ids';
import { COMPACT_SQL } from './pgLog';

/** Updates merged in one Y.mergeUpdates call at most. */
const MERGE_FAN_IN = 64;
/** Connections of the worker's own pool: compactions of different sessions may overlap. */
export const COMPACT_CONNECTIONS = 2;

// Plain CommonJS so it runs in any Node context (the server bundle, tsx, vitest) without a loader.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
try { require('node:os').setPriority(19); } catch {}
const Y = require(workerData.yjs);
const { Pool, TypeOverrides, types } = require(workerData.pg);
const sql = workerData.sql;
const overrides = new TypeOverrides();
overrides.setTypeParser(types.builtins.INT8, 'text', Number);
const pool = new Pool({ ...workerData.pool, types: overrides });
// A dead idle connection must not end the thread; the query in flight rejects anyway.
pool.on('error', () => {});
pool.on('connect', (client) => client.on('error', () => {}));

// Y.mergeUpdates takes time quadratic in the number of updates it is given (10,000 small ones:
// 6.5 s here); merging groups of ${MERGE_FAN_IN}, then groups of the results, gives the same update
// (byte for byte, in that measurement) in 0.9 s, so a backlog left by failed compactions stays cheap.
const merge = (parts) => {
  let level = parts;
  do {
    const next = [];
    for (let i = 0; i < level.length; i += ${MERGE_FAN_IN}) next.push(Y.mergeUpdates(level.slice(i, i + ${MERGE_FAN_IN})));
    level = next;
  } while (level.length > 1);
  return level[0];
};

async function compact(id, uptoSeq) {
  const { rows } = await pool.query(sql.fold, [id, uptoSeq]);
  let upto = 0;
  const parts = new Map();
  for (const r of rows) {
    if (r.src === 1) upto = r.seq;
    const list = parts.get(r.doc);
    if (list) list.push(r.data);
    else parts.set(r.doc, [r.data]);
  }
  if (upto === 0) return false;
  const merged = [...parts].map(([doc, list]) => [doc, merge(list)]);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows: locked } = await client.query(sql.lock, [id]);
    const wrote = Math.max(0, ...locked.map((r) => r.upto_seq)) < upto;
    if (wrote) {
      const params = [id, upto];
      const values = merged.map(([doc, data]) => '($1, $' + params.push(doc) + '::smallint, $' + params.push(data) + '::bytea, $2::bigint)');
      await client.query(sql.upsert.replace('$VALUES', values.join(', ')), params);
      await client.query(sql.advance, [id, upto]);
      await client.query(sql.drop, [id, upto]);
    }
    await client.query('COMMIT');
    client.release();
    return wrote;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    client.release(true);
    throw err;
  }
}

const running = new Set();
parentPort.on('message', (msg) => {
  if (msg.type === 'compact') {
    const job = compact(msg.id, msg.uptoSeq).then(
      (wrote) => ({ job: msg.job, ok: true, wrote }),
      (err) => ({ job: msg.job, ok: false, error: { message: String((err && err.message) || err), code: err && err.code } }),
    );
    running.add(job);
    job.then((reply) => {
      running.delete(job);
      parentPort.postMessage(reply);
    });
  } else if (msg.type === 'close') {
    Promise.allSettled([...running]).then(() => pool.end()).catch(() => {}).finally(() => parentPort.close());
  }
});
`;

type Reply = { job: number; ok: true; wrote: boolean } | { job: number; ok: false; error: { message: string; code?: string } };

export class CompactWorker {
  private worker: Worker | null = null;
  private nextJob = 0;
  private readonly jobs = new Map<number, { resolve(wrote: boolean): void; reject(err: unknown): void }>();

  /**
   * `pool`: how the worker connects (as the store's pool: the same URL and timeouts); `describe`
   * turns a driver error into a readable reason.
   */
  constructor(
    private readonly pool: PoolConfig,
    private readonly describe: (err: unknown) => string,
  ) {}

  /** Folds the session's records up to `uptoSeq` into its snapshots; true if it wrote, false if there was nothing to do. */
  compact(id: SessionId, uptoSeq: number): Promise<boolean> {
    const worker = this.worker ?? this.start();
    const job = this.nextJob++;
    const done = new Promise<boolean>((resolve, reject) => this.jobs.set(job, { resolve, reject }));
    worker.ref();
    worker.postMessage({ type: 'compact', job, id, uptoSeq });
    return done;
  }

  /** Lets the jobs in hand finish, closes the worker's connections and waits for it to exit. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.ref();
    worker.postMessage({ type: 'close' });
    await exited;
  }

  private start(): Worker {
    const require = createRequire(import.meta.url);
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { yjs: require.resolve('yjs'), pg: require.resolve('pg'), sql: COMPACT_SQL, pool: this.pool },
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const job of this.jobs.values()) job.reject(err);
      this.jobs.clear();
    };
    worker.on('message', (msg: Reply) => {
      const job = this.jobs.get(msg.job);
      if (!job) return;
      this.jobs.delete(msg.job);
      if (msg.ok) job.resolve(msg.wrote);
      else job.reject(new Error(`could not compact: ${this.describe(msg.error)}`));
      // Only pending jobs keep the process alive; an idle worker does not.
      if (this.jobs.size === 0) worker.unref();
    });
    worker.on('error', (err) => fail(new Error(`the compaction worker failed: ${err.message}`)));
    worker.on('exit', () => fail(new Error('the compaction worker exited')));
    worker.unref();
    this.worker = worker;
    return worker;
  }
}
