/**
 * Presence: one room of N clients, each publishing its awareness state at a fixed rate; every
 * other client must observe every state. Latency is sender's send -> receiver's receipt.
 */
import { closeAll, connectMany, SessionClient } from './client';
import type { BenchConfig } from './config';
import { sampleUsage, type Usage } from './procstat';
import { encodeAwarenessMessage } from './protocol';
import type { BenchServer } from './servers';
import { delay, type LatencySummary, summarize, until } from './stats';

const DRAIN_TIMEOUT_MS = 10_000;
/** Awareness client ids of the bench clients start here (any distinct uint32s would do). */
const CLIENT_ID_BASE = 1_000_000;

export interface PresenceResult {
  name: string;
  clients: number;
  latency: LatencySummary;
  delivered: number;
  expected: number;
  usage: Usage;
}

export async function runPresence(server: BenchServer, cfg: BenchConfig): Promise<PresenceResult> {
  const [room] = await server.createRooms(1);
  const n = cfg.presenceClients;
  const sendsPerClient = Math.max(1, Math.round(cfg.presenceSeconds * cfg.presenceHz));
  // sentAt[i][clock - 1]: awareness clocks start at 1 for a state the server has not seen.
  const sentAt: number[][] = Array.from({ length: n }, () => []);
  const latencies: number[] = [];
  let delivered = 0;

  const { clients } = await connectMany(n, (i) => {
    const self = CLIENT_ID_BASE + i;
    return new SessionClient(server.joinUrls(room ?? ''), {
      onAwareness(markers, at) {
        for (const m of markers) {
          const from = m.client - CLIENT_ID_BASE;
          if (m.client === self || from < 0 || from >= n) continue;
          const sent = sentAt[from]?.[m.clock - 1];
          if (sent === undefined) continue;
          delivered++;
          latencies.push(at - sent);
        }
      },
    });
  });

  const usage = sampleUsage(server.pid);
  const periodMs = 1000 / cfg.presenceHz;
  await Promise.all(
    clients.map(async (c, i) => {
      const state = JSON.stringify({ user: { memberId: null, name: `bench ${i}`, watching: false } });
      const times = sentAt[i] ?? [];
      await delay(Math.random() * periodMs);
      const start = performance.now();
      for (let k = 0; k < sendsPerClient; k++) {
        times.push(performance.now());
        c.send(encodeAwarenessMessage(CLIENT_ID_BASE + i, k + 1, state));
        await delay(Math.max(0, start + (k + 1) * periodMs - performance.now()));
      }
    }),
  );
  const expected = n * sendsPerClient * (n - 1);
  await until(() => delivered >= expected, DRAIN_TIMEOUT_MS);
  const used = usage.stop();
  await closeAll(clients);
  return { name: `presence 1x${n} @${cfg.presenceHz}Hz`, clients: n, latency: summarize(latencies), delivered, expected, usage: used };
}
