/**
 * Session leases (which instance owns a session's server writes and timer) and timers, in the
 * sessions and timers tables.
 *
 * Every time comparison is on the database's clock (now()), never an instance's: instances'
 * clocks drift, and a lease judged live by one and expired by another would have two owners. Each
 * operation is one statement, so it is atomic, and a concurrent one on the same row waits for the
 * row lock and is then evaluated again against the committed row (READ COMMITTED's re-check): two
 * instances acquiring at once get one lease and one null. The epoch is the fencing token appends
 * check (pgAppender.ts); it only ever grows.
 */
import type { Pool } from 'pg';
import type { SessionId } from '../../lib/ids';
import type { ClusterStore, Lease } from './types';

type LeaseMethods = Pick<ClusterStore, 'acquireLease' | 'renewLeases' | 'releaseLease' | 'currentLease' | 'orphanedTimers' | 'setTimerDue' | 'listTimersDue'>;

interface LeaseRow {
  id: string;
  owner: string;
  epoch: number;
  expires_ms: number;
}

const LEASE_COLUMNS = 'id, lease_owner AS owner, lease_epoch AS epoch, extract(epoch FROM lease_expires)::float8 * 1000 AS expires_ms';

const toLease = (r: LeaseRow): Lease => ({ sessionId: r.id as SessionId, owner: r.owner, epoch: r.epoch, expiresAt: Math.round(r.expires_ms) });

function ttl(ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) throw new Error(`a lease needs a positive time to live, not ${ms} ms`);
  return Math.ceil(ms);
}

export function pgLeases(pool: Pool): LeaseMethods {
  return {
    async acquireLease(id, owner, ttlMs) {
      // Free or expired: a new epoch, even for the same owner (its fenced writes of the expired
      // epoch must stay refused). Live and its own: renewed, same epoch.
      const { rows } = await pool.query<LeaseRow>(
        `UPDATE sessions SET
           lease_epoch = CASE WHEN lease_owner = $2 AND lease_expires > now() THEN lease_epoch ELSE lease_epoch + 1 END,
           lease_owner = $2,
           lease_expires = now() + $3 * interval '1 millisecond'
         WHERE id = $1 AND (lease_owner IS NULL OR lease_expires IS NULL OR lease_expires <= now() OR lease_owner = $2)
         RETURNING ${LEASE_COLUMNS}`,
        [id, owner, ttl(ttlMs)],
      );
      const row = rows[0];
      if (row) return toLease(row);
      const { rowCount } = await pool.query('SELECT 1 FROM sessions WHERE id = $1', [id]);
      if (!rowCount) throw new Error('cannot take the lease: the session does not exist in the database');
      return null;
    },

    async renewLeases(owner, leases, ttlMs) {
      if (leases.length === 0) return [];
      // The rows are locked in id order first: two statements locking overlapping sets in
      // different orders could deadlock. A lease counts as held only if it is still this owner's,
      // with that epoch, and has not run out before this renewal.
      const { rows } = await pool.query<LeaseRow>(
        `WITH wanted AS (SELECT * FROM unnest($2::text[], $3::bigint[]) AS w (id, epoch)),
         held AS (
           SELECT s.id FROM sessions s JOIN wanted w ON w.id = s.id
           WHERE s.lease_owner = $1 AND s.lease_epoch = w.epoch AND s.lease_expires > now()
           ORDER BY s.id FOR NO KEY UPDATE OF s
         )
         UPDATE sessions s SET lease_expires = now() + $4 * interval '1 millisecond'
         FROM held WHERE s.id = held.id
         RETURNING ${LEASE_COLUMNS.replace(/^id/, 's.id')}`,
        [owner, leases.map((l) => l.sessionId), leases.map((l) => l.epoch), ttl(ttlMs)],
      );
      return rows.map(toLease);
    },

    async releaseLease(id, owner, epoch) {
      // Expired as of now: anyone may take it at once (with the next epoch).
      await pool.query('UPDATE sessions SET lease_expires = now() WHERE id = $1 AND lease_owner = $2 AND lease_epoch = $3 AND lease_expires > now()', [id, owner, epoch]);
    },

    async currentLease(id) {
      const { rows } = await pool.query<LeaseRow>(`SELECT ${LEASE_COLUMNS} FROM sessions WHERE id = $1 AND lease_owner IS NOT NULL`, [id]);
      const row = rows[0];
      return row ? toLease(row) : null;
    },

    async orphanedTimers(before) {
      // Only sessions that exist: a timer without its session cannot be leased or loaded.
      const { rows } = await pool.query<{ session_id: string; due_at: number }>(
        `SELECT t.session_id, t.due_at FROM timers t JOIN sessions s ON s.id = t.session_id
         WHERE t.due_at < $1 AND (s.lease_owner IS NULL OR s.lease_expires IS NULL OR s.lease_expires <= now())
         ORDER BY t.due_at, t.session_id`,
        [Math.round(before)],
      );
      return rows.map((r) => ({ sessionId: r.session_id as SessionId, dueAt: r.due_at }));
    },

    async setTimerDue(id, dueAt) {
      if (dueAt === null) await pool.query('DELETE FROM timers WHERE session_id = $1', [id]);
      else await pool.query('INSERT INTO timers (session_id, due_at) VALUES ($1, $2) ON CONFLICT (session_id) DO UPDATE SET due_at = excluded.due_at', [id, Math.round(dueAt)]);
    },

    async listTimersDue() {
      const { rows } = await pool.query<{ session_id: string; due_at: number }>('SELECT session_id, due_at FROM timers ORDER BY due_at, session_id');
      return rows.map((r) => ({ sessionId: r.session_id as SessionId, dueAt: r.due_at }));
    },
  };
}
