/**
 * vitest globalSetup for the projects that use PostgreSQL: when the machine's server at
 * TEST_DATABASE_URL (default 127.0.0.1:5432, trust auth) does not answer, a private PostgreSQL
 * (initdb in a temp dir) stands in for it for the whole run, so a fresh machine with only the
 * Debian package installed runs every test.
 */
import pg from 'pg';
import { ADMIN_URL, startPrivatePostgres } from './postgres';

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (await answers(ADMIN_URL)) return undefined;
  const server = await startPrivatePostgres();
  process.env.TEST_DATABASE_URL = server.url;
  console.info(`PostgreSQL at ${ADMIN_URL} did not answer: the tests use a private one at ${server.url}`);
  return () => server.dispose();
}
