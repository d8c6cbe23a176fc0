/**
 * Broadcasts go out as one frame made once per room and written to every subscriber's socket
 * (server/yjs/socket.ts): they must reach each peer intact, in order, and interleave cleanly with
 * the replies the server sends that peer alone.
 */
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../lib/doc/schema';
import { addTask } from '../../lib/task';
import { rawPeer, syncFrame } from '../helpers/raw';
import { createSession, startServer, type TestServer } from '../helpers/server';
import { waitFor } from '../helpers/yclient';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
afterAll(async () => {
  await t.stop();
});

/** Broadcast message lengths at each edge of the WebSocket length encodings (RFC 6455 §5.2). */
const TARGETS = [125, 126, 127, 65_535, 65_536, 65_537, 200_000];

/**
 * A schema-valid update from client `clientID` whose update message is exactly `length` bytes: new
 * tasks whose "why" texts (at most 2,000 characters each) add up to about `length`.
 */
function updateOfLength(clientID: number, key: string, length: number): Uint8Array {
  const make = (n: number) => {
    const doc = new Y.Doc();
    doc.clientID = clientID;
    const docs = { shared: doc, server: new Y.Doc() };
    for (let left = n, i = 0; left > 0 || i === 0; left -= LIMITS.taskWhy, i++) {
      addTask(docs, { title: `${key}-${i}`, why: 'x'.repeat(Math.max(0, Math.min(LIMITS.taskWhy, left))) }, 1);
    }
    return Y.encodeStateAsUpdate(doc);
  };
  let n = length;
  // The overhead grows with the varint lengths, so settle in a few steps.
  for (let size = syncFrame(2, make(n)).byteLength; size !== length; size = syncFrame(2, make(n)).byteLength) n += length - size;
  const update = make(n);
  expect(syncFrame(2, update).byteLength).toBe(length);
  return update;
}

/** The update inside a sync "update" message, or null for any other message. */
function updateIn(frame: Uint8Array): Uint8Array | null {
  const d = decoding.createDecoder(frame);
  if (decoding.readVarUint(d) !== 0 || decoding.readVarUint(d) !== 2) return null;
  return decoding.readVarUint8Array(d);
}

describe('room broadcasts', () => {
  it('reach every other peer byte for byte and in order, across every frame length class', async () => {
    const s = await createSession(t.url);
    const writer = await rawPeer(`${t.wsUrl}/${s.id}`);
    const readers = [await rawPeer(`${t.wsUrl}/${s.id}`), await rawPeer(`${t.wsUrl}/${s.id}`)];
    await waitFor(() => [writer, ...readers].every((p) => p.ofType(0).length > 0), 'joined');
    const before = readers.map((r) => r.frames.length);

    const sent = TARGETS.map((length, i) => updateOfLength(1000 + i, `k${i}`, length));
    for (const [i, update] of sent.entries()) {
      writer.send(syncFrame(2, update));
      // The reader's own request makes the server answer it alone, between broadcasts.
      (readers[i % 2] as (typeof readers)[number]).send(syncFrame(0, new Uint8Array([0])));
    }

    for (const [r, reader] of readers.entries()) {
      const updates = () => reader.frames.slice(before[r]).map(updateIn).filter((u) => u !== null);
      await waitFor(() => updates().length === sent.length, 'every broadcast received');
      expect(updates()).toEqual(sent);
      const replies = reader.frames.slice(before[r]).filter((f) => f[0] === 0 && f[1] === 1);
      expect(replies.length).toBeGreaterThan(0);
      expect(reader.closed).toBeNull();
    }
    expect(writer.frames.map(updateIn).filter((u) => u !== null)).toEqual([]);
    for (const p of [writer, ...readers]) p.close();
  });
});
