/**
 * The cluster store: PostgreSQL is the durable log of every session. An append is durable once its
 * transaction commits (synchronous_commit as the server has it, on by default); Redis carries
 * nothing durable. The pieces: pgSchema.ts (migrations, start-up errors), pgAppender.ts (grouped,
 * fenced appends numbered in commit order), pgLog.ts (consistent reads, compaction's
 * SQL), compactWorker.ts (compaction off the event loop), pgLeases.ts (leases, timers), pgIntegrations.ts.
 *
 * Faults: every connection attempt and statement has a deadline (connect timeout, a server-side
 * statement_timeout and a client-side query timeout a little longer, for a server that no longer
 * answers at all), so a call against a dead PostgreSQL rejects instead of hanging. A pooled
 * connection that dies is dropped by the pool and reported to the logger, never thrown at the
 * process; once PostgreSQL is back, new connections are made and the same store works again.
 * Nothing retries a write by itself: when a commit's answer is lost the outcome is unknown, and
 * the caller (the room) already handles a failed append by dropping the room so its clients
 * resync. A record that did commit although its append rejected is harmless to that resync
 * (applying a Yjs update twice changes nothing).
 */
import { Pool, TypeOverrides, types as pgTypes } from 'pg';
import type { LinkKind } from '../../lib/capability';
import type { SessionId } from '../../lib/ids';
import type { Logger } from '../logger';
import type { Lookup, SessionRecord, StoreHealth } from '../store/types';
import { COMPACT_CONNECTIONS, CompactWorker } from './compactWorker';
import { PgAppender } from './pgAppender';
import { pgIntegrations } from './pgIntegrations';
import { pgLeases } from './pgLeases';
import { lastSeq, lastSeqs, loadSession, readSince } from './pgLog';
import { describePgError, parseDatabaseUrl, runMigrations, startupError } from './pgSchema';
import type { ClusterStore } from './types';
import { SerialPerKey } from '../store/serialPerKey';

export { migrate, StartupError } from './pgSchema';

export const PG_DEFAULTS = {
  poolSize: 10,
  connectTimeoutMs: 5_000,
  statementTimeoutMs: 10_000,
  /** How long the client waits past the statement timeout before it gives the connection up. */
  queryTimeoutMarginMs: 2_000,
  healthTimeoutMs: 2_000,
} as const;

export interface PgStoreOptions {
  /** Connections this instance keeps at most (appends to different sessions run in parallel on them). */
  poolSize?: number;
  /** Longest wait for a connection, new or from the pool. */
  connectTimeoutMs?: number;
  /** Longest a statement may run; past it PostgreSQL cancels it and the call rejects. */
  statementTimeoutMs?: number;
  /** Longest health() waits for an answer. */
  healthTimeoutMs?: number;
  /** Where connection errors outside any call go (an idle connection that died). */
  logger?: Pick<Logger, 'warn'>;
}

const SESSION_COLUMNS = 'id, edit_token, view_token, created_at, member_key, mob_key';
type SessionRow = { id: string; edit_token: string; view_token: string; created_at: number; member_key: Buffer; mob_key: string };

const toRecord = (row: SessionRow): SessionRecord => ({
  id: row.id as SessionId,
  editToken: row.edit_token,
  viewToken: row.view_token,
  createdAt: row.created_at,
  memberKey: new Uint8Array(row.member_key),
  mobKey: row.mob_key,
});

/**
 * Connects, applies the missing migrations and answers the store. Throws a StartupError whose
 * message says what to fix when the URL is malformed or PostgreSQL cannot be reached or used.
 */
