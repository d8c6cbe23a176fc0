/**
 * A session's integrations (issue 33) and the delivery ids seen per endpoint, in PostgreSQL: the
 * same rules as the SQLite store (server/store/sqliteIntegrations.ts), shared by every instance,
 * so a delivery retried against another instance is still recognised as a duplicate.
 */
import type { Pool } from 'pg';
import type { Store } from '../store/types';
import { type IntegrationRow, toIntegration } from '../store/integrationRow';

type IntegrationMethods = Pick<Store, 'createIntegration' | 'listIntegrations' | 'getIntegration' | 'deleteIntegration' | 'rememberDelivery'>;

/** Old delivery ids are swept at most this often per instance: one indexed range delete, not one per delivery. */
const FORGET_EVERY_MS = 60_000;

const COLUMNS = 'id, session_id, provider, label, secret, config, created_at';

export function pgIntegrations(pool: Pool): IntegrationMethods {
  let lastForget = Number.NEGATIVE_INFINITY;
  return {
    async createIntegration(r) {
      await pool.query(`INSERT INTO integrations (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [r.id, r.sessionId, r.provider, r.label, r.secret, r.config, r.createdAt]);
    },
    async listIntegrations(id) {
      // Byte order for ties, as SQLite sorts: the database's collation must not change the list.
      const { rows } = await pool.query<IntegrationRow>(`SELECT ${COLUMNS} FROM integrations WHERE session_id = $1 ORDER BY created_at, id COLLATE "C"`, [id]);
      return rows.map(toIntegration);
    },
    async getIntegration(integrationId) {
      const { rows } = await pool.query<IntegrationRow>(`SELECT ${COLUMNS} FROM integrations WHERE id = $1`, [integrationId]);
      const row = rows[0];
      return row ? toIntegration(row) : null;
    },
    async deleteIntegration(id, integrationId) {
      // One statement, so one transaction: the endpoint and the ids it saw go together.
      const { rows } = await pool.query<{ gone: number }>(
        `WITH gone AS (DELETE FROM integrations WHERE session_id = $1 AND id = $2 RETURNING id),
         seen AS (DELETE FROM deliveries WHERE integration_id IN (SELECT id FROM gone))
         SELECT count(*)::int AS gone FROM gone`,
        [id, integrationId],
      );
      return (rows[0]?.gone ?? 0) > 0;
    },
    async rememberDelivery(integrationId, deliveryId, at, forgetBefore) {
      if (at - lastForget > FORGET_EVERY_MS) {
        await pool.query('DELETE FROM deliveries WHERE seen_at < $1', [Math.round(forgetBefore)]);
        lastForget = at;
      }
      const { rowCount } = await pool.query('INSERT INTO deliveries (integration_id, delivery_id, seen_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [integrationId, deliveryId, Math.round(at)]);
      return (rowCount ?? 0) > 0;
    },
  };
}
