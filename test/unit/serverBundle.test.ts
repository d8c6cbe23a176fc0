import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureServerBundle, serverBundlePath } from '../../scripts/server-bundle.mjs';
import { serverArgs } from '../../scripts/server-command.mjs';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the server bundle every launcher runs', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
  });

  /** A project with the bundle's inputs: server/index.ts importing lib/word.ts. */
  function project(word: string): string {
    const root = mkdtempSync(join(tmpdir(), 'mobflow-bundle-'));
    roots.push(root);
    mkdirSync(join(root, 'server'));
    mkdirSync(join(root, 'lib'));
    writeFileSync(join(root, 'server', 'index.ts'), "import { word } from '../lib/word';\nconsole.log(word);\n");
    writeFileSync(join(root, 'lib', 'word.ts'), `export const word: string = '${word}';\n`);
    writeFileSync(join(root, 'package-lock.json'), '{}');
    writeFileSync(join(root, 'tsconfig.json'), '{}');
    return root;
  }

  it('is reused while its inputs are unchanged and rebuilt when one changes', () => {
    const root = project('first');
    const out = ensureServerBundle(root);
    expect(out).toBe(serverBundlePath(root));
    expect(readFileSync(out, 'utf8')).toContain('"first"');
    const built = statSync(out).ino;

    expect(ensureServerBundle(root)).toBe(out);
    expect(statSync(out).ino).toBe(built);

    writeFileSync(join(root, 'lib', 'word.ts'), "export const word: string = 'second';\n");
    ensureServerBundle(root);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('"second"');
    expect(text).not.toContain('"first"');
  });

  it('throws esbuild\'s message when the sources do not build, and keeps the last good bundle', () => {
    const root = project('good');
    const out = ensureServerBundle(root);
    writeFileSync(join(root, 'lib', 'word.ts'), 'export const word = ;\n');
    expect(() => ensureServerBundle(root)).toThrow(/word\.ts/);
    expect(readFileSync(out, 'utf8')).toContain('"good"');
  });

  it("is what serverArgs runs: Mobflow's own code in one module, packages from node_modules, no __name wrappers", () => {
    const args = serverArgs(ROOT, { cpus: 1 });
    expect(args).toEqual(['--expose-gc', '--single-threaded-gc', serverBundlePath(ROOT)]);
    const text = readFileSync(serverBundlePath(ROOT), 'utf8');
    expect(text).toMatch(/from "yjs"/);
    expect(text).toContain('// server/yjs/room.ts');
    // tsx's keepNames wraps named closures in __name(), a defineProperty per closure (test/unit/hotPath.test.ts).
    expect(text).not.toContain('__name(');
  });
});
