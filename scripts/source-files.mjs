// Every file under `path` (or `path` itself when it is a file), in a stable order: what the build
// scripts hash to tell whether a build is stale (ensure-build.mjs, server-bundle.mjs).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function* files(path) {
  if (!existsSync(path)) return;
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) yield* files(join(path, name));
  } else {
    yield path;
  }
}
