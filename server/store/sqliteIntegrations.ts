/**
 * The SQLite store's integrations (issue 33): a session's webhook endpoints and chat destinations,
 * and the delivery ids seen per endpoint (duplicates are refused across restarts, not just in
 * memory). Plain statements on the store's connection; the rows are small and rare.
 */
import type Database from 'better-sqlite3';
import type { Store } from './types';
import { type IntegrationRow, toIntegration } from './integrationRow';

export const INTEGRATION_SCHEMA = `
CREATE TABLE IF NOT EXISTS integrations (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  label TEXT NOT NULL,
  secret TEXT NOT NULL,
  config TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS integrations_session ON integrations(session_id);
CREATE TABLE IF NOT EXISTS deliveries (
  integration_id TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (integration_id, delivery_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS deliveries_seen ON deliveries(seen_at);
`;



type IntegrationMethods = Pick<Store, 'createIntegration' | 'listIntegrations' | 'getIntegration' | 'deleteIntegration' | 'rememberDelivery'>;

export function sqliteIntegrations(db: Database.Database): IntegrationMethods {
  db.exec(INTEGRATION_SCHEMA);
  const q = {
    insert: db.prepare('INSERT INTO integrations (id, session_id, provider, label, secret, config, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    list: db.prepare<[string], IntegrationRow>('SELECT * FROM integrations WHERE session_id = ? ORDER BY created_at, id'),
    get: db.prepare<[string], IntegrationRow>('SELECT * FROM integrations WHERE id = ?'),
    delete: db.prepare('DELETE FROM integrations WHERE session_id = ? AND id = ?'),
    forgetDeliveries: db.prepare('DELETE FROM deliveries WHERE integration_id = ?'),
    remember: db.prepare('INSERT INTO deliveries (integration_id, delivery_id, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
    forgetOld: db.prepare('DELETE FROM deliveries WHERE seen_at < ?'),
  };
  let lastForget = 0;
  return {
    async createIntegration(r) {
      q.insert.run(r.id, r.sessionId, r.provider, r.label, r.secret, r.config, r.createdAt);
    },
    async listIntegrations(id) {
      return q.list.all(id).map(toIntegration);
    },
    async getIntegration(integrationId) {
      const row = q.get.get(integrationId);
      return row ? toIntegration(row) : null;
    },
    async deleteIntegration(id, integrationId) {
      return db.transaction(() => {
        const gone = q.delete.run(id, integrationId).changes > 0;
        if (gone) q.forgetDeliveries.run(integrationId);
        return gone;
      })();
    },
    async rememberDelivery(integrationId, deliveryId, at, forgetBefore) {
      // Old ids go at most once a minute: one indexed range delete, not one per delivery.
      if (at - lastForget > 60_000) {
        q.forgetOld.run(forgetBefore);
        lastForget = at;
      }
      return q.remember.run(integrationId, deliveryId, at).changes > 0;
    },
  };
}
