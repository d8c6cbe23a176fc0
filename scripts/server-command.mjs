// How every launcher starts the server (npm start, the child-process tests, the benchmark): one
// node process running the server's bundle (scripts/server-bundle.mjs, built here when stale), so a
// signal reaches the server itself, with `gc` exposed for the idle memory release
// (server/idleMemory.ts).
//
// (--single-threaded-gc on one CPU was here too; bench/tricks.ts measured no difference in CPU per
// update, memory or p99 with or without it, so it went: bench/NOTES.md, 2026-12-06/07.)
//
// glibc serves big allocations (a large doc's snapshot, its full-state encoding) with mmap only
// until the first one is freed; then it raises its threshold and takes them from the heap, where
// they fragment and stay resident after the sessions are gone (+25 MB after one 3.8 MB doc). A
// fixed threshold keeps every allocation of 128 KiB and more in its own mapping, returned on free.
//
// Each of these can be left out (`without`), so the benchmark can measure what it buys
// (bench/tricks.ts); npm start always applies all of them.
import { ensureServerBundle } from './server-bundle.mjs';

/** The launcher's production tricks, by the name `without` takes. */
export const LAUNCHER_TRICKS = ['expose-gc', 'malloc-threshold'];

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
 * missing or stale (throws when that build fails). `without` leaves out 'expose-gc'; `bundle` runs
 * another build of the server (the benchmark's variants) instead of its own.
 */
export function serverArgs(root, { without = [], bundle } = {}) {
  checkWithout(without);
  const flags = [];
  if (!without.includes('expose-gc')) flags.push('--expose-gc');
  return [...flags, bundle ?? ensureServerBundle(root)];
}
