/**
 * Server-owned state (settings, rotation, turns, decisions, the board, task history) lives in the
 * server document, which no client update reaches: not on its own connection, not through the
 * shared document, not parked for later. Every change to it carries a server origin, whatever
 * clients send; ordinary edits keep flowing, the timer keeps rotating, fresh clients converge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { isOrigin } from '../../lib/doc/origins';
import { decisionsOf, metaOf, rotationOf, turnsOf } from '../../lib/doc/schema';
import { joinMember, listMembers } from '../../lib/members';
import { CloseCode } from '../../lib/protocol/closeCodes';
import { METRIC } from '../../server/metrics';
import type { Room } from '../../server/yjs/room';
import { craftUpdate } from '../helpers/craft';
import { deniedReason, rawPeer, syncFrame } from '../helpers/raw';
import { api, createSession, startServer, type TestServer } from '../helpers/server';
import { connect, connectSession, synced, waitFor } from '../helpers/yclient';

let t: TestServer;
beforeAll(async () => {
  t = await startServer({ minTurnSeconds: 1 });
});
afterAll(async () => {
  await t.stop();
});

const refused = (reason: string) => t.server.metrics.value(METRIC.refused, { reason });

/** Records the origin of every transaction that changes the room's server document. */
function watchServerDoc(room: Room): { foreign: unknown[] } {
  const seen = { foreign: [] as unknown[] };
  room.docs.server.on('afterTransaction', (tr: Y.Transaction) => {
    if (tr.deleteSet.clients.size === 0 && tr.afterState.size === tr.beforeState.size && [...tr.afterState].every(([c, k]) => tr.beforeState.get(c) === k)) return;
    const o = tr.origin;
    if (!(isOrigin(o) && (o.source === 'server' || o.source === 'store'))) seen.foreign.push(o);
  });
  return seen;
}

async function busySession(name: string) {
  const s = await createSession(t.url, { name, turnSeconds: 1 });
  for (const who of ['Ada', 'Bob']) await api(t.url, `/api/sessions/${s.id}/members`, { body: { name: who } });
  expect((await api(t.url, `/api/sessions/${s.id}/timer`, { body: { action: 'start' } })).status).toBe(200);
  expect((await api(t.url, `/api/sessions/${s.id}/decisions`, { body: { title: 'Use Yjs', rationale: 'CRDTs' } })).status).toBe(201);
  const room = await t.server.rooms.get(s.id as never);
  return { s, room, watch: watchServerDoc(room) };
}

