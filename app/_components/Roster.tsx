'use client';

import { useCallback } from 'react';
import { readRotation } from '../../lib/doc/schema';
import { listMembers } from '../../lib/members';
import { onlineMemberIds, readPresence } from '../../lib/presence';
import { useAwarenessStates, useDocSelector } from '../_hooks/useDoc';
import { FitText } from './FitText';
import { RosterControls } from './RosterControls';
import { useSession } from './SessionContext';
import type { SessionDocs } from '../../lib/doc/schema';

const selectRoster = (doc: SessionDocs) => ({ members: listMembers(doc), rotation: readRotation(doc) });

/** Everyone in the session, in rotation order, with who is online right now. */
export function Roster() {
  const { conn, me, readOnly } = useSession();
  const { members, rotation } = useDocSelector(conn.docs, useCallback(selectRoster, []));
  const states = useAwarenessStates(conn.provider.awareness);
  const online = onlineMemberIds(states);
  const watchers = readPresence(states).filter((p) => p.watching).length;

  return (
    <section className="card roster" aria-labelledby="roster-title">
      <h2 id="roster-title">
        Mob <span className="count">{members.length}</span>
      </h2>
      {members.length === 0 ? (
        <p className="muted">Nobody has joined yet.</p>
      ) : (
        <ul aria-label="Members">
          {members.map((m) => {
            const isOnline = online.has(m.id);
            const role = rotation.driver === m.id ? 'driver' : rotation.navigator === m.id ? 'navigator' : null;
            return (
              <li key={m.id} data-member={m.name} data-online={isOnline} className={m.away ? 'away' : undefined}>
                <span className={`presence ${isOnline ? 'on' : 'off'}`} role="img" aria-label={isOnline ? 'online' : 'offline'} />
                <FitText text={m.name} minPx={13} className="name" />
                {me?.id === m.id && <span className="tag">you</span>}
                {role && <span className={`tag role-${role}`}>{role}</span>}
                {m.away && <span className="tag">away</span>}
              </li>
            );
          })}
        </ul>
      )}
      {!readOnly && <RosterControls />}
      {watchers > 0 && (
        <p className="muted small" data-testid="watchers">
          {watchers} watching
        </p>
      )}
    </section>
  );
}
