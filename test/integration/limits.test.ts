/**
 * Every limit, crossed once: the named close code or status comes back, and the session keeps working.
 */
import * as Y from 'yjs';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Limits } from '../../server/config';
import { CloseCode } from '../../lib/protocol/closeCodes';
import { METRIC } from '../../server/metrics';
import { api, createSession, startServer, type TestServer } from '../helpers/server';
import { awarenessFrame, rawPeer, syncFrame } from '../helpers/raw';
import { connect, synced, waitFor } from '../helpers/yclient';
import { LIMITS } from '../../lib/doc/schema';
import { findMemberByName, joinMember } from '../../lib/members';
import { addTask } from '../../lib/task';

/** A schema-valid update of about `bytes`: new tasks with full "why" texts, from a fresh client. */
function bigUpdate(bytes: number): Uint8Array {
  const docs = { shared: new Y.Doc(), server: new Y.Doc() };
  for (let n = 0; n * LIMITS.taskWhy < bytes; n++) addTask(docs, { title: `bulk ${n}`, why: 'x'.repeat(LIMITS.taskWhy) }, 1);
  return Y.encodeStateAsUpdate(docs.shared);
}

let t: TestServer;
beforeAll(async () => {
  t = await startServer({
    limits: Limits.parse({
      maxFrameBytes: 64 * 1024,
      maxBodyBytes: 4 * 1024,
      maxDocBytes: 200 * 1024,
      messagesPerSecond: 20,
      messageBurst: 50,
      maxAwarenessBytes: 2 * 1024,
      awarenessPerSecond: 1,
      awarenessBurst: 3,
      maxConnectionsPerIp: 12,
      maxBufferedBytes: 64 * 1024,
      byteBurst: 64 * 1024 * 1024,
      httpWriteBurst: 60,
      httpWritesPerSecond: 1,
      bytesPerSecond: 64 * 1024 * 1024,
    }),
    allowedOrigins: ['http://trusted.example'],
  });
});
afterAll(async () => {
  await t.stop();
});

async function stillSyncs(id: string) {
  const a = connect(t.wsUrl, id);
  const b = connect(t.wsUrl, id);
  await Promise.all([synced(a), synced(b)]);
  const name = `Check ${Math.random().toString(36).slice(2, 8)}`;
  joinMember(a.docs, name, 1);
  await waitFor(() => findMemberByName(b.docs, name) !== null, 'session still syncs');
  a.destroy();
  b.destroy();
}

const closedWith = async (peer: Awaited<ReturnType<typeof rawPeer>>) => {
  await waitFor(() => peer.closed !== null, 'socket closed');
  return peer.closed?.code;
};

