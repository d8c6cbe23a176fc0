/**
 * The load generator's lean reading of frames (bench/protocol.ts) against y-protocols' own
 * encoders, and the writer's marker bookkeeping (bench/client.ts): a marker is found by the clock
 * its write got, whatever the writer's document held before.
 */
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { tasksOf } from '../../lib/doc/schema';
import { addTask } from '../../lib/task';
import { type SessionSynced, Writer } from '../../bench/client';
import { decodeFrame, encodeUpdateMessage, oneDoc } from '../../bench/protocol';

function syncMessage(write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  write(e);
  return encoding.toUint8Array(e);
}

describe('decodeFrame', () => {
  it('finds every entry of an awareness update with several clients', () => {
    // One room's view of two clients, each on its second state, with non-ASCII text in it.
    const room = new Awareness(new Y.Doc());
    const ids: number[] = [];
    for (const name of ['Zoë', 'Åsa']) {
      const client = new Awareness(new Y.Doc());
      client.setLocalState({ user: { name } });
      client.setLocalState({ user: { name: `${name} again` } });
      applyAwarenessUpdate(room, encodeAwarenessUpdate(client, [client.clientID]), 'test');
      ids.push(client.clientID);
    }
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint8Array(e, encodeAwarenessUpdate(room, ids));
    expect(decodeFrame(encoding.toUint8Array(e))).toEqual({ kind: 'awareness', markers: ids.map((client) => ({ client, clock: 2 })) });
  });

  it('reads the first struct of an update message and tells sync step 2 from it', () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    doc.getMap('m').set('a', 1);
    doc.getMap('m').set('a', 2);
    const second = updates[1] as Uint8Array;
    const frame = syncMessage((e) => syncProtocol.writeUpdate(e, second));
    expect(decodeFrame(frame)).toMatchObject({ kind: 'update', marker: { client: doc.clientID, clock: 1 } });
    expect(encodeUpdateMessage(second)).toEqual(frame);
    expect(decodeFrame(syncMessage((e) => syncProtocol.writeSyncStep2(e, doc)))).toMatchObject({ kind: 'syncStep2' });
  });
});

describe('Writer', () => {
  it('writes each marker into the synced task as one item, found by the clock it got', async () => {
    // The server's document: a task made by lib (as the HTTP API does), seen by the writer in its sync step 2.
    const server = new Y.Doc();
    const taskId = addTask(oneDoc(server), { title: 'bench' }, 1);
    const sent: Uint8Array[] = [];
    const synced: Promise<SessionSynced> = Promise.resolve({ ms: 1, updates: [Y.encodeStateAsUpdate(server)] });
    const writer = new Writer({ send: (f) => sent.push(f), synced, close: async () => undefined }, taskId);
    await writer.ready();
    expect(sent).toEqual([]); // what it applied from the server is not sent back

    // Something else the writer's client wrote first: the first marker's clock is not 0.
    writer.doc.getText('scratch').insert(0, 'abc');
    const before = sent.length;
    const clocks = [writer.write(7), writer.write(8)];
    expect(clocks).toEqual([3, 4]);
    const markers = sent.slice(before).map((f) => decodeFrame(f));
    expect(markers).toEqual([
      expect.objectContaining({ kind: 'update', marker: { client: writer.clientId, clock: 3 } }),
      expect.objectContaining({ kind: 'update', marker: { client: writer.clientId, clock: 4 } }),
    ]);
    expect([writer.indexOf(3), writer.indexOf(4), writer.indexOf(2), writer.indexOf(5)]).toEqual([0, 1, -1, -1]);
    expect(writer.tagOf(1)).toBe(8);

    // The markers are schema-level edits of that task: its rank, nothing else.
    for (const f of sent) {
      const msg = decodeFrame(f);
      if (msg.kind === 'update') Y.applyUpdate(server, msg.update);
    }
    expect((tasksOf(oneDoc(server)).get(taskId) as Y.Map<unknown> | undefined)?.get('rank')).toBe(2);
    writer.destroy();
  });

  it('refuses to start when the task is not in the synced document', async () => {
    const synced: Promise<SessionSynced> = Promise.resolve({ ms: 1, updates: [Y.encodeStateAsUpdate(new Y.Doc())] });
    const writer = new Writer({ send: () => undefined, synced, close: async () => undefined }, 'AAAAAAAAAAAA');
    await expect(writer.ready()).rejects.toThrow('not in the synced document');
    writer.destroy();
  });
});
