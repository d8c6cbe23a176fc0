/**
 * Server CPU against write rate, on one set of connections that stays open: rooms x 8 clients join
 * once, then one writer per room writes at each rate in BENCH_RATES in turn (updates per second per
 * room; 0 = connected and quiet), and the server's CPU over each phase is printed. Phases run in
 * order on the same server process, so a repeated rate shows how much of the first phase was the
 * process warming up (JIT, heap growth) rather than steady work:
 *   BENCH_SERVER=reference BENCH_ROOMS=100 BENCH_RATES=5,5,5,10 npx tsx bench/cpu-by-rate.ts
 * Prints one line per phase and one JSON line.
 */
import { z } from 'zod';
import { closeAll, connectMany, LeanClient, Writer } from './client';
import { setUpPinning } from './pinning';
import { cpuMs } from './procstat';
import { SERVER_KINDS, startServer } from './servers';
import { delay } from './stats';

const CLIENTS = 8;
/** Writes before a phase's CPU window opens, and quiet time after it, ms. */
const SETTLE_MS = 1_500;

const Env = z.object({
  BENCH_SERVER: z.enum(SERVER_KINDS as ['mobflow', 'reference']).default('mobflow'),
  BENCH_ROOMS: z.coerce.number().int().min(1).max(1_000).default(100),
  BENCH_RATES: z
    .string()
    .default('0,5,5,10')
    .transform((s) => s.split(',').map(Number))
    .pipe(z.array(z.number().min(0).max(50)).min(1).max(12)),
  BENCH_SECONDS: z.coerce.number().positive().max(60).default(8),
});
const env = Env.parse(process.env);

const server = await startServer(env.BENCH_SERVER, setUpPinning(process.env));
const phases: { rate: number; cpuMsPerSecond: number }[] = [];
try {
  const rooms = await server.createRooms(env.BENCH_ROOMS);
  const writers: Writer[] = [];
  const { clients } = await connectMany(env.BENCH_ROOMS * CLIENTS, (i) => {
    const url = server.roomUrl(rooms[Math.floor(i / CLIENTS)] ?? '');
    if (i % CLIENTS !== 0) return new LeanClient(url);
    const w = new Writer(new LeanClient(url));
    writers.push(w);
    return w.client;
  });
  await delay(SETTLE_MS);
  for (const rate of env.BENCH_RATES) {
    let writing = rate > 0;
    const loops = writing
      ? writers.map(async (w) => {
          await delay(Math.random() * (1000 / rate)); // rooms spread over one period
          while (writing) {
            w.write();
            await delay(1000 / rate);
          }
        })
      : [];
    await delay(SETTLE_MS);
    const cpu0 = cpuMs(server.pid);
    const t0 = performance.now();
    await delay(env.BENCH_SECONDS * 1000);
    const cpuMsPerSecond = Math.round((cpuMs(server.pid) - cpu0) / ((performance.now() - t0) / 1000));
    writing = false;
    await Promise.all(loops);
    phases.push({ rate, cpuMsPerSecond });
    console.log(`${env.BENCH_SERVER} ${env.BENCH_ROOMS}x${CLIENTS} at ${rate} updates/s per room: ${cpuMsPerSecond} ms CPU per second`);
    await delay(SETTLE_MS);
  }
  await closeAll(clients);
  for (const w of writers) w.doc.destroy();
} finally {
  await server.stop();
}
console.log(JSON.stringify({ server: env.BENCH_SERVER, rooms: env.BENCH_ROOMS, clients: CLIENTS, seconds: env.BENCH_SECONDS, phases }));
