/**
 * The build's hashed assets served from memory (server/http/staticAssets.ts), over a real HTTP
 * server, on a directory laid out like a build's static/. What the handler does not answer goes on
 * to the next handler, which here answers 418 so the tests can tell.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptsGzip, createStaticAssets, type StaticAssets } from '../../server/http/staticAssets';
import { tempDir } from '../helpers/server';

const NEXT_ANSWERED = 418;
const script = Buffer.from(`(function(){${'console.log("mob programming, one task at a time");'.repeat(200)}})();`);
const tiny = Buffer.from('1;');

let dir: string;
let assets: StaticAssets;
let server: Server;
let base: string;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw request: fetch would normalise the path and decode the body. */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const req = request({ hostname, port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = tempDir();
  const staticDir = join(dir, 'static');
  mkdirSync(join(staticDir, 'chunks'), { recursive: true });
  writeFileSync(join(staticDir, 'chunks', 'app-1a2b.js'), script);
  writeFileSync(join(staticDir, 'chunks', 'tiny.js'), tiny);
  writeFileSync(join(staticDir, 'chunks', 'notes.xyz'), 'not a kind of file the build makes');
  writeFileSync(join(dir, 'secret.js'), 'outside the static directory');
  assets = createStaticAssets(staticDir);
  server = createServer((req, res) => {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    assets.handle(req, res, pathname).then(
      (handled) => {
        if (!handled) res.writeHead(NEXT_ANSWERED).end('next');
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('static assets from memory', () => {
  it('sends a script gzipped when the client accepts gzip, immutable, with its content hash as ETag', async () => {
    const r = await get('/_next/static/chunks/app-1a2b.js', { 'accept-encoding': 'gzip, deflate' });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(r.headers.vary).toBe('Accept-Encoding');
    expect(Number(r.headers['content-length'])).toBe(r.body.byteLength);
    expect(r.body.byteLength).toBeLessThan(script.byteLength / 5);
    expect(gunzipSync(r.body).equals(script)).toBe(true);
    const hash = createHash('sha256').update(script).digest('base64url').slice(0, 27);
    expect(r.headers.etag).toBe(`"${hash}"`);
  });

  it('sends the bytes as they are without gzip in Accept-Encoding, or with gzip at q=0', async () => {
    const variants: Record<string, string>[] = [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'br, gzip;q=0' }];
    for (const headers of variants) {
      const r = await get('/_next/static/chunks/app-1a2b.js', headers);
      expect(r.status).toBe(200);
      expect(r.headers['content-encoding']).toBeUndefined();
      expect(r.body.equals(script)).toBe(true);
    }
  });

  it('does not gzip a file that gzip would make larger', async () => {
    const r = await get('/_next/static/chunks/tiny.js', { 'accept-encoding': 'gzip' });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.body.equals(tiny)).toBe(true);
  });

  it('answers a matching If-None-Match with 304 and no body, and HEAD with headers only', async () => {
    const first = await get('/_next/static/chunks/app-1a2b.js');
    const etag = String(first.headers.etag);
    const again = await get('/_next/static/chunks/app-1a2b.js', { 'if-none-match': `"other", ${etag}` });
    expect(again.status).toBe(304);
    expect(again.body.byteLength).toBe(0);
    expect(again.headers.etag).toBe(etag);
    const stale = await get('/_next/static/chunks/app-1a2b.js', { 'if-none-match': '"other"' });
    expect(stale.status).toBe(200);
    const head = await get('/_next/static/chunks/app-1a2b.js', { 'accept-encoding': 'gzip' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.byteLength).toBe(0);
    expect(head.headers['content-encoding']).toBe('gzip');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
  });

  it('refuses paths that leave the static directory with a 404, never the file', async () => {
    for (const path of ['/_next/static/../secret.js', '/_next/static/chunks/..%2f..%2fsecret.js', '/_next/static/%2e%2e/secret.js', '/_next/static/chunks%5c..%5c..%5csecret.js', '/_next/static/a%00.js']) {
      const r = await get(path);
      expect(r.status, path).toBe(404);
      expect(r.body.toString()).not.toContain('outside the static directory');
    }
  });

  it('leaves other methods, unknown kinds of file, bad encodings and other paths to Next', async () => {
    expect((await get('/_next/static/chunks/app-1a2b.js', {}, 'POST')).status).toBe(NEXT_ANSWERED);
    expect((await get('/_next/static/chunks/notes.xyz')).status).toBe(NEXT_ANSWERED);
    expect((await get('/_next/static/chunks/%E0%A4%A.js')).status).toBe(NEXT_ANSWERED);
    expect((await get('/_next/image?url=x')).status).toBe(NEXT_ANSWERED);
    expect((await get('/s/abc')).status).toBe(NEXT_ANSWERED);
  });

  it('leaves a name not in the build to Next without remembering the miss', async () => {
    expect((await get('/_next/static/chunks/later.js')).status).toBe(NEXT_ANSWERED);
    writeFileSync(join(dir, 'static', 'chunks', 'later.js'), 'late();');
    const r = await get('/_next/static/chunks/later.js');
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('late();');
  });

  it('warms every served file of the directory', async () => {
    const fresh = createStaticAssets(join(dir, 'static'));
    expect(await fresh.warm()).toBe(3); // app-1a2b.js, tiny.js, later.js; not notes.xyz
    expect(await createStaticAssets(join(dir, 'no-build-here')).warm()).toBe(0);
  });
});

describe('acceptsGzip', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['gzip', true],
    ['GZIP', true],
    ['deflate, gzip;q=0.5', true],
    ['x-gzip', true],
    ['gzip;q=0', false],
    ['gzip;q=0.0, *', false],
    ['*', true],
    ['*;q=0', false],
    ['br, deflate', false],
    ['identity', false],
  ])('%j -> %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});