export async function openPgStore(url: string, options: PgStoreOptions = {}): Promise<ClusterStore> {
  const target = parseDatabaseUrl(url);
  const connectTimeoutMs = options.connectTimeoutMs ?? PG_DEFAULTS.connectTimeoutMs;
  const statementTimeoutMs = options.statementTimeoutMs ?? PG_DEFAULTS.statementTimeoutMs;
  const healthTimeoutMs = options.healthTimeoutMs ?? PG_DEFAULTS.healthTimeoutMs;
  // bigint columns (sequence numbers, ms times) as numbers: exact up to 2^53, far past any of them.
  const types = new TypeOverrides();
  types.setTypeParser(pgTypes.builtins.INT8, 'text', Number);
  const connection = {
    connectionString: url,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + PG_DEFAULTS.queryTimeoutMarginMs,
    // A transaction left open by a client that vanished holds its locks no longer than this.
    idle_in_transaction_session_timeout: statementTimeoutMs * 2,
    keepAlive: true,
  };
  const describe = (err: unknown): string => describePgError(err, target, connectTimeoutMs);
  const pool = new Pool({ ...connection, max: options.poolSize ?? PG_DEFAULTS.poolSize, application_name: 'mobflow', types });
  const report = (err: Error) => options.logger?.warn('PostgreSQL connection lost', { reason: describe(err) });
  // An idle connection that dies emits on the pool; one checked out emits on its client, and an
  // 'error' event with no listener would end the process. Its query in flight rejects anyway.
  pool.on('error', report);
  pool.on('connect', (client) => client.on('error', report));

  try {
    const client = await pool.connect();
    try {
      await runMigrations(client);
      client.release();
    } catch (err) {
      client.release(true);
      throw err;
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw startupError(err, target, connectTimeoutMs);
  }

  const appender = new PgAppender(pool, describe);
  // Its own connections (COMPACT_CONNECTIONS more per instance), so compaction's bytes never cross the event loop.
  const worker = new CompactWorker({ ...connection, max: COMPACT_CONNECTIONS, application_name: 'mobflow-compact' }, describe);
  /** One compaction per session at a time from this instance (other instances are handled in pgLog.ts). */
  const compacting = new SerialPerKey<SessionId>();
  let closed = false;
  const open = () => {
    if (closed) throw new Error('the store is closed');
  };

  const store: ClusterStore = {
    async createSession(r) {
      open();
      await pool.query(`INSERT INTO sessions (${SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)`, [r.id, r.editToken, r.viewToken, r.createdAt, r.memberKey, r.mobKey]);
    },
    async findSession(token): Promise<Lookup | null> {
      open();
      // An edit token wins should a token ever be both (as the SQLite store answers).
      const { rows } = await pool.query<SessionRow & { is_edit: boolean }>(
        `SELECT ${SESSION_COLUMNS}, edit_token = $1 AS is_edit FROM sessions WHERE edit_token = $1 OR view_token = $1 ORDER BY is_edit DESC LIMIT 1`,
        [token],
      );
      const row = rows[0];
      return row ? { session: toRecord(row), kind: row.is_edit ? 'edit' : 'view' } : null;
    },
    async getSession(id) {
      open();
      const { rows } = await pool.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = $1`, [id]);
      const row = rows[0];
      return row ? toRecord(row) : null;
    },
    async replaceToken(id, kind: LinkKind, token) {
      open();
      if (kind === 'edit') await pool.query('UPDATE sessions SET edit_token = $2 WHERE id = $1', [id, token]);
      else await pool.query('UPDATE sessions SET view_token = $2 WHERE id = $1', [id, token]);
    },
    async findSessionByMobKey(key) {
      open();
      const { rows } = await pool.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE mob_key = $1`, [key]);
      const row = rows[0];
      return row ? toRecord(row) : null;
    },
    async replaceMobKey(id, key) {
      open();
      await pool.query('UPDATE sessions SET mob_key = $2 WHERE id = $1', [id, key]);
    },
    ...pgIntegrations(pool),

    async loadSession(id) {
      open();
      return loadSession(pool, id);
    },
    append(id, updates, fence) {
      if (closed) return Promise.reject(new Error('the store is closed'));
      return appender.append(id, updates, fence);
    },
    compact(id, uptoSeq) {
      if (closed) return Promise.reject(new Error('the store is closed'));
      return compacting.run(id, async () => {
        await worker.compact(id, uptoSeq);
      });
    },
    async readSince(id, afterSeq) {
      open();
      return readSince(pool, id, afterSeq);
    },
    async lastSeq(id) {
      open();
      return lastSeq(pool, id);
    },
    async lastSeqs(ids) {
      open();
      return lastSeqs(pool, ids);
    },
    ...pgLeases(pool),

    async recoveredSessions() {
      // Nothing to recover: a record exists in PostgreSQL only once its transaction committed, and
      // what committed is all there after a crash. No log outlives a process here, unlike the
      // SQLite store's segments, so no session ever comes back "recovered".
      return [];
    },
    async health(): Promise<StoreHealth> {
      if (closed) return { ok: false, reason: 'the store is closed' };
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${healthTimeoutMs} ms`)), healthTimeoutMs);
      });
      try {
        const probe = pool.query<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby');
        probe.catch(() => undefined); // settles after the race when it lost
        const { rows } = await Promise.race([probe, late]);
        if (rows[0]?.standby) return { ok: false, reason: 'PostgreSQL: the server is a read-only standby (in recovery); DATABASE_URL must name the primary' };
        return { ok: true };
      } catch (err) {
        const why = /^no answer within/.test((err as Error).message) ? `${target.where} gave ${(err as Error).message}` : describe(err);
        return { ok: false, reason: `PostgreSQL: ${why}` };
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      // What was accepted is written (or fails) before the connections go.
      await appender.idle();
      await compacting.settled();
      await worker.close();
      await pool.end();
    },
  };
  return store;
}
