/**
 * Run as a child process: `storeChild.ts <dataDir> <count> kill|close`. Opens the SQLite store with
 * small log segments and appends `count` records to one session (each inserting `<i>;` into the
 * shared document's text, every tenth also into the server document) in ten bursts with pauses,
 * so several segments fill. Then `kill`: SIGKILL right after the last burst (no close, no flush:
 * that burst is only in the update log); `close`: closes the store with nothing else keeping the
 * process alive, and prints "closed".
 */
import * as Y from 'yjs';
import type { SessionId } from '../../lib/ids';
import { openSqliteStore } from '../../server/store/sqlite';

const [dir, count, end] = process.argv.slice(2);
if (!dir || !count || (end !== 'kill' && end !== 'close')) throw new Error('usage: storeChild.ts <dataDir> <count> kill|close');
const store = openSqliteStore(dir, { segmentBytes: 4096 });
const shared = new Y.Doc();
const server = new Y.Doc();
const total = Number(count);
for (let i = 0; i < total; i++) {
  const a = Y.encodeStateVector(shared);
  const b = Y.encodeStateVector(server);
  shared.getText('t').insert(shared.getText('t').length, `${i};`);
  if (i % 10 === 0) server.getArray('marks').push([i]);
  const updates = [{ doc: 'shared' as const, update: Y.encodeStateAsUpdate(shared, a) }, ...(i % 10 === 0 ? [{ doc: 'server' as const, update: Y.encodeStateAsUpdate(server, b) }] : [])];
  await store.append('crash-session' as SessionId, updates);
  if ((i + 1) % Math.ceil(total / 10) === 0 && i + 1 < total) await new Promise((r) => setTimeout(r, 20));
}
if (end === 'kill') process.kill(process.pid, 'SIGKILL');
await store.close();
console.log('closed');
