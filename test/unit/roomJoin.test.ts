/**
 * What a joining client with nothing is sent (sync step 2 for an empty state vector): the room's
 * whole state, and when the room was loaded from one stored update and nothing changed since, those
 * very bytes (no re-encoding of a large session on its first join after a load). And what a load
 * itself draws: no random UUID for the doc.
 */
import * as decoding from 'lib0/decoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { SessionId } from '../../lib/ids';
import { defaultConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { Metrics } from '../../server/metrics';
import type { StoredDoc, Store } from '../../server/store/types';
import { encodeUpdate } from '../../server/yjs/messages';
import { type Connection, newConnection, Room } from '../../server/yjs/room';
import type { Shared, SocketLike } from '../../server/yjs/socket';
import { TokenBucket } from '../../server/tokenBucket';
import { syncFrame } from '../helpers/raw';

function storeWith(stored: StoredDoc): Store {
  let seq = stored.lastSeq;
  const no = () => Promise.reject(new Error('not used'));
  return {
    createSession: no,
    findSession: no,
    loadDoc: async () => stored,
    appendUpdate: () => ++seq,
    compact: async () => undefined,
    setTimerDue: async () => undefined,
    listTimersDue: async () => [],
    replayedSessions: () => [],
    ping: async () => true,
    releaseMemory: () => undefined,
    close: async () => undefined,
  };
}

async function roomFrom(updates: Uint8Array[]): Promise<Room> {
  const config = defaultConfig();
  return Room.load('join-test' as SessionId, {
    store: storeWith({ updates, lastSeq: updates.length, pending: updates.length }),
    logger: createLogger('silent'),
    metrics: new Metrics(),
    limits: config.limits,
    compactAfterUpdates: 1_000,
    onEmpty: () => undefined,
  });
}

function peer(id: string): { conn: Connection; sent: Uint8Array[] } {
  const sent: Uint8Array[] = [];
  const socket: SocketLike = {
    send: (data) => sent.push(data),
    offer: (msg: Shared) => {
      sent.push(msg.data);
      return 'sent';
    },
    close: () => undefined,
    isOpen: true,
  };
  const conn = newConnection(id, socket, { readOnly: false, acks: false, awarenessBudget: new TokenBucket(10, 10, Date.now) });
  return { conn, sent };
}

/** Joins a fresh peer, asks for everything, and returns the update in the sync step 2 it got. */
function fullStateFor(room: Room, id: string): Uint8Array {
  const p = peer(id);
  room.join(p.conn);
  p.sent.length = 0;
  room.receive(p.conn, syncFrame(0, new Uint8Array([0])));
  const d = decoding.createDecoder(p.sent[0] as Uint8Array);
  expect([decoding.readVarUint(d), decoding.readVarUint(d)]).toEqual([0, 1]);
  return decoding.readVarUint8Array(d);
}

function docWith(clientID: number, fill: (doc: Y.Doc) => void): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  fill(doc);
  return doc;
}

const contentOf = (update: Uint8Array) => {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return doc.getMap('task').toJSON();
};

describe('full state for a joining client', () => {
  it('is the stored update itself when the room loaded from one and nothing changed since', async () => {
    // Written without garbage collection, the snapshot still holds a deleted value's content: a
    // re-encoding by the room (which collects it) would differ from these bytes.
    const kept = new Y.Doc({ gc: false });
    kept.getMap('task').set('draft', 'x'.repeat(200));
    kept.getMap('task').delete('draft');
    kept.getMap('task').set('title', 'Checkout flow');
    const snapshot = Y.encodeStateAsUpdate(kept);
    const room = await roomFrom([snapshot]);
    expect(Y.encodeStateAsUpdate(room.doc)).not.toEqual(snapshot);
    expect(contentOf(snapshot)).toEqual({ title: 'Checkout flow' });
    expect(fullStateFor(room, 'a')).toEqual(snapshot);
    expect(fullStateFor(room, 'b')).toEqual(snapshot);
    room.destroy();
  });

  it('covers every stored update when the room loaded from a snapshot and later updates', async () => {
    const doc = docWith(1, (d) => d.getMap('task').set('title', 'Checkout flow'));
    const snapshot = Y.encodeStateAsUpdate(doc);
    const before = Y.encodeStateVector(doc);
    doc.getMap('task').set('notes', 'split the payment step');
    const later = Y.encodeStateAsUpdate(doc, before);
    const room = await roomFrom([snapshot, later]);
    expect(contentOf(fullStateFor(room, 'a'))).toEqual({ title: 'Checkout flow', notes: 'split the payment step' });
    room.destroy();
  });

  it('includes what changed after the load, before or after the first join', async () => {
    const doc = docWith(1, (d) => d.getMap('task').set('title', 'Checkout flow'));
    const room = await roomFrom([Y.encodeStateAsUpdate(doc)]);
    const writer = peer('w');
    room.join(writer.conn);
    const before = Y.encodeStateVector(doc);
    doc.getMap('task').set('title', 'Checkout flow, v2');
    room.receive(writer.conn, encodeUpdate(Y.encodeStateAsUpdate(doc, before)));
    await room.flush();
    expect(contentOf(fullStateFor(room, 'b'))).toEqual({ title: 'Checkout flow, v2' });
    const again = Y.encodeStateVector(doc);
    doc.getMap('task').set('owner', 'Ada');
    room.receive(writer.conn, encodeUpdate(Y.encodeStateAsUpdate(doc, again)));
    await room.flush();
    expect(contentOf(fullStateFor(room, 'c'))).toEqual({ title: 'Checkout flow, v2', owner: 'Ada' });
    room.destroy();
  });
});

describe('loading a room', () => {
  it('names its doc by the session id, so no random UUID is drawn (most of what loading a new session cost)', async () => {
    const room = await roomFrom([]);
    expect(room.doc.guid).toBe('join-test');
    room.destroy();
  });
});
