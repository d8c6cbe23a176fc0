/**
 * Server-owned state (timer/rotation, turn history, decision log, session meta) cannot be written
 * by clients through Yjs, whatever shape the update takes; ordinary edits still flow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionsOf, metaOf, rotationOf, turnsOf } from '../../lib/doc/schema';
import { CloseCode } from '../../lib/protocol/closeCodes';
import { METRIC } from '../../server/metrics';
import { api, createSession, startServer, type TestServer } from '../helpers/server';
import { connect, synced, waitFor } from '../helpers/yclient';
import type * as Y from 'yjs';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
afterAll(async () => {
  await t.stop();
});

const refusals = () => t.server.metrics.value(METRIC.refused, { reason: 'server_owned' });
const dump = (doc: Y.Doc) => JSON.stringify([rotationOf(doc).toJSON(), turnsOf(doc).toJSON(), decisionsOf(doc).toJSON(), metaOf(doc).toJSON()]);

describe('server-owned roots', () => {
  it('refuses client writes to rotation, turns, decisions and meta (closing that client), and keeps accepting other edits', async () => {
    const s = await createSession(t.url, { name: 'Owned' });
    await api(t.url, `/api/sessions/${s.id}/members`, { body: { name: 'Ada' } });
    await api(t.url, `/api/sessions/${s.id}/members`, { body: { name: 'Bob' } });
    expect((await api(t.url, `/api/sessions/${s.id}/timer`, { body: { action: 'start' } })).status).toBe(200);
    expect((await api(t.url, `/api/sessions/${s.id}/timer`, { body: { action: 'skip' } })).status).toBe(200);
    expect((await api(t.url, `/api/sessions/${s.id}/decisions`, { body: { title: 'Use Yjs', rationale: 'CRDTs' } })).status).toBe(201);
    const room = await t.server.rooms.get(s.id as never);
    const before = dump(room.doc);

    const attempts: [string, (doc: Y.Doc) => void][] = [
      ['overwrite the rotation state', (d) => rotationOf(d).set('state', { turn: 99, driver: null, navigator: null, timer: { status: 'idle' } })],
      ['append a turn', (d) => turnsOf(d).push([{ turn: 42 } as never])],
      ['insert a decision before the first', (d) => decisionsOf(d).insert(0, [{ title: 'forged' } as never])],
      ['append a decision', (d) => decisionsOf(d).push([{ title: 'forged' } as never])],
      ['delete a decision', (d) => decisionsOf(d).delete(0, 1)],
      ['rename the session', (d) => metaOf(d).set('name', 'Hijacked')],
    ];
    for (const [what, write] of attempts) {
      const c = connect(t.wsUrl, s.id);
      await synced(c);
      await waitFor(() => decisionsOf(c.doc).length === 1 && turnsOf(c.doc).length >= 1, 'client has the server state');
      const codes: number[] = [];
      c.provider.on('connection-close', (e: CloseEvent | null) => {
        if (e) codes.push(e.code);
      });
      const n = refusals();
      write(c.doc);
      await waitFor(() => refusals() > n && codes.length > 0, `refused: ${what}`);
      expect(codes[0], what).toBe(CloseCode.Forbidden);
      c.destroy();
    }
    const ok = connect(t.wsUrl, s.id);
    await synced(ok);
    ok.doc.getMap('scratch').set('ok', true);
    await waitFor(() => room.doc.getMap('scratch').get('ok') === true, 'ordinary edit applied');
    expect(dump(room.doc)).toBe(before);
    ok.destroy();
  });

  it('accepts a reconnecting client whose full sync step 2 carries only its own edits', async () => {
    const s = await createSession(t.url);
    await api(t.url, `/api/sessions/${s.id}/decisions`, { body: { title: 'First', rationale: 'why' } });
    const c = connect(t.wsUrl, s.id);
    await synced(c);
    await waitFor(() => decisionsOf(c.doc).length === 1, 'synced decision');
    c.provider.disconnect();
    c.doc.getText('notes').insert(0, 'typed while offline');
    await api(t.url, `/api/sessions/${s.id}/decisions`, { body: { title: 'Second', rationale: 'why' } });
    const n = refusals();
    c.provider.connect();
    const room = await t.server.rooms.get(s.id as never);
    await waitFor(() => room.doc.getText('notes').toString() === 'typed while offline', 'offline edits arrive');
    await waitFor(() => decisionsOf(c.doc).length === 2, 'client catches up');
    expect(refusals()).toBe(n);
    c.destroy();
  });
});
