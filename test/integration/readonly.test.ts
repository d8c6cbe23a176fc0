/**
 * The watch link is read-only, enforced by the server: writes through it are refused and visible,
 * and the session's state vector never moves because of them.
 */
import { io } from 'socket.io-client';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC } from '../../server/metrics';
import { api, createSession, startServer, type TestServer } from '../helpers/server';
import { awarenessFrame, deniedReason, rawPeer, syncFrame } from '../helpers/raw';
import { connect, synced, waitFor } from '../helpers/yclient';
import { findMemberByName, joinMember } from '../../lib/members';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
afterAll(async () => {
  await t.stop();
});

const serverVector = async (id: string) => {
  const room = await t.server.rooms.get(id as never);
  return [Y.encodeStateVector(room.docs.shared), Y.encodeStateVector(room.docs.server)];
};

describe('read-only view link', () => {
  it('syncs the session to a watcher and refuses every write it attempts, visibly', async () => {
    const s = await createSession(t.url, { name: 'Watched' });
    const editor = connect(t.wsUrl, s.id);
    await synced(editor);
    joinMember(editor.docs, 'From the editor', 1);
    const watcher = connect(t.wsUrl, s.viewToken);
    await synced(watcher);
    await waitFor(() => findMemberByName(watcher.docs, 'From the editor') !== null, 'watcher sees the session');
    const before = await serverVector(s.id);
    const refusedBefore = t.server.metrics.value(METRIC.refused, { reason: 'read_only' });

    // A full provider: its local edits go out as updates and are refused.
    joinMember(watcher.docs, 'From the watcher', 1);
    // A raw peer: a forged update, a sync step 2 with new content, a sync step 1 (answered).
    const raw = await rawPeer(`${t.wsUrl}/${s.viewToken}`);
    const forged = new Y.Doc();
    forged.getText('t').insert(0, 'sneaky');
    raw.send(syncFrame(2, Y.encodeStateAsUpdate(forged)));
    raw.send(syncFrame(1, Y.encodeStateAsUpdate(forged)));
    raw.send(syncFrame(0, Y.encodeStateVector(new Y.Doc())));
    await waitFor(() => raw.ofType(2).length >= 2, 'two permission-denied replies');
    await waitFor(() => raw.ofType(0).length >= 2, 'sync step 1 answered (plus the server step 1)');
    expect(deniedReason(raw.ofType(2)[0] as Uint8Array)).toMatch(/read-only/);
    await waitFor(() => t.server.metrics.value(METRIC.refused, { reason: 'read_only' }) >= refusedBefore + 3, 'refusals counted');
    // A new connection's empty sync step 2 is not a write: after one more watcher connects, still
    // exactly the three refusals above.
    const another = connect(t.wsUrl, s.viewToken);
    await synced(another);
    await waitFor(() => another.doc.getMap('members').size > 0, 'second watcher synced');
    expect(t.server.metrics.value(METRIC.refused, { reason: 'read_only' })).toBe(refusedBefore + 3);
    another.destroy();

    expect(await serverVector(s.id)).toEqual(before);
    const fresh = connect(t.wsUrl, s.id);
    await synced(fresh);
    expect(findMemberByName(fresh.docs, 'From the watcher')).toBeNull();
    expect(fresh.doc.getText('t').toString()).toBe('');
    for (const c of [editor, watcher, fresh]) c.destroy();
    raw.close();
  });

  it('refuses awareness for a client id that belongs to another connection', async () => {
    const s = await createSession(t.url);
    const editor = connect(t.wsUrl, s.id);
    await synced(editor);
    editor.provider.awareness.setLocalStateField('user', { memberId: null, name: 'Ada', watching: false });
    const raw = await rawPeer(`${t.wsUrl}/${s.viewToken}`);
    await waitFor(() => raw.ofType(1).length > 0, 'watcher got presence');
    raw.send(awarenessFrame([{ clientId: editor.doc.clientID, clock: 999, state: { user: { memberId: null, name: 'Mallory', watching: false } } }]));
    await waitFor(() => raw.ofType(2).length > 0, 'refusal');
    expect(deniedReason(raw.ofType(2)[0] as Uint8Array)).toMatch(/own client id/);
    const room = await t.server.rooms.get(s.id as never);
    expect((room.awareness.getStates().get(editor.doc.clientID) as { user: { name: string } }).user.name).toBe('Ada');
    // Its own presence is fine (watchers are listed as watching).
    raw.send(awarenessFrame([{ clientId: 4242, clock: 1, state: { user: { memberId: null, name: 'Pat', watching: true } } }]));
    await waitFor(() => room.awareness.getStates().has(4242), 'own presence accepted');
    editor.destroy();
    raw.close();
  });

  it('refuses every socket.io command on a view socket, readably, and changes nothing', async () => {
    const s = await createSession(t.url);
    await api(t.url, `/api/sessions/${s.id}/members`, { body: { name: 'Ada' } });
    const before = await serverVector(s.id);
    const sock = io(t.url, { transports: ['websocket'], auth: { room: s.viewToken }, reconnection: false });
    await new Promise<void>((resolve, reject) => {
      sock.on('connect', () => resolve());
      sock.on('connect_error', reject);
    });
    const attempts: [string, unknown][] = [
      ['timer:action', { action: 'start' }],
      ['timer:action', { action: 'skip' }],
      ['timer:settings', { turnSeconds: 600 }],
      ['decision:log', { title: 'Sneaky', rationale: 'from a watcher' }],
      ['member:join', { name: 'Mallory' }],
      ['task:complete', {}],
      ['task:switch', { to: 'AAAAAAAAAAAA', reason: 'x' }],
      ['task:reopen', { taskId: 'AAAAAAAAAAAA' }],
    ];
    for (const [event, payload] of attempts) {
      const reply = (await sock.timeout(5000).emitWithAck(event as 'timer:action', payload as never)) as { ok: boolean; error?: string };
      expect(reply, event).toMatchObject({ ok: false });
      expect(reply.error, event).toMatch(/read-only/);
    }
    // Clock sync is not a write: watchers get it.
    const clock = (await sock.timeout(5000).emitWithAck('clock:ping')) as { ok: boolean };
    expect(clock.ok).toBe(true);
    sock.close();
    expect(await serverVector(s.id)).toEqual(before);
  });

  it('answers a view token on an edit route like an unknown link (404), and any write under /api/view with 403', async () => {
    const s = await createSession(t.url);
    for (const path of ['members', 'tasks', 'timer', 'decisions', 'links', 'tasks/complete']) {
      const edit = await api<{ error: string }>(t.url, `/api/sessions/${s.viewToken}/${path}`, { body: { name: 'x', title: 'x', action: 'start', rationale: 'x' } });
      expect(edit.status, `/api/sessions/…/${path}`).toBe(404);
      expect(edit.body.error).toBe('no such session');
      const view = await api<{ error: string }>(t.url, `/api/view/${s.viewToken}/${path}`, { body: { name: 'x', title: 'x', action: 'start', rationale: 'x' } });
      expect(view.status, `/api/view/…/${path}`).toBe(403);
      expect(view.body.error).toMatch(/read-only/);
    }
    const snap = await api<{ members: unknown[]; task: unknown; decisionCount: number }>(t.url, `/api/view/${s.viewToken}`);
    expect(snap.body).toMatchObject({ members: [], task: null, decisionCount: 0 });
  });
});
