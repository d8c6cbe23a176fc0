/**
 * One Mobflow process per data directory. The update log numbers each session's updates in memory
 * and replays (then deletes) any log segment it finds on open, so a second process on the same
 * directory would number over the first one's updates and delete its log. The lock is an
 * exclusive transaction on a small SQLite file: SQLite's POSIX locks are released by the kernel
 * when the process dies, so a kill -9 never leaves a stale lock behind.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface DataDirLock {
  release(): void;
}

export function lockDataDir(dataDir: string): DataDirLock {
  const db = new Database(join(dataDir, 'mobflow.lock'), { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') {
      throw new Error(`data directory ${dataDir} is in use by another Mobflow server (one server per DATA_DIR)`);
    }
    throw err;
  }
  return { release: () => db.close() };
}
