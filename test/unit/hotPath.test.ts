/**
 * tsx's esbuild transform keeps function names: every closure assigned to a name gets wrapped in
 * `__name(fn, "name")`, an Object.defineProperty call that also turns the closure's map into a
 * dictionary. Created once per update it cost the old update guard half its time (a `lookup` closure,
 * 2026-11-27). `npm start` and the benchmark now run the server's bundle, built without keepNames
 * (test/unit/serverBundle.test.ts), but `npm run dev` and the in-process tests still run the sources
 * through tsx: the modules every update goes through must create no named closure inside a function.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** Modules with code that runs for every update a client sends (check, log append, broadcast). */
const PER_UPDATE_MODULES = [
  'server/yjs/sharedCheck.ts',
  'server/yjs/sharedPlaces.ts',
  'server/yjs/receiver.ts',
  'server/yjs/docLog.ts',
  'server/yjs/connection.ts',
  'server/yjs/socket.ts',
  'server/yjs/wsFrame.ts',
  'server/store/logFormat.ts',
  'server/store/updateLog.ts',
  'server/boardSettling.ts',
];

/** `__name(...)` calls below the top level, as tsx's transform (keepNames) emits them; a class's own `__name(this, ...)` runs once. */
function namedClosures(source: string): string[] {
  const { code } = transformSync(source, { loader: 'ts', format: 'esm', keepNames: true });
  return code
    .split('\n')
    .filter((line) => /^\s+.*__name\(/.test(line) && !/__name\(this, "/.test(line))
    .map((line) => line.trim());
}

describe('modules on the per-update path', () => {
  it('finds a closure named inside a function (the check itself works)', () => {
    const closures = namedClosures('export function f(xs: number[]) { const g = (x: number) => x + 1; return xs.map(g); }');
    expect(closures).toHaveLength(1);
    expect(closures[0]).toContain('"g"');
  });

  it.each(PER_UPDATE_MODULES)('%s creates no named closure inside a function', (file) => {
    expect(namedClosures(readFileSync(join(ROOT, file), 'utf8'))).toEqual([]);
  });
});
