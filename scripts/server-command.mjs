// How every launcher starts the server (npm start, the child-process tests, the benchmark): one
// node process running the server's bundle (scripts/server-bundle.mjs, built here when stale), so a
// signal reaches the server itself, with `gc` exposed for the idle memory release
// (server/idleMemory.ts).
//
// On a single CPU (a container limited to one core, or a process pinned with taskset) V8's
// concurrent GC threads cannot run beside the main thread: they preempt it for tens of ms at a
// time, which shows up as latency spikes for every room. There the server runs with
// --single-threaded-gc, so marking happens in small incremental steps between messages instead.
//
// glibc serves big allocations (a large doc's snapshot, its full-state encoding) with mmap only
// until the first one is freed; then it raises its threshold and takes them from the heap, where
// they fragment and stay resident after the sessions are gone (+25 MB after one 3.8 MB doc). A
// fixed threshold keeps every allocation of 128 KiB and more in its own mapping, returned on free.
import { availableParallelism } from 'node:os';
import { ensureServerBundle } from './server-bundle.mjs';

/** The server's environment: `env` plus the allocator setting above (unless `env` sets it). */
export function serverEnv(env) {
  return { MALLOC_MMAP_THRESHOLD_: '131072', ...env };
}

/**
 * node arguments that run the server of the project at `root`, building its bundle first when it is
 * missing or stale (throws when that build fails). `cpus` is how many CPUs the server process will
 * have (default: what this process may use, which a launcher shares with its child).
 */
export function serverArgs(root, { cpus = availableParallelism() } = {}) {
  return ['--expose-gc', ...(cpus <= 1 ? ['--single-threaded-gc'] : []), ensureServerBundle(root)];
}
