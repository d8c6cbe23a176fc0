/**
 * The PostgreSQL schema of the cluster store, as numbered migrations recorded in
 * `schema_migrations`, and the readable errors of start-up.
 *
 * Migrations run in one transaction under a transaction-scoped advisory lock, so several instances
 * starting at once apply each migration exactly once: the others wait on the lock, then find the
 * versions recorded and apply nothing. (CREATE TABLE IF NOT EXISTS alone is not safe in parallel:
 * two sessions can both pass the check and one fails on the catalog's unique index.) `npm run
 * migrate` applies them ahead of a deploy; openPgStore applies whatever is missing on start too.
 */
import { Client, type ClientBase } from 'pg';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Append only: a migration that has shipped is never edited, the next change is a new version.
 *
 * records: one row per document update, `part` keeping a record's updates in the order given
 * (a record may hold several updates of one document, so the key is (session, seq, part), not
 * (session, seq, doc)). Every snapshot row of a session carries the same upto_seq (compact() moves
 * them together). timers and deliveries have no foreign keys: the Store contract lets a timer or a
 * delivery id be recorded for a session or integration that is not (or no longer) there.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'sessions, log records, snapshots, timers, integrations, deliveries',
    sql: `
CREATE TABLE sessions (
  id text PRIMARY KEY,
  edit_token text NOT NULL UNIQUE,
  view_token text NOT NULL UNIQUE,
  mob_key text NOT NULL UNIQUE,
  created_at bigint NOT NULL,
  member_key bytea NOT NULL,
  last_seq bigint NOT NULL DEFAULT 0,
  lease_owner text,
  lease_epoch bigint NOT NULL DEFAULT 0,
  lease_expires timestamptz
);
CREATE TABLE records (
  session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  seq bigint NOT NULL,
  part integer NOT NULL,
  doc smallint NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (session_id, seq, part)
);
CREATE TABLE snapshots (
  session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  doc smallint NOT NULL,
  data bytea NOT NULL,
  upto_seq bigint NOT NULL,
  PRIMARY KEY (session_id, doc)
);
CREATE TABLE timers (
  session_id text PRIMARY KEY,
  due_at bigint NOT NULL
);
CREATE INDEX timers_due ON timers (due_at);
CREATE TABLE integrations (
  id text PRIMARY KEY,
  session_id text NOT NULL,
  provider text NOT NULL,
  label text NOT NULL,
  secret text NOT NULL,
  config text NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX integrations_session ON integrations (session_id);
CREATE TABLE deliveries (
  integration_id text NOT NULL,
  delivery_id text NOT NULL,
  seen_at bigint NOT NULL,
  PRIMARY KEY (integration_id, delivery_id)
);
CREATE INDEX deliveries_seen ON deliveries (seen_at);
`,
  },
];

/** Key of the advisory lock migrations run under ('mobflow' in ASCII): any constant shared by all instances. */
const MIGRATION_LOCK = '30803240877322103';

/** Start-up failed for a reason a person must fix (address, credentials, database, schema version). */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/** Applies the migrations `client` has not recorded yet; answers the ones it applied. */
export async function runMigrations(client: ClientBase, migrations: readonly Migration[] = MIGRATIONS): Promise<Migration[]> {
  const applied: Migration[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    const newest = Math.max(0, ...done);
    const known = Math.max(0, ...migrations.map((m) => m.version));
    if (newest > known) {
      throw new StartupError(`the database schema is at version ${newest}, newer than this Mobflow knows (${known}): run a Mobflow at least as new as the one that migrated it`);
    }
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m);
    }
    await client.query('COMMIT');
    return applied;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Connects to `url`, applies the missing migrations and disconnects (`npm run migrate`). */
export async function migrate(url: string, options: { connectTimeoutMs?: number } = {}): Promise<Migration[]> {
  const target = parseDatabaseUrl(url);
  const client = new Client({ connectionString: url, connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000, application_name: 'mobflow-migrate' });
  // A connection that dies between queries emits 'error' on the client; the query in flight rejects anyway.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await runMigrations(client);
  } catch (err) {
    throw startupError(err, target, options.connectTimeoutMs ?? 5_000);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Where a URL points, for messages: host, port and database, never the user's password. */
export interface DatabaseTarget {
  where: string;
  database: string;
  user: string;
}

/** Checks that `url` is a PostgreSQL URL; throws a StartupError (that never repeats the URL) when not. */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const usage = 'expected postgres://user:password@host:5432/database';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StartupError(`DATABASE_URL is not a valid URL (${usage})`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new StartupError(`DATABASE_URL must start with postgres:// or postgresql://, not ${parsed.protocol}// (${usage})`);
  }
  const socket = parsed.searchParams.get('host');
  const host = parsed.hostname || socket || 'localhost';
  return {
    where: `${host}:${parsed.port || '5432'}`,
    database: decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username) || 'postgres',
    user: decodeURIComponent(parsed.username) || '(the default user)',
  };
}

type PgLikeError = { code?: string; message?: string; errors?: { code?: string }[] };

/** One readable sentence for a failure to reach or use PostgreSQL (no secrets: pg's messages carry none). */
export function describePgError(err: unknown, target: DatabaseTarget, connectTimeoutMs: number): string {
  const e = (err ?? {}) as PgLikeError;
  // Node reports a refused connection to a name with several addresses as an AggregateError.
  const code = e.code ?? e.errors?.find((x) => x.code)?.code;
  const at = `PostgreSQL at ${target.where}`;
  const check = 'Is DATABASE_URL right and the server running?';
  switch (code) {
    case 'ECONNREFUSED':
      return `cannot reach ${at}: connection refused (ECONNREFUSED). ${check}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot reach ${at}: the host name does not resolve (${code}). ${check}`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `cannot reach ${at}: no route or no answer (${code}). ${check}`;
    case 'ECONNRESET':
      return `${at} closed the connection (ECONNRESET): is it restarting, or is this port something else?`;
    case '28P01':
      return `${at} refused the password of user "${target.user}": check the credentials in DATABASE_URL`;
    case '28000':
      return `${at} does not let user "${target.user}" connect (pg_hba.conf or role): ${e.message ?? ''}`;
    case '3D000':
      return `${at} has no database "${target.database}": create it (createdb) or fix DATABASE_URL`;
    case '42501':
      return `user "${target.user}" may not create the tables on ${at} (database "${target.database}"): grant it CREATE, or run npm run migrate as the owner`;
    case '53300':
      return `${at} has no free connection (too many clients): raise max_connections or lower the pool size`;
    case '57P01':
    case '57P02':
    case '57P03':
      return `${at} is shutting down or starting up (${code}): try again once it is up`;
    case '57014':
      return `${at} cancelled a statement that ran past the statement timeout`;
  }
  const message = e.message ?? String(err);
  if (/timeout exceeded when trying to connect|connection timeout/i.test(message)) {
    return `cannot reach ${at}: no answer within ${connectTimeoutMs} ms (connect timeout). ${check}`;
  }
  if (/Query read timeout/.test(message)) return `${at} did not answer a query in time (query timeout: the server or the connection may be dead)`;
  if (/Connection terminated/i.test(message)) return `${at} closed the connection: ${message}`;
  return `${at}: ${message}`;
}

/** The StartupError for a failure while connecting or migrating (a StartupError passes through). */
export function startupError(err: unknown, target: DatabaseTarget, connectTimeoutMs: number): StartupError {
  if (err instanceof StartupError) return err;
  return new StartupError(describePgError(err, target, connectTimeoutMs), { cause: err });
}
