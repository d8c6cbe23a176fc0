/**
 * Run as a child process: `storeChild.ts <dataDir> <count> kill|close`. Opens the SQLite store with
 * small log segments and appends `count` text updates to one session (each inserting `<i>;`) in ten
 * bursts with pauses, so some segments are sealed and merged. Then `kill`: SIGKILL right after
 * the last burst (no close, no flush: that burst is only in the update log); `close`: closes the
 * store with nothing else keeping the process alive, and prints "closed".
 */
import * as Y from 'yjs';
import type { SessionId } from '../../lib/ids';
import { openSqliteStore } from '../../server/store/sqlite';

const [dir, count, end] = process.argv.slice(2);
if (!dir || !count || (end !== 'kill' && end !== 'close')) throw new Error('usage: storeChild.ts <dataDir> <count> kill|close');
const store = openSqliteStore(dir, { segmentBytes: 4096 });
const doc = new Y.Doc();
const text = doc.getText('t');
const total = Number(count);
for (let i = 0; i < total; i++) {
  const before = Y.encodeStateVector(doc);
  text.insert(text.length, `${i};`);
  store.appendUpdate('crash-session' as SessionId, Y.encodeStateAsUpdate(doc, before));
  if ((i + 1) % Math.ceil(total / 10) === 0 && i + 1 < total) await new Promise((r) => setTimeout(r, 20));
}
if (end === 'kill') process.kill(process.pid, 'SIGKILL');
await store.close();
console.log('closed');
