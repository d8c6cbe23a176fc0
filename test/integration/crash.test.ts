/**
 * Durable before acknowledged. Writers write while the server child is SIGKILLed and restarted on
 * the same DATA_DIR and port, CRASH_CYCLES times (20 by default; scripts/soak.ts runs hundreds):
 *  - no write the server acknowledged as saved is ever lost, nor anything an observer received;
 *  - after reconnecting, every client converges to the same state, holding every write of every writer.
 */
import * as Y from 'yjs';
import { afterAll, describe, expect, it } from 'vitest';
import { ackClient, type AckClient, writtenKeys } from '../helpers/ackClient';
import { type ChildServer, startChild } from '../helpers/child';
import { freePort } from '../helpers/port';
import { createSession, tempDir } from '../helpers/server';
import { connect, waitFor, type YClient } from '../helpers/yclient';

const CYCLES = Number(process.env.CRASH_CYCLES ?? 20);
let server: ChildServer | undefined;
const clients: { destroy(): void }[] = [];
afterAll(async () => {
  for (const c of clients) c.destroy();
  await server?.kill('SIGKILL');
});

describe('crash safety', () => {
  it(`loses nothing acknowledged across ${CYCLES} SIGKILL/restart cycles, and converges`, async () => {
    const dataDir = tempDir();
    const port = await freePort();
    server = await startChild(dataDir, {}, port);
    const s = await createSession(server.url);
    const writers: AckClient[] = [0, 1, 2].map(() => ackClient(server?.wsUrl ?? '', s.id));
    const observer: YClient = connect(server.wsUrl, s.id);
    clients.push(...writers, observer);
    const written: string[] = [];
    const mustSurvive = new Set<string>();
    const live = () => writers.every((w) => w.provider.synced) && observer.provider.synced;

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      await waitFor(live, `cycle ${cycle}: everyone reconnected`, 30_000);
      // Bounded writing until the kill: at most 300 writes per writer per cycle.
      let writing = true;
      const loops = writers.map((w, i) =>
        (async () => {
          for (let n = 0; writing && n < 300; n++) {
            const key = `c${cycle}-w${i}-${n}`;
            w.write(key, n);
            written.push(key);
            await new Promise((r) => setImmediate(r));
          }
        })(),
      );
      const start = writtenKeys(observer.doc).size;
      await waitFor(() => writtenKeys(observer.doc).size >= start + 30, `cycle ${cycle}: observer received writes`);
      await server.kill('SIGKILL');
      writing = false;
      await Promise.all(loops);
      for (const w of writers) for (const k of w.saved()) mustSurvive.add(k);
      for (const k of writtenKeys(observer.doc)) mustSurvive.add(k);

      server = await startChild(dataDir, {}, port);
      // Before any client resyncs, the store alone must hold everything acknowledged or observed.
      const check = connect(server.wsUrl, s.id, { connect: false });
      clients.push(check);
      check.provider.connect();
      await waitFor(() => check.provider.synced, `cycle ${cycle}: check synced`);
      const stored = writtenKeys(check.doc);
      const lost = [...mustSurvive].filter((k) => !stored.has(k));
      expect(lost, `cycle ${cycle}: acknowledged or observed updates lost`).toEqual([]);
      check.destroy();
    }

    await waitFor(live, 'final reconnect', 30_000);
    const all = [...writers.map((w) => w.doc), observer.doc];
    await waitFor(() => all.every((d) => writtenKeys(d).size === written.length), 'every write everywhere', 30_000);
    const vectors = all.map((d) => Buffer.from(Y.encodeStateVector(d)).toString('hex'));
    expect(new Set(vectors).size).toBe(1);
    expect(mustSurvive.size).toBeGreaterThan(CYCLES * 30);
    const acked = writers.reduce((n, w) => n + w.saved().length, 0);
    expect(acked).toBeGreaterThan(0);
  }, 600_000);
});
