/**
 * `npm run migrate`: applies the PostgreSQL schema's missing migrations (server/cluster/pgSchema.ts)
 * to DATABASE_URL, ahead of a deploy of cluster mode. Safe to run while instances start (they wait
 * for the same advisory lock) and to run twice (the second applies nothing). Exit code 1 with a
 * readable line when it cannot.
 */
import { MIGRATIONS, migrate } from '../server/cluster/pgSchema';

const url = process.env.DATABASE_URL;
if (!url) {
  process.stderr.write('migrate: DATABASE_URL is not set (e.g. DATABASE_URL=postgres://user:password@host:5432/mobflow npm run migrate)\n');
  process.exit(1);
}
try {
  const applied = await migrate(url);
  const newest = Math.max(...MIGRATIONS.map((m) => m.version));
  for (const m of applied) process.stdout.write(`migrate: applied ${m.version} (${m.name})\n`);
  process.stdout.write(applied.length === 0 ? `migrate: the schema was up to date (version ${newest})\n` : `migrate: the schema is at version ${newest}\n`);
} catch (err) {
  process.stderr.write(`migrate: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