describe('limits', () => {
  it('closes a frame over MAX_FRAME_BYTES with 4413', async () => {
    const s = await createSession(t.url);
    const peer = await rawPeer(`${t.wsUrl}/${s.id}`);
    peer.send(new Uint8Array(64 * 1024 + 1));
    expect(await closedWith(peer)).toBe(CloseCode.MessageTooBig);
    await stillSyncs(s.id);
  });

  it('answers a body over MAX_BODY_BYTES with 413', async () => {
    const r = await api<{ error: string }>(t.url, '/api/sessions', { raw: JSON.stringify({ name: 'x'.repeat(5000) }) });
    expect(r.status).toBe(413);
    expect(r.body.error).toMatch(/larger than 4096 bytes/);
  });

  it('refuses writes that would grow the document past its cap with 4414', async () => {
    const s = await createSession(t.url);
    const peer = await rawPeer(`${t.wsUrl}/${s.id}`);
    for (let i = 0; i < 10 && !peer.closed; i++) {
      peer.send(syncFrame(2, bigUpdate(40 * 1024)));
      await waitFor(() => peer.ofType(0).length > 0, 'server hello');
    }
    expect(await closedWith(peer)).toBe(CloseCode.DocumentTooLarge);
    await stillSyncs(s.id);
  });

  it('closes a connection that sends faster than its message budget with 4008', async () => {
    const s = await createSession(t.url);
    const peer = await rawPeer(`${t.wsUrl}/${s.id}`);
    for (let i = 0; i < 200; i++) peer.send(new Uint8Array([3])); // query awareness, cheap and valid
    expect(await closedWith(peer)).toBe(CloseCode.RateLimited);
    await stillSyncs(s.id);
  });

  it('closes an oversized presence state with 4413 and drops presence past its rate', async () => {
    const s = await createSession(t.url);
    const big = await rawPeer(`${t.wsUrl}/${s.id}`);
    big.send(awarenessFrame([{ clientId: 7001, clock: 1, state: { blob: 'x'.repeat(3000) } }]));
    expect(await closedWith(big)).toBe(CloseCode.MessageTooBig);
    const chatty = await rawPeer(`${t.wsUrl}/${s.id}`);
    const before = t.server.metrics.value(METRIC.refused, { reason: 'awareness_rate' });
    for (let clock = 1; clock <= 10; clock++) chatty.send(awarenessFrame([{ clientId: 7002, clock, state: { n: clock } }]));
    await waitFor(() => t.server.metrics.value(METRIC.refused, { reason: 'awareness_rate' }) >= before + 6, 'rate refusals counted');
    expect(chatty.closed).toBeNull();
    chatty.close();
  });

  it('refuses connections past the per-address cap with 4029', async () => {
    const s = await createSession(t.url);
    const peers = [];
    for (let i = 0; i < 12; i++) peers.push(await rawPeer(`${t.wsUrl}/${s.id}`));
    const extra = await rawPeer(`${t.wsUrl}/${s.id}`);
    expect(await closedWith(extra)).toBe(CloseCode.TooManyConnections);
    for (const p of peers) p.close();
    await waitFor(() => t.server.metrics.value('mobflow_ws_connections') === 0, 'connections released');
    await stillSyncs(s.id);
  });

  it('counts socket.io connections against the same per-address cap: 1,500 attempts stop at it', async () => {
    const s = await createSession(t.url);
    const peers = [];
    for (let i = 0; i < 4; i++) peers.push(await rawPeer(`${t.wsUrl}/${s.id}`));
    const outcomes: string[] = [];
    const sockets = [];
    for (let batch = 0; batch < 15; batch++) {
      const opened = Array.from({ length: 100 }, () => io(t.url, { transports: ['websocket'], auth: { room: s.id }, reconnection: false }));
      sockets.push(...opened);
      outcomes.push(
        ...(await Promise.all(
          opened.map(
            (sock) =>
              new Promise<string>((resolve) => {
                sock.on('connect', () => resolve('connected'));
                sock.on('connect_error', (e) => resolve(e.message));
              }),
          ),
        )),
      );
    }
    expect(outcomes).toHaveLength(1500);
    // 12 per address: the 4 Yjs sockets leave room for 8 socket.io ones; the rest are refused.
    expect(outcomes.filter((o) => o === 'connected')).toHaveLength(8);
    expect(outcomes.filter((o) => /too many connections/.test(o))).toHaveLength(1492);
    for (const sock of sockets) sock.close();
    for (const p of peers) p.close();
    await waitFor(() => t.server.metrics.value('mobflow_ws_connections') === 0, 'connections released');
  });

  it('closes a slow consumer whose send buffer passes the bound with 4009', async () => {
    // The writer may send fast here: what is under test is the reader that stopped reading.
    const big = await startServer({ limits: Limits.parse({ maxBufferedBytes: 64 * 1024, messageBurst: 5_000, messagesPerSecond: 5_000, byteBurst: 64 * 1024 * 1024, bytesPerSecond: 64 * 1024 * 1024 }) });
    const s = await createSession(big.url);
    const slow = await rawPeer(`${big.wsUrl}/${s.id}`);
    // Stop reading: the kernel buffers fill, then the server's send buffer grows.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const writer = connect(big.wsUrl, s.id);
    await synced(writer);
    const slowClosed = () => big.server.metrics.value(METRIC.closed, { code: CloseCode.SlowConsumer }) >= 1;
    // Bounded: at most 600 updates of 16 KiB (about 10 MB) before the bound must have been hit.
    for (let i = 0; i < 600 && !slowClosed(); i++) {
      writer.doc.transact(() => {
        for (let k = 0; k < 8; k++) addTask(writer.docs, { title: `bulk ${i}.${k}`, why: 'y'.repeat(LIMITS.taskWhy) }, 1);
      });
      await new Promise((r) => setImmediate(r));
    }
    await waitFor(slowClosed, 'slow consumer closed');
    writer.destroy();
    slow.ws.terminate();
    await big.stop();
  });

  it('refuses sockets from other sites (Origin) with 4403, and socket.io handshakes too', async () => {
    const s = await createSession(t.url);
    const evil = await rawPeer(`${t.wsUrl}/${s.id}`, { origin: 'http://evil.example' });
    expect(await closedWith(evil)).toBe(CloseCode.Forbidden);
    const trusted = await rawPeer(`${t.wsUrl}/${s.id}`, { origin: 'http://trusted.example' });
    const same = await rawPeer(`${t.wsUrl}/${s.id}`, { origin: t.url });
    await waitFor(() => trusted.ofType(0).length > 0 && same.ofType(0).length > 0, 'allowed origins served');
    trusted.close();
    same.close();

    const sock = io(t.url, { transports: ['websocket'], auth: { room: s.id }, extraHeaders: { origin: 'http://evil.example' }, reconnection: false });
    const outcome = await new Promise<string>((resolve) => {
      sock.on('connect', () => resolve('connected'));
      sock.on('connect_error', (e) => resolve(`refused: ${e.message}`));
    });
    sock.close();
    expect(outcome).toMatch(/^refused/);
  });

  it('answers HTTP writes past the per-address budget with 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 80; i++) statuses.push((await api(t.url, '/api/sessions', { body: { name: `s${i}` } })).status);
    expect(statuses).toContain(429);
    const r = await api<{ error: string }>(t.url, '/api/sessions', { body: {} });
    expect(r).toMatchObject({ status: 429, body: { error: 'too many requests: slow down' } });
    expect((await api(t.url, '/healthz')).status).toBe(200);
  });

  it('sends security headers on every response', async () => {
    const res = await fetch(`${t.url}/healthz`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });
});
