/**
 * What an open connection keeps: the endpoint reads what it needs from the upgrade request and lets
 * the request go. A request kept for the socket's lifetime (its headers, raw headers, URL and
 * stream state) was about 1.5 KB per connection, which every full collection of a busy server then
 * marks again.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Limits } from '../../server/config';
import { AddressBook } from '../../server/addressBook';
import { systemTimers } from '../../server/timer/timerSource';
import { findMemberByName, joinMember } from '../../lib/members';
import { createActions } from '../../server/actions';
import { createLogger, systemClock } from '../../server/logger';
import { Metrics } from '../../server/metrics';
import { Rooms } from '../../server/rooms';
import { Sessions } from '../../server/sessions';
import { openSqliteStore } from '../../server/store/sqlite';
import type { Store } from '../../server/store/types';
import { createYjsEndpoint, YJS_PREFIX } from '../../server/yjs/endpoint';
import { tempDir } from '../helpers/server';
import { connect, synced, waitFor, type YClient } from '../helpers/yclient';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let store: Store;
let sessions: Sessions;
let http: Server;
let wsUrl: string;
let endpoint: ReturnType<typeof createYjsEndpoint>;
/** Every upgrade request the endpoint was handed, held weakly. */
const requests: WeakRef<IncomingMessage>[] = [];

beforeAll(async () => {
  store = openSqliteStore(tempDir());
  const logger = createLogger('silent');
  const metrics = new Metrics();
  const limits = Limits.parse({});
  const rooms = new Rooms({ store, logger, metrics, limits, log: { compactAfter: 500, quietMs: 30_000, maxAgeMs: 600_000, clock: systemClock, timers: systemTimers }, unloadDelayMs: 50 });
  sessions = new Sessions(store, createActions({ rooms, clock: systemClock }).initSession, systemClock);
  endpoint = createYjsEndpoint({
    rooms,
    sessions,
    logger,
    metrics,
    limits,
    site: { allowedOrigins: [], allowedHosts: [] },
    addresses: new AddressBook(limits.maxConnectionsPerIp),
    clock: systemClock,
    timers: systemTimers,
  });
  http = createHttpServer();
  http.on('upgrade', (req: IncomingMessage, socket, head) => {
    requests.push(new WeakRef(req));
    endpoint.handleUpgrade(req, socket, head, new URL(req.url ?? '/', 'http://x').pathname);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on a port');
  wsUrl = `ws://127.0.0.1:${address.port}${YJS_PREFIX.slice(0, -1)}`;
});

afterAll(async () => {
  await endpoint.close();
  await new Promise<void>((resolve) => http.close(() => resolve()));
  await store.close();
});

/** Full collections, each after the current task: WeakRefs read in a task keep their target until it ends. */
async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 0));
    gc();
  }
}

describe('an open connection', () => {
  it('does not keep its upgrade request, and still syncs', async () => {
    const { id } = await sessions.create({ name: 'memory' });
    const clients: YClient[] = [connect(wsUrl, id), connect(wsUrl, id)];
    await Promise.all(clients.map(synced));
    expect(requests).toHaveLength(2);

    await collect();
    expect(requests.filter((r) => r.deref() !== undefined)).toHaveLength(0);

    // Both sockets are still live and joined to the room.
    const [a, b] = clients as [YClient, YClient];
    joinMember(a.docs, 'After collection', 1);
    await waitFor(() => findMemberByName(b.docs, 'After collection') !== null, 'update after the collection');
    for (const c of clients) c.destroy();
  });
});
