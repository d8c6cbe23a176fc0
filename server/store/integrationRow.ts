import type { SessionId } from '../../lib/ids';
import type { IntegrationRecord } from './types';

/** An integration as both stores keep it (SQLite and PostgreSQL share the columns). */
export type IntegrationRow = { id: string; session_id: string; provider: string; label: string; secret: string; config: string; created_at: number };

export const toIntegration = (r: IntegrationRow): IntegrationRecord => ({
  id: r.id,
  sessionId: r.session_id as SessionId,
  provider: r.provider as IntegrationRecord['provider'],
  label: r.label,
  secret: r.secret,
  config: r.config,
  createdAt: r.created_at,
});
