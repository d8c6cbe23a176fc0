/**
 * The production build's hashed assets (/_next/static/...) served from memory, gzipped once.
 *
 * Next's handler reads and gzips each asset again on every request: a first visit's 11 scripts and
 * 3 stylesheets cost the server 60–90 ms of CPU on this machine, on the page's critical path, while
 * the same files sent as stored bytes take a few ms. The files never change under a name (the name
 * is a content hash and the build is immutable while the server runs), so each is read and
 * compressed once, on first use or by warm(), and kept: the whole directory is about 1 MB.
 *
 * Anything this does not serve (other methods, unknown kinds of file, a name not in the build) goes
 * on to Next, which answers as before; a path that leaves the static directory is a 404 here.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import { sendText } from './respond';

export const STATIC_PREFIX = '/_next/static/';

/** Cached files above this size go to Next instead (the build's largest chunk is ~230 KB). */
const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** A year: the name changes whenever the content does (Next's own header for these files). */
const CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** Content types of what the build puts under static/, and whether gzip helps them. */
const TYPES: Record<string, { type: string; compress: boolean }> = {
  '.js': { type: 'application/javascript; charset=utf-8', compress: true },
  '.css': { type: 'text/css; charset=utf-8', compress: true },
  '.json': { type: 'application/json; charset=utf-8', compress: true },
  '.map': { type: 'application/json; charset=utf-8', compress: true },
  '.txt': { type: 'text/plain; charset=utf-8', compress: true },
  '.svg': { type: 'image/svg+xml', compress: true },
  '.woff2': { type: 'font/woff2', compress: false },
  '.woff': { type: 'font/woff', compress: false },
  '.png': { type: 'image/png', compress: false },
  '.ico': { type: 'image/x-icon', compress: false },
};

interface Asset {
  type: string;
  raw: Buffer;
  /** Null when gzip would not make it smaller. */
  gzip: Buffer | null;
  etag: string;
}

const gzipAsync = promisify(gzip);

export interface StaticAssets {
  /** Answers a /_next/static/ request and returns true, or returns false to let Next answer it. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean>;
  /** Loads every asset of the build ahead of the first visit; resolves with how many. */
  warm(): Promise<number>;
}

export function createStaticAssets(staticDir: string): StaticAssets {
  const root = resolve(staticDir);
  // Promises, so concurrent first requests for a file share one read and one compression.
  const cache = new Map<string, Promise<Asset | null>>();

  const load = (file: string): Promise<Asset | null> => {
    let asset = cache.get(file);
    if (!asset) {
      asset = readAsset(file);
      cache.set(file, asset);
      // Only files of the build stay: names that are not in it must not grow the cache.
      void asset.then((a) => {
        if (!a) cache.delete(file);
      });
    }
    return asset;
  };

  return {
    async handle(req, res, pathname) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const file = fileFor(root, pathname);
      if (file === 'outside') {
        sendText(res, 404, 'not found');
        return true;
      }
      if (file === null) return false;
      const asset = await load(file);
      if (!asset) return false;
      send(req, res, asset);
      return true;
    },
    async warm() {
      const files = await listFiles(root);
      const loaded = await Promise.all(files.map((f) => (TYPES[extname(f)] ? load(f) : null)));
      return loaded.filter(Boolean).length;
    },
  };
}

/**
 * The file a request path names inside `root`; null when it is not a file kind served here or not
 * valid URL encoding (Next answers those); 'outside' when it would leave `root`.
 */
export function fileFor(root: string, pathname: string): string | null | 'outside' {
  if (!pathname.startsWith(STATIC_PREFIX)) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(pathname.slice(STATIC_PREFIX.length));
  } catch {
    return null;
  }
  if (rel.includes('\0') || rel.includes('\\')) return 'outside';
  const file = resolve(root, rel);
  if (!file.startsWith(root + sep)) return 'outside';
  return TYPES[extname(file)] ? file : null;
}

async function readAsset(file: string): Promise<Asset | null> {
  const kind = TYPES[extname(file)];
  if (!kind) return null;
  try {
    const info = await stat(file);
    if (!info.isFile() || info.size > MAX_FILE_BYTES) return null;
    const raw = await readFile(file);
    const packed = kind.compress ? await gzipAsync(raw, { level: constants.Z_BEST_COMPRESSION }) : null;
    return {
      type: kind.type,
      raw,
      gzip: packed && packed.byteLength < raw.byteLength ? packed : null,
      etag: `"${createHash('sha256').update(raw).digest('base64url').slice(0, 27)}"`,
    };
  } catch {
    return null; // missing or unreadable: Next answers (a 404 for a name not in the build)
  }
}

function send(req: IncomingMessage, res: ServerResponse, asset: Asset): void {
  const headers: Record<string, string | number> = {
    'content-type': asset.type,
    'cache-control': CACHE_CONTROL,
    etag: asset.etag,
    vary: 'Accept-Encoding',
  };
  if (etagMatches(req.headers['if-none-match'], asset.etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const body = asset.gzip && acceptsGzip(req.headers['accept-encoding']) ? asset.gzip : asset.raw;
  if (body === asset.gzip) headers['content-encoding'] = 'gzip';
  headers['content-length'] = body.byteLength;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

/** True when Accept-Encoding lists gzip (or *) with a quality above 0. */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (!header) return false;
  const value = Array.isArray(header) ? header.join(',') : header;
  let star: boolean | null = null;
  for (const part of value.split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const ok = q === undefined || Number(q.slice(2)) > 0;
    if (name === 'gzip' || name === 'x-gzip') return ok;
    if (name === '*') star = ok;
  }
  return star === true;
}

async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  } catch {
    return []; // no build yet: nothing to warm
  }
}
