/**
 * Durable before acknowledged: SIGKILL the server while clients write; after a restart on the same
 * DATA_DIR, everything any client had received from the server is still there.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createSession, tempDir } from '../helpers/server';
import { startChild } from '../helpers/child';
import { connect, synced, waitFor, type YClient } from '../helpers/yclient';

const CYCLES = 3;
const clients: YClient[] = [];
afterAll(() => {
  for (const c of clients) c.destroy();
});

describe('crash safety', () => {
  it(`keeps every update an observer received across ${CYCLES} SIGKILL/restart cycles`, async () => {
    const dataDir = tempDir();
    let server = await startChild(dataDir);
    const s = await createSession(server.url);
    const seen = new Set<string>();
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const writers = [0, 1, 2].map(() => connect(server.wsUrl, s.id));
      const observer = connect(server.wsUrl, s.id);
      clients.push(...writers, observer);
      await Promise.all([...writers, observer].map(synced));
      // Bounded writing: each writer sets keys on a timer until the kill (at most 400 writes each).
      let writing = true;
      const loops = writers.map((w, i) =>
        (async () => {
          for (let n = 0; writing && n < 400; n++) {
            w.doc.getMap<number>('log').set(`c${cycle}-w${i}-${n}`, n);
            await new Promise((r) => setImmediate(r));
          }
        })(),
      );
      await waitFor(() => observer.doc.getMap('log').size >= seen.size + 60, 'observer received writes');
      await server.kill('SIGKILL');
      writing = false;
      await Promise.all(loops);
      for (const k of observer.doc.getMap('log').keys()) seen.add(k);
      for (const c of [...writers, observer]) c.destroy();

      server = await startChild(dataDir);
      const check = connect(server.wsUrl, s.id);
      clients.push(check);
      await synced(check);
      const stored = new Set(check.doc.getMap('log').keys());
      const lost = [...seen].filter((k) => !stored.has(k));
      expect(lost, `cycle ${cycle}: updates lost`).toEqual([]);
      check.destroy();
    }
    await server.kill('SIGTERM');
    expect(seen.size).toBeGreaterThan(CYCLES * 60);
  });
});
