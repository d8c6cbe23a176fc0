/**
 * Graceful shutdown: everything is flushed, clients are told to reconnect (1001), and close() does
 * not hang on open sockets (it once waited for the clients' 30 s watchdog). And start-up: a second
 * server on a data directory that is in use says so in one line and exits 1.
 */
import { io } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { CloseCode } from '../../lib/protocol/closeCodes';
import { findMemberByName, joinMember } from '../../lib/members';
import { startChild } from '../helpers/child';
import { createSession, startServer, tempDir } from '../helpers/server';
import { connect, synced, waitFor } from '../helpers/yclient';

describe('shutdown', () => {
  it('flushes, sends GoingAway to Yjs clients and finishes with sockets still open', { timeout: 10_000 }, async () => {
    const dataDir = tempDir();
    const t = await startServer({ dataDir });
    const s = await createSession(t.url);
    const c = connect(t.wsUrl, s.id);
    await synced(c);
    const codes: number[] = [];
    c.provider.on('connection-close', (e: CloseEvent | null) => {
      if (e) codes.push(e.code);
    });
    const sock = io(t.url, { transports: ['websocket'], auth: { room: s.id }, reconnection: false });
    await new Promise<void>((resolve) => sock.on('connect', () => resolve()));
    joinMember(c.docs, 'Last write', 1);
    const room = await t.server.rooms.get(s.id as never);
    await waitFor(() => findMemberByName(room.docs, 'Last write') !== null, 'server has the write');
    await t.server.close();
    await waitFor(() => codes.length > 0, 'client told');
    expect(codes[0]).toBe(CloseCode.GoingAway);
    c.destroy();
    sock.close();
    const again = await startServer({ dataDir });
    const d = connect(again.wsUrl, s.id);
    await synced(d);
    expect(findMemberByName(d.docs, 'Last write')).not.toBeNull();
    d.destroy();
    await again.server.close();
  });

  it('refuses to start a second server on a data directory in use, with one readable line and exit code 1', { timeout: 60_000 }, async () => {
    const dataDir = tempDir();
    const first = await startChild(dataDir);
    try {
      const second = startChild(dataDir);
      await expect(second).rejects.toThrow(/exited with 1: .*could not start: data directory .* is in use by another Mobflow server/s);
      await expect(second).rejects.not.toThrow(/\n\s+at /); // no stack trace
      // The first one is unaffected.
      expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
    } finally {
      await first.kill('SIGTERM');
    }
  });
});
