// How every launcher starts the server (npm start, the child-process tests, the benchmark): one
// node process running the server's bundle (scripts/server-bundle.mjs, built here when stale), so a
// signal reaches the server itself, with `gc` exposed for the idle memory release
// (server/idleMemory.ts).
//
// On a single CPU (a container limited to one core, or a process pinned with taskset) V8's
// concurrent GC threads cannot run beside the main thread: they preempt it for tens of ms at a
// time, which shows up as latency spikes for every room. There the server runs with
// --single-threaded-gc, so marking happens in small incremental steps between messages instead.
// What it buys: on one pinned core, 500 instead of 300 rooms of 8 at p99 <= 50 ms (at 400 rooms
// p99 7 ms against 64-90 ms; bench/NOTES.md, 2026-12-07). What it costs: CPU per update, as the
// marking moves onto the main thread (500x8: 31.0 against 26.6 µs in the same morning's runs);
// with more CPUs the launcher leaves it out, so concurrent marking uses them.
//
// glibc serves big allocations (a large doc's snapshot, its full-state encoding) with mmap only
// until the first one is freed; then it raises its threshold and takes them from the heap, where
// they fragment and stay resident after the sessions are gone (+25 MB after one 3.8 MB doc). A
// fixed threshold keeps every allocation of 128 KiB and more in its own mapping, returned on free.
//
// Each of these can be left out (`without`), so the benchmark can measure what it buys
// (bench/tricks.ts); npm start always applies all of them.
import { availableParallelism } from 'node:os';
import { ensureServerBundle } from './server-bundle.mjs';

/** The launcher's production tricks, by the name `without` takes. */
export const LAUNCHER_TRICKS = ['expose-gc', 'single-threaded-gc', 'malloc-threshold'];

function checkWithout(without) {
  for (const t of without) if (!LAUNCHER_TRICKS.includes(t)) throw new Error(`unknown launcher trick "${t}"`);
}

/**
 * The server's environment: `env` plus the allocator setting above (unless `env` sets it, or
 * `without` names 'malloc-threshold').
 */
export function serverEnv(env, { without = [] } = {}) {
  checkWithout(without);
  return without.includes('malloc-threshold') ? { ...env } : { MALLOC_MMAP_THRESHOLD_: '131072', ...env };
}

/**
 * node arguments that run the server of the project at `root`, building its bundle first when it is
 * missing or stale (throws when that build fails). `cpus` is how many CPUs the server process will
 * have (default: what this process may use, which a launcher shares with its child); `without`
 * leaves out 'expose-gc' or 'single-threaded-gc'; `bundle` runs another build of the server (the
 * benchmark's variants) instead of its own.
 */
export function serverArgs(root, { cpus = availableParallelism(), without = [], bundle } = {}) {
  checkWithout(without);
  const flags = [];
  if (!without.includes('expose-gc')) flags.push('--expose-gc');
  if (cpus <= 1 && !without.includes('single-threaded-gc')) flags.push('--single-threaded-gc');
  return [...flags, bundle ?? ensureServerBundle(root)];
}
