/**
 * A client edit that builds on changes the server never stored (its last connection's room failed,
 * or its instance went away before storing them): the server parks nothing, asks the client for a
 * resync (its sync step 1), and stores everything once the client answers; a client that keeps
 * sending what cannot apply for longer than the grace is closed with 4412.
 */
import * as decoding from 'lib0/decoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '../../lib/protocol/closeCodes';
import { writeKey, writtenKeys } from '../helpers/ackClient';
import { rawPeer, syncFrame } from '../helpers/raw';
import { createSession, startServer, type TestServer } from '../helpers/server';
import { connect, waitFor } from '../helpers/yclient';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
afterAll(async () => {
  await t.stop();
});

/** Sync step 1 messages (type 0, sub 0) among a raw peer's frames, decoded to state vectors. */
function stepOnes(frames: Uint8Array[]): Uint8Array[] {
  return frames.flatMap((f) => {
    const d = decoding.createDecoder(f);
    if (decoding.readVarUint(d) !== 0 || decoding.readVarUint(d) !== 0) return [];
    return [decoding.readVarUint8Array(d)];
  });
}

/** Two edits of one client: the second builds on the first. */
function twoEdits(): { doc: Y.Doc; first: Uint8Array; second: Uint8Array } {
  const doc = new Y.Doc();
  const first: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => first.push(u));
  writeKey(doc, 'never stored', 1);
  writeKey(doc, 'sent first', 2);
  return { doc, first: first[0] as Uint8Array, second: first[1] as Uint8Array };
}

describe('an edit that depends on changes the server lacks', () => {
  it('asks the client for a resync and stores everything once it answers', async () => {
    const s = await createSession(t.url);
    const peer = await rawPeer(`${t.wsUrl}/${s.id}`);
    await waitFor(() => stepOnes(peer.frames).length === 1, 'the join sync step 1');
    const { doc, second } = twoEdits();
    peer.send(syncFrame(2, second)); // an update (sync step 2 framing) without the edit it builds on
    await waitFor(() => stepOnes(peer.frames).length === 2, 'a resync request');
    expect(peer.closed).toBeNull();
    // The client answers as y-websocket does: everything the server's state vector lacks.
    const vector = stepOnes(peer.frames)[1] as Uint8Array;
    peer.send(syncFrame(1, Y.encodeStateAsUpdate(doc, vector)));
    const check = connect(t.wsUrl, s.id);
    await waitFor(() => check.provider.synced && writtenKeys(check.doc).size === 2, 'both edits stored');
    expect(peer.closed).toBeNull();
    check.destroy();
    peer.close();
  });

  it('closes a client that keeps sending what cannot apply, once the grace has passed (4412)', async () => {
    // The server's clock is moved by hand: the grace is time, so the test waits for none.
    let offset = 0;
    const clocked = await startServer({}, { clock: { now: () => Date.now() + offset } });
    try {
      const s = await createSession(clocked.url);
      const peer = await rawPeer(`${clocked.wsUrl}/${s.id}`);
      const { second } = twoEdits();
      const sendUnresolved = async (n: number) => {
        for (let i = 0; i < n && !peer.closed; i++) {
          peer.send(syncFrame(2, second));
          await new Promise((r) => setTimeout(r, 10));
        }
      };
      // Many in a row within the grace: each answered with a resync request, the connection stays.
      await sendUnresolved(12);
      await waitFor(() => stepOnes(peer.frames).length >= 12, 'resync requests');
      expect(peer.closed).toBeNull();
      // Past the grace (limits.unresolvedGraceMs, 20 s by default), still nothing that applies: closed.
      offset += 20_001;
      await sendUnresolved(1);
      await waitFor(() => peer.closed !== null, 'closed');
      expect(peer.closed?.code).toBe(CloseCode.UnresolvedUpdate);
    } finally {
      await clocked.stop();
    }
  });
});
