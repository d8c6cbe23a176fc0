/**
 * The room and its log, on an in-memory store and fake time: what a joining client is sent, the
 * async append path (broadcasts and acks wait for durability, in order), a failing store, and the
 * compaction schedule (after N records, when quiet, when old).
 */
import * as decoding from 'lib0/decoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { SessionId } from '../../lib/ids';
import { CloseCode } from '../../lib/protocol/closeCodes';
import { decodeSaved } from '../../lib/protocol/saved';
import { defaultConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { Metrics } from '../../server/metrics';
import { Connection } from '../../server/yjs/connection';
import { encodeUpdate } from '../../server/yjs/messages';
import { receive } from '../../server/yjs/receiver';
import { Room, RoomUnavailable } from '../../server/yjs/room';
import type { Shared, SocketLike } from '../../server/yjs/socket';
import { addTask, taskText } from '../../lib/task';
import { syncFrame } from '../helpers/raw';
import { FakeTime } from '../helpers/fakeTime';
import { MemoryStore } from '../helpers/memoryStore';
import { newDocs } from '../helpers/docs';

const ID = 'room-test' as SessionId;
const config = defaultConfig();
const deps = { limits: config.limits, metrics: new Metrics(), logger: createLogger('silent'), now: () => Date.now() };

async function roomOn(store: MemoryStore, time = new FakeTime(), log: Partial<{ compactAfter: number; quietMs: number; maxAgeMs: number }> = {}) {
  let broken = false;
  const room = await Room.load(ID, {
    store,
    ...deps,
    log: { compactAfter: 1_000, quietMs: 30_000, maxAgeMs: 600_000, clock: time, timers: time, ...log },
    onEmpty: () => undefined,
    onBroken: () => {
      broken = true;
    },
  });
  return { room, time, isBroken: () => broken };
}

interface Peer {
  conn: Connection;
  sent: Shared[];
  closed: { code: number; reason: string } | null;
}

function peer(id: string, opts: { channel?: 'shared' | 'server'; kind?: 'edit' | 'view'; acks?: boolean } = {}): Peer {
  const p = { sent: [] as Shared[], closed: null as Peer['closed'] } as Peer;
  const socket: SocketLike = {
    send: (msg) => p.sent.push(msg),
    buffered: 0,
    close: (code, reason) => {
      p.closed = { code, reason };
    },
    terminate: () => undefined,
    get isOpen() {
      return p.closed === null;
    },
  };
  p.conn = new Connection({
    id,
    socket,
    kind: opts.kind ?? 'edit',
    token: 't',
    channel: opts.channel ?? 'shared',
    memberId: null,
    acks: opts.acks ?? false,
    heartbeat: false,
    limits: config.limits,
    now: Date.now,
    onClose: () => undefined,
  });
  return p;
}

/** Asks for everything and returns the update in the sync step 2 the peer got. */
/** Lets the promises settle that a reply waits on (a sync step 2 goes out once its content is durable). */
const settled = () => new Promise((r) => setImmediate(r));

async function fullStateFor(room: Room, p: Peer): Promise<Uint8Array> {
  room.join(p.conn);
  p.sent.length = 0;
  receive(deps, room, p.conn, syncFrame(0, new Uint8Array([0])));
  await settled();
  const d = decoding.createDecoder((p.sent[0] as Shared).data);
  expect([decoding.readVarUint(d), decoding.readVarUint(d)]).toEqual([0, 1]);
  return decoding.readVarUint8Array(d);
}

const sharedWithTask = (title: string) => {
  const docs = newDocs();
  addTask(docs, { title }, 1);
  return docs;
};
const titleIn = (update: Uint8Array) => {
  const docs = newDocs();
  Y.applyUpdate(docs.shared, update);
  return [...docs.shared.getMap<Y.Map<Y.Text>>('tasks').values()].map((t) => t.get('title')?.toString());
};
const savedCounts = (p: Peer) => p.sent.map((m) => decodeSaved(m.data)).filter((n) => n !== null);

describe('full state for a joining client', () => {
  it('goes out only once every change in it is durable, and never when the store failed first', async () => {
    for (const fails of [false, true]) {
      const store = new MemoryStore();
      const { room } = await roomOn(store);
      const writer = peer('w');
      room.join(writer.conn);
      const client = newDocs();
      addTask(client, { title: 'Not stored yet' }, 1);
      store.holdAppends = true;
      if (fails) store.failNext = new Error('the store went away');
      receive(deps, room, writer.conn, encodeUpdate(Y.encodeStateAsUpdate(client.shared)));
      const joiner = peer('j');
      room.join(joiner.conn);
      joiner.sent.length = 0;
      receive(deps, room, joiner.conn, syncFrame(0, new Uint8Array([0])));
      await settled();
      if (fails) {
        expect(joiner.sent).toEqual([]); // the room closed it instead
        expect(joiner.closed?.code).toBe(CloseCode.ServerError);
      } else {
        expect(joiner.sent).toEqual([]); // held: the append has not landed
        store.release();
        await settled();
        // Now the sync step 2 goes out (beside the broadcast of the change itself).
        const kinds = joiner.sent.map((m) => {
          const d = decoding.createDecoder(m.data);
          return [decoding.readVarUint(d), decoding.readVarUint(d)].join('.');
        });
        expect(kinds).toContain('0.1');
      }
      room.destroy();
    }
  });

  it('is the stored snapshot itself while nothing changed since the load, shared by every such request', async () => {
    // Written without garbage collection, the snapshot still holds a deleted value: a re-encoding differs.
    const kept = new Y.Doc({ gc: false });
    const docs = { shared: kept, server: new Y.Doc() };
    addTask(docs, { title: 'draft' }, 1);
    kept.getMap('tasks').clear();
    addTask(docs, { title: 'Checkout flow' }, 2);
    const snapshot = Y.encodeStateAsUpdate(kept);
    const store = new MemoryStore();
    store.seed(ID, { shared: snapshot });
    const { room } = await roomOn(store);
    expect(Y.encodeStateAsUpdate(room.docs.shared)).not.toEqual(snapshot);
    expect(await fullStateFor(room, peer('a'))).toEqual(snapshot);
    // A made-up state vector naming no client the document has gets the same shared answer.
    const b = peer('b');
    room.join(b.conn);
    b.sent.length = 0;
    receive(deps, room, b.conn, syncFrame(0, Y.encodeStateVector(new Y.Doc())));
    receive(deps, room, b.conn, syncFrame(0, new Uint8Array([1, 123456, 5])));
    await settled();
    expect(b.sent).toHaveLength(2);
    expect(b.sent[0]).toBe(b.sent[1]);
    room.destroy();
  });

  it('includes what changed after the load', async () => {
    const store = new MemoryStore();
    const base = sharedWithTask('Checkout flow');
    store.seed(ID, { shared: Y.encodeStateAsUpdate(base.shared) });
    const { room } = await roomOn(store);
    const writer = peer('w');
    room.join(writer.conn);
    const client = newDocs();
    Y.applyUpdate(client.shared, Y.encodeStateAsUpdate(base.shared));
    const before = Y.encodeStateVector(client.shared);
    addTask(client, { title: 'Payment step' }, 3);
    receive(deps, room, writer.conn, encodeUpdate(Y.encodeStateAsUpdate(client.shared, before)));
    await room.flush();
    expect(titleIn(await fullStateFor(room, peer('b'))).sort()).toEqual(['Checkout flow', 'Payment step']);
    room.destroy();
  });

  it('names its documents by the session, so loading draws no random UUID', async () => {
    const { room } = await roomOn(new MemoryStore());
    expect([room.docs.shared.guid, room.docs.server.guid]).toEqual([`${ID}/shared`, `${ID}/server`]);
    room.destroy();
  });
});

describe('durable before broadcast, on the async path', () => {
  it('broadcasts and acknowledges only once stored, in order, whatever order the store answers in', async () => {
    const store = new MemoryStore();
    store.holdAppends = true;
    const { room } = await roomOn(store);
    const writer = peer('w', { acks: true });
    const reader = peer('r');
    room.join(writer.conn);
    room.join(reader.conn);
    reader.sent.length = 0;
    const client = newDocs();
    for (const title of ['one', 'two', 'three']) {
      const before = Y.encodeStateVector(client.shared);
      addTask(client, { title }, 1);
      receive(deps, room, writer.conn, encodeUpdate(Y.encodeStateAsUpdate(client.shared, before)));
    }
    await FakeTime.settle();
    expect(reader.sent).toHaveLength(0);
    expect(savedCounts(writer)).toEqual([]);
    store.release([2, 1, 0]); // the store answers the last first
    await FakeTime.settle();
    // Applied in the order received, each broadcast adds the next task (a reordered one would be parked).
    const seen = newDocs();
    const got = reader.sent.map((m) => {
      Y.applyUpdate(seen.shared, decoding.readVarUint8Array(withHeader(m.data)));
      return [...seen.shared.getMap<Y.Map<Y.Text>>('tasks').values()].map((t) => t.get('title')?.toString()).sort();
    });
    expect(got).toEqual([['one'], ['one', 'two'], ['one', 'three', 'two']]);
    expect(seen.shared.store.pendingStructs).toBeNull();
    expect(savedCounts(writer)).toEqual([1, 2, 3]);
    room.destroy();
  });

  it('a failing append rejects the server write, closes every connection with 4500 and drops the room', async () => {
    const store = new MemoryStore();
    const { room, isBroken } = await roomOn(store);
    const p = peer('p');
    room.join(p.conn);
    store.failNext = new Error('ENOSPC: no space left on device');
    await expect(room.transact('task', (docs) => addTask(docs, { title: 'x' }, 1))).rejects.toBeInstanceOf(RoomUnavailable);
    expect(p.closed?.code).toBe(CloseCode.ServerError);
    expect(isBroken()).toBe(true);
    await expect(room.transact('task', () => 1)).rejects.toBeInstanceOf(RoomUnavailable);
    room.destroy();
  });
});

describe('compaction, owned by the log', () => {
  const write = (room: Room) => room.transact('task', (docs) => addTask(docs, { title: 't' }, 1));

  it('compacts after N records', async () => {
    const store = new MemoryStore();
    const { room, time } = await roomOn(store, new FakeTime(), { compactAfter: 5 });
    for (let i = 0; i < 4; i++) await write(room);
    time.advance(0);
    await FakeTime.settle();
    expect(store.compactions).toBe(0);
    await write(room);
    time.advance(0);
    await FakeTime.settle();
    expect(store.compactions).toBe(1);
    expect(room.pendingRecords).toBe(0);
    room.destroy();
  });

  it('compacts once the room has been quiet a while with records pending', async () => {
    const store = new MemoryStore();
    const { room, time } = await roomOn(store, new FakeTime(), { quietMs: 1_000 });
    await write(room);
    time.advance(999);
    await FakeTime.settle();
    expect(store.compactions).toBe(0);
    time.advance(1);
    await FakeTime.settle();
    expect(store.compactions).toBe(1);
    room.destroy();
  });

  it('compacts a room that is never quiet once its oldest pending record is old', async () => {
    const store = new MemoryStore();
    const { room, time } = await roomOn(store, new FakeTime(), { quietMs: 1_000, maxAgeMs: 5_000 });
    let writes = 0;
    while (store.compactions === 0 && writes < 20) {
      await write(room);
      writes++;
      time.advance(900); // never 1 s without a write
      await FakeTime.settle();
    }
    expect(store.compactions).toBe(1);
    expect(writes).toBe(6); // the first record turned 5 s old during the sixth gap
    room.destroy();
  });
});

/** A broadcast frame is [0 sync, 2 update, payload]: this skips to the payload. */
function withHeader(frame: Uint8Array): decoding.Decoder {
  const d = decoding.createDecoder(frame);
  decoding.readVarUint(d);
  decoding.readVarUint(d);
  return d;
}

describe('a peer record that came before an earlier one (cluster)', () => {
  it('stays parked while clients edit, and joins the document once the earlier record arrives', async () => {
    const { room } = await roomOn(new MemoryStore());
    const watcher = peer('watcher');
    const start = await fullStateFor(room, watcher);
    // Another instance's two records: the second edits what the first added.
    const other = newDocs();
    Y.applyUpdate(other.shared, start);
    const records: Uint8Array[] = [];
    other.shared.on('update', (u: Uint8Array) => records.push(u));
    const id = addTask(other, { title: 'From a peer' }, 1);
    taskText(other, id, 'title')?.insert(0, 'Edited: ');
    const [first, second] = records as [Uint8Array, Uint8Array];
    const floor = room.seqs.floor;
    room.applyPeerRecord(floor + 2, [{ doc: 'shared', update: second }]); // the bus delivered it first

    // A client edits meanwhile: its edit applies, and it is not taken for the parked record's sender.
    const client = peer('client');
    room.join(client.conn);
    const mine = newDocs();
    Y.applyUpdate(mine.shared, start);
    const edits: Uint8Array[] = [];
    mine.shared.on('update', (u: Uint8Array) => edits.push(u));
    addTask(mine, { title: 'From a client' }, 2);
    receive(deps, room, client.conn, syncFrame(2, edits[0] as Uint8Array));
    await settled();
    expect(client.closed).toBeNull();

    room.applyPeerRecord(floor + 1, [{ doc: 'shared', update: first }]); // read back from the store
    const titles = titleIn(Y.encodeStateAsUpdate(room.docs.shared)).sort();
    expect(titles).toEqual(['Edited: From a peer', 'From a client']);
  });
});