describe('server-owned state', () => {
  it('refuses every write on the server document’s own connection, visibly, with an edit link too', async () => {
    const { s, room, watch } = await busySession('Own connection');
    const before = Y.encodeStateVector(room.docs.server);
    const attempts: [string, (d: Y.Doc) => void][] = [
      ['overwrite the rotation state', (d) => rotationOf({ shared: d, server: d }).set('state', { turn: 99, driver: null, navigator: null, timer: { status: 'idle' } })],
      ['append a turn', (d) => turnsOf({ shared: d, server: d }).push([{ turn: 42 }])],
      ['insert a decision before the first', (d) => decisionsOf({ shared: d, server: d }).insert(0, [{ title: 'forged' }])],
      ['delete a decision', (d) => decisionsOf({ shared: d, server: d }).delete(0, 1)],
      ['rename the session', (d) => metaOf({ shared: d, server: d }).set('name', 'Hijacked')],
    ];
    for (const [what, write] of attempts) {
      const c = connect(t.wsUrl, `${s.id}/server`);
      await synced(c);
      await waitFor(() => decisionsOf({ shared: c.doc, server: c.doc }).length === 1, 'client has the server state');
      const n = refused('server_owned');
      write(c.doc);
      await waitFor(() => refused('server_owned') > n, `refused: ${what}`);
      c.destroy();
    }
    expect(Y.encodeStateVector(room.docs.server)).toEqual(before);
    expect(watch.foreign).toEqual([]);
  });

  it('refuses server-owned roots written into the shared document, closing that client (4403)', async () => {
    const { s, room, watch } = await busySession('Through shared');
    for (const root of ['rotation', 'meta', 'decisions', 'turns', 'board', 'progress']) {
      const c = connect(t.wsUrl, s.id);
      await synced(c);
      const codes: number[] = [];
      c.provider.on('connection-close', (e: CloseEvent | null) => {
        if (e) codes.push(e.code);
      });
      if (root === 'decisions' || root === 'turns') c.doc.getArray(root).push([{ forged: true }]);
      else c.doc.getMap(root).set('state', { turn: 99 });
      await waitFor(() => codes.length > 0, `closed after writing ${root}`);
      expect(codes[0], root).toBe(CloseCode.Forbidden);
      c.destroy();
    }
    expect([...room.docs.shared.share.keys()].filter((k) => k !== 'members' && k !== 'tasks')).toEqual([]);
    expect(watch.foreign).toEqual([]);
  });

  it('refuses parked items and future deletes, so later server writes at those clocks stay the server’s', async () => {
    const { s, room, watch } = await busySession('Parked');
    const serverClient = room.docs.server.clientID;
    const sharedClient = room.docs.shared.clientID;
    const next = Y.getState(room.docs.server.store, serverClient);
    // Items and deletions at the clocks the server writes next, waiting for what never arrives.
    const parked = [
      craftUpdate([[serverClient, [{ clock: next + 1, origin: [424242, 7], content: { kind: 'any', values: [{ title: 'forged', author: 'Alice' }] } }]]]),
      craftUpdate([], [[serverClient, next, 5]]),
      craftUpdate([[sharedClient, [{ clock: Y.getState(room.docs.shared.store, sharedClient) + 3, parent: 'members', sub: 'AAAAAAAAAAAA', content: { kind: 'type', ref: 1 } }]]]),
      craftUpdate([], [[sharedClient, Y.getState(room.docs.shared.store, sharedClient), 50]]),
    ];
    for (const [i, u] of parked.entries()) {
      for (const path of [s.id, `${s.id}/server`]) {
        const peer = await rawPeer(`${t.wsUrl}/${path}`);
        await waitFor(() => peer.ofType(0).length > 0, 'joined');
        const before = peer.ofType(0).length;
        peer.send(syncFrame(2, u));
        // Refused: denied, closed, or (an edit that depends on what the server lacks) answered with a resync request.
        await waitFor(() => peer.ofType(2).length > 0 || peer.closed !== null || peer.ofType(0).length > before, `update ${i} refused on ${path}`);
        peer.close();
      }
    }
    expect(room.docs.server.store.pendingStructs).toBeNull();
    expect(room.docs.server.store.pendingDs).toBeNull();
    expect(room.docs.shared.store.pendingStructs).toBeNull();
    // The server now writes at exactly those clocks: a decision (201) stays, stamped by the server.
    const d = await api<{ id: string; author: string }>(t.url, `/api/sessions/${s.id}/decisions`, { body: { title: 'Real', rationale: 'server write' } });
    expect(d.status).toBe(201);
    await api(t.url, `/api/sessions/${s.id}/timer`, { body: { action: 'skip' } });
    const titles = decisionsOf(room.docs).toArray().map((x) => (x as { title: string }).title);
    expect(titles).toEqual(['Use Yjs', 'Real']);
    expect(watch.foreign).toEqual([]);
  });

  it('refuses an overlapping re-send of the server’s newest item on either document', async () => {
    const { s, room, watch } = await busySession('Overlap');
    for (const [path, doc] of [
      [`${s.id}/server`, room.docs.server],
      [s.id, room.docs.shared],
    ] as const) {
      const client = doc.clientID;
      const last = Y.getState(doc.store, client) - 1;
      const u = craftUpdate([[client, [{ clock: last, parent: 'members', sub: 'BBBBBBBBBBBB', content: { kind: 'any', values: [1, 2] } }]]]);
      const peer = await rawPeer(`${t.wsUrl}/${path}`);
      await waitFor(() => peer.ofType(0).length > 0, 'joined');
      peer.send(syncFrame(2, u));
      await waitFor(() => peer.ofType(2).length > 0 || peer.closed !== null, `refused on ${path}`);
      expect(peer.ofType(2).map(deniedReason).join(' ') + String(peer.closed?.reason)).toMatch(/.+/);
      peer.close();
    }
    expect((await api(t.url, `/api/sessions/${s.id}`)).status).toBe(200);
    expect(watch.foreign).toEqual([]);
  });

  it('accepts a reconnecting client whose full sync step 2 carries only its own edits', async () => {
    const s = await createSession(t.url);
    await api(t.url, `/api/sessions/${s.id}/decisions`, { body: { title: 'First', rationale: 'why' } });
    const c = connectSession(t.wsUrl, s.id);
    await c.synced();
    await waitFor(() => decisionsOf(c.docs).length === 1, 'synced decision');
    c.shared.provider.disconnect();
    joinMember(c.docs, 'Typed offline', 1);
    await api(t.url, `/api/sessions/${s.id}/decisions`, { body: { title: 'Second', rationale: 'why' } });
    const n = refused('schema');
    c.shared.provider.connect();
    const room = await t.server.rooms.get(s.id as never);
    await waitFor(() => listMembers(room.docs).some((m) => m.name === 'Typed offline'), 'offline edits arrive');
    await waitFor(() => decisionsOf(c.docs).length === 2, 'client catches up');
    expect(refused('schema')).toBe(n);
    c.destroy();
  });
});
