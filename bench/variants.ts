/**
 * Mobflow's production performance tricks, and how the benchmark starts a server without one of
 * them, to measure what each buys (bench/tricks.ts). The server's code is left as it is:
 * - 'expose-gc', 'single-threaded-gc' and 'malloc-threshold' are the launcher's
 *   (scripts/server-command.mjs), which leaves them out when asked; without --expose-gc the idle
 *   memory release (server/idleMemory.ts) is off, since it has no `gc` to call.
 * - 'raw-frames' is the broadcast writing one prebuilt frame to the raw socket past `ws`
 *   (server/yjs/socket.ts with wsFrame.ts). Without it, the server is bundled with that write
 *   replaced by `ws.send` (what it did before), in a bundle of its own.
 */
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { LAUNCHER_TRICKS } from '../scripts/server-command.mjs';

export const TRICKS = ['expose-gc', 'single-threaded-gc', 'malloc-threshold', 'raw-frames'] as const;
export type Trick = (typeof TRICKS)[number];

/** What each trick is, for the report. */
export const TRICK_WHAT: Record<Trick, string> = {
  'expose-gc': 'forced full collections once the server goes idle (server/idleMemory.ts, --expose-gc)',
  'single-threaded-gc': '--single-threaded-gc on a one-CPU server',
  'malloc-threshold': 'MALLOC_MMAP_THRESHOLD_=131072 (scripts/server-command.mjs)',
  'raw-frames': 'broadcast frames written to the raw socket past ws (server/yjs/socket.ts, wsFrame.ts)',
};

/** Parses a comma-separated list of trick names ("" is none). */
export function parseTricks(list: string | undefined): Trick[] {
  const names = (list ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) if (!(TRICKS as readonly string[]).includes(n)) throw new Error(`unknown trick "${n}" (one of ${TRICKS.join(', ')})`);
  return names as Trick[];
}

/** " without a, b", or "" when nothing is left out. */
export function tricksLabel(without: readonly Trick[]): string {
  return without.length > 0 ? ` without ${without.join(', ')}` : '';
}

/** The tricks the launcher applies, of those in `without`. */
export function launcherTricks(without: readonly Trick[]): string[] {
  return without.filter((t) => (LAUNCHER_TRICKS as readonly string[]).includes(t));
}

/** The raw-socket write of a broadcast, as server/yjs/socket.ts has it. */
const RAW_WRITE = /msg\.frame \?\?= binaryFrame\(msg\.data\);\s*this\.raw\.write\(msg\.frame\);/;
const WS_SEND = 'this.ws.send(msg.data, { binary: true });';

/**
 * The server bundle to run for `without`: undefined (the server's own) unless 'raw-frames' is left
 * out; then one built now with the broadcast's raw-socket write replaced by ws.send. Throws when
 * that write is no longer where this expects it (the variant would silently be the server itself).
 */
export async function variantBundle(root: string, without: readonly Trick[]): Promise<string | undefined> {
  if (!without.includes('raw-frames')) return undefined;
  const socketFile = join(root, 'server', 'yjs', 'socket.ts');
  let patched = false;
  const plugin: Plugin = {
    name: 'broadcast-through-ws',
    setup(b) {
      b.onLoad({ filter: /[\\/]server[\\/]yjs[\\/]socket\.ts$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!RAW_WRITE.test(text)) throw new Error(`${socketFile} no longer writes broadcast frames as bench/variants.ts expects; update RAW_WRITE`);
        patched = true;
        return { contents: text.replace(RAW_WRITE, WS_SEND), loader: 'ts' };
      });
    },
  };
  const out = join(root, 'dist', 'bench-server-without-raw-frames.mjs');
  const tmp = `${out}.${process.pid}-${Date.now()}.tmp`;
  mkdirSync(join(root, 'dist'), { recursive: true });
  await build({
    entryPoints: [join(root, 'server', 'index.ts')],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
    plugins: [plugin],
  });
  if (!patched) throw new Error(`${socketFile} is not part of the server bundle any more; update bench/variants.ts`);
  renameSync(tmp, out);
  return out;
}
