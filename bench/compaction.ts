/**
 * `npx tsx bench/compaction.ts [--pg]`: the longest the event loop is blocked while a 20 MB
 * session's log is compacted into its snapshots — the figure issue 28 asks for (compaction used to
 * merge on the event loop and block every session for hundreds of ms).
 *
 * A session's log is filled with records of about 500 bytes (BENCH_COMPACT_MB, default 20 MB in
 * all), then compacted by the store as the server's DocLog would (`store.compact(id, lastSeq)`),
 * while a 1 ms interval timer records the largest gap between its ticks. The embedded SQLite store
 * by default; `--pg` runs the PostgreSQL store against a private PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import type { SessionId } from '../lib/ids';
import { openPgStore } from '../server/cluster/pgStore';
import { openSqliteStore } from '../server/store/sqlite';
import type { Store } from '../server/store/types';
import { startPrivatePostgres } from '../test/helpers/postgres';

const MB = Number(process.env.BENCH_COMPACT_MB ?? 20);
const RECORD_BYTES = 500;
const usePg = process.argv.includes('--pg');

/** The largest gap between the ticks of a 1 ms interval while `work` runs, less the 1 ms itself. */
async function longestBlock(work: () => Promise<void>): Promise<{ maxMs: number; totalMs: number }> {
  let last = performance.now();
  let max = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - last - 1);
    last = now;
  }, 1);
  const t0 = performance.now();
  await work();
  const totalMs = performance.now() - t0;
  clearInterval(timer);
  return { maxMs: Math.round(max), totalMs: Math.round(totalMs) };
}

async function fill(store: Store, id: SessionId): Promise<number> {
  const doc = new Y.Doc();
  // One map entry per record: each write is O(1) (appending to a long Y.Text is not).
  const log = doc.getMap('log');
  const chunk = 'x'.repeat(RECORD_BYTES - 40);
  let bytes = 0;
  let last = 0;
  let n = 0;
  const pending: Promise<number>[] = [];
  let update: Uint8Array = new Uint8Array();
  doc.on('update', (u: Uint8Array) => {
    update = u;
  });
  while (bytes < MB * 1024 * 1024) {
    log.set(String(n++), chunk);
    bytes += update.byteLength;
    pending.push(store.append(id, [{ doc: 'shared', update }]));
    if (pending.length >= 256) last = Math.max(last, ...(await Promise.all(pending.splice(0))));
  }
  last = Math.max(last, ...(await Promise.all(pending)));
  doc.destroy();
  return last;
}

const dir = mkdtempSync(join(tmpdir(), 'mobflow-compact-'));
const pg = usePg ? await startPrivatePostgres() : null;
const store: Store = pg ? await openPgStore(pg.url) : openSqliteStore(dir);
try {
  const id = 'CompactionBench0000000' as SessionId;
  await store.createSession({ id, editToken: id, viewToken: 'CompactionView00000000', createdAt: Date.now(), memberKey: new Uint8Array(32), mobKey: 'compaction-bench' });
  const t0 = performance.now();
  const upto = await fill(store, id);
  process.stderr.write(`[compaction] ${upto} records, ${MB} MB, written in ${Math.round(performance.now() - t0)} ms\n`);
  const first = await longestBlock(() => store.compact(id, upto));
  // A second round on top of the 20 MB snapshot: 500 more records, the routine compaction of a big session.
  const doc = new Y.Doc();
  const more: Promise<number>[] = [];
  doc.on('update', (update: Uint8Array) => {
    more.push(store.append(id, [{ doc: 'shared', update }]));
  });
  for (let i = 0; i < 500; i++) doc.getMap('more').set(String(i), 'y'.repeat(RECORD_BYTES - 40));
  const upto2 = Math.max(...(await Promise.all(more)));
  const second = await longestBlock(() => store.compact(id, upto2));
  const loadBlock = await longestBlock(async () => {
    await store.loadSession(id);
  });
  const name = usePg ? 'PostgreSQL' : 'SQLite';
  process.stdout.write(
    `${[
      `| ${name} store, ${MB} MB session | longest event-loop block | compaction took |`,
      '| --- | --- | --- |',
      `| compact ${upto} records into the snapshot | ${first.maxMs} ms | ${first.totalMs} ms |`,
      `| 500 more records onto the ${MB} MB snapshot | ${second.maxMs} ms | ${second.totalMs} ms |`,
      `| load the session (for comparison) | ${loadBlock.maxMs} ms | ${loadBlock.totalMs} ms |`,
    ].join('\n')}\n`,
  );
} finally {
  await store.close();
  await pg?.dispose();
  rmSync(dir, { recursive: true, force: true });
}
