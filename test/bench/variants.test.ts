/**
 * Leaving a production trick out for a measurement (bench/variants.ts, scripts/server-command.mjs):
 * the launcher drops its flag or variable, and the build without raw frames broadcasts through ws.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serverArgs, serverEnv } from '../../scripts/server-command.mjs';
import { launcherTricks, parseTricks, variantBundle } from '../../bench/variants';

const ROOT = join(import.meta.dirname, '..', '..');

describe('production tricks left out', () => {
  it('drops the launcher flag or variable named, and nothing else', () => {
    const all = serverArgs(ROOT, { cpus: 1 });
    expect(all.slice(0, 2)).toEqual(['--expose-gc', '--single-threaded-gc']);
    expect(serverArgs(ROOT, { cpus: 1, without: ['expose-gc'] }).slice(0, -1)).toEqual(['--single-threaded-gc']);
    expect(serverArgs(ROOT, { cpus: 1, without: ['single-threaded-gc'] }).slice(0, -1)).toEqual(['--expose-gc']);
    expect(serverEnv({}).MALLOC_MMAP_THRESHOLD_).toBe('131072');
    expect(serverEnv({}, { without: ['malloc-threshold'] }).MALLOC_MMAP_THRESHOLD_).toBeUndefined();
    expect(() => serverArgs(ROOT, { without: ['raw-frames'] })).toThrow('unknown launcher trick');
    expect(launcherTricks(parseTricks('raw-frames,expose-gc'))).toEqual(['expose-gc']);
    expect(() => parseTricks('turbo')).toThrow('unknown trick');
  });

  it('builds the server with its broadcasts sent through ws when raw frames are left out', async () => {
    expect(await variantBundle(ROOT, ['expose-gc'])).toBeUndefined();
    const bundle = await variantBundle(ROOT, ['raw-frames']);
    const text = readFileSync(bundle ?? '', 'utf8');
    const start = text.indexOf('var WsSocket = class');
    expect(start).toBeGreaterThanOrEqual(0);
    const send = text.slice(start, text.indexOf('close(code, reason)', start));
    expect(send).toContain('this.ws.send(msg.data, { binary: true })');
    expect(send).not.toContain('this.raw.write');
  });
});
