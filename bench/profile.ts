/**
 * Where a server's CPU goes during the CPU-per-update windows: sums the self time of a V8
 * `--cpu-prof` profile over the windows one benchmark run measured on that server, by source
 * module, by owner (native and Node-internal frames charged to their nearest caller in the server's
 * code or a package) and by function, as shares of the busy (non-idle) samples. Mobflow's bundle lines are
 * mapped back to their module (server/... or lib/...) through esbuild's "// path" comments.
 *   BENCH_ONLY=cpu BENCH_SIZES=100x8 BENCH_PIN=off BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" \
 *     npm run bench > /tmp/run.out
 *   npx tsx bench/profile.ts /tmp/prof/CPU.<...>.<mobflow pid>.0.001.cpuprofile /tmp/run.out mobflow [100x8]
 * Unpinned on purpose: pinned, the profiler's sampling thread shares the server's one core, and
 * most samples land while the main thread waits (bench/NOTES.md, 2026-11-27).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResult } from './bench';
import type { ServerKind } from './servers';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [profileFile, runFile, kind = 'mobflow', size, top = '25'] = process.argv.slice(2);
if (!profileFile || !runFile) {
  console.error('usage: npx tsx bench/profile.ts <file.cpuprofile> <npm run bench output> [mobflow|reference] [size] [top]');
  process.exit(2);
}
const BUNDLE = join(import.meta.dirname, '..', 'dist', 'server.mjs');

const run = JSON.parse(readFileSync(runFile, 'utf8').trim().split('\n').pop() ?? '{}') as BenchResult;
const windows = (run.cpu?.sizes ?? [])
  .filter((s) => size === undefined || s.name === size)
  .flatMap((s) => s.servers[kind as ServerKind]?.rounds ?? [])
  .map((r) => r.monotonicMs);
if (windows.length === 0) throw new Error(`no CPU windows of ${kind}${size ? ` at ${size}` : ''} in ${runFile}`);

const prof = JSON.parse(readFileSync(profileFile, 'utf8')) as Profile;
const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
const parents = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parents.set(c, n.id);

// Bundle line -> the module esbuild wrote there.
const moduleAtLine: string[] = [];
let current = '(bundle)';
readFileSync(BUNDLE, 'utf8')
  .split('\n')
  .forEach((line, i) => {
    const m = /^\/\/ ((?:server|lib)\/\S+\.ts)$/.exec(line);
    if (m?.[1]) current = m[1];
    moduleAtLine[i] = current;
  });

function moduleOf(n: ProfileNode): string {
  const { url, functionName, lineNumber } = n.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.endsWith('/dist/server.mjs')) return moduleAtLine[lineNumber] ?? '(bundle)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  return url.replace(/^file:\/\//, '');
}

/**
 * Who asked for the time: the nearest caller in the server's own code or a package, past Node's
 * internals and native frames (a socket write and a log-file write are both native writeBuffer;
 * their owners are the broadcast and the update log).
 */
function ownerOf(n: ProfileNode): string {
  for (let cur: ProfileNode | undefined = n; cur; cur = nodes.get(parents.get(cur.id) ?? -1)) {
    const { url } = cur.callFrame;
    if (url && !url.startsWith('node:')) return moduleOf(cur);
  }
  return moduleOf(n);
}

// Samples carry V8's monotonic clock in µs, the clock the windows were read on.
const inWindow = (us: number) => windows.some(([a, b]) => us / 1000 >= a && us / 1000 <= b);
let t = prof.startTime;
let busy = 0;
let idle = 0;
const byModule = new Map<string, number>();
const byOwner = new Map<string, number>();
const byFunction = new Map<string, number>();
prof.samples.forEach((id, i) => {
  const dt = prof.timeDeltas[i] ?? 0;
  t += dt;
  if (!inWindow(t)) return;
  const n = nodes.get(id);
  if (!n) return;
  if (n.callFrame.functionName === '(idle)') {
    idle += dt;
    return;
  }
  busy += dt;
  const mod = moduleOf(n);
  const fn = `${n.callFrame.functionName || '(anonymous)'}  ${mod}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
  byModule.set(mod, (byModule.get(mod) ?? 0) + dt);
  const owner = ownerOf(n);
  byOwner.set(owner, (byOwner.get(owner) ?? 0) + dt);
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
});

const show = (m: Map<string, number>) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(top))
    .map(([k, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((us / busy) * 100).toFixed(1).padStart(5)} %  ${k}`)
    .join('\n');
const windowMs = windows.reduce((n, [a, b]) => n + (b - a), 0);
console.log(`${kind}${size ? ` ${size}` : ''}: ${windows.length} windows, ${(windowMs / 1000).toFixed(1)} s; sampled busy ${(busy / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms`);
console.log('--- self time by module');
console.log(show(byModule));
console.log('--- self time by owner (native and Node-internal time charged to the nearest server or package caller)');
console.log(show(byOwner));
console.log('--- self time by function');
console.log(show(byFunction));
