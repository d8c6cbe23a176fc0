'use client';

import { useCallback } from 'react';
import { onlineMemberIds } from '../../lib/presence';
import { useAwarenessStates, useDocSelector } from '../_hooks/useDoc';
import { useSession } from './SessionContext';
import { TimerSettings } from './TimerSettings';
import { restOfMob, selectTimerDoc } from './timerView';
import '../_styles/timer.css';

/**
 * The rest of the rotation, below the current task: the mob in the order they come up, the break
 * rhythm and the timer settings. Roles and the clock (TimerPanel) and the task come first on every
 * screen; on a phone this is what one scrolls to.
 */
export function RotationDetails() {
  const { conn, readOnly } = useSession();
  const view = useDocSelector(conn.docs, useCallback(selectTimerDoc, []));
  const online = onlineMemberIds(useAwarenessStates(conn.provider.awareness));
  const { settings } = view;
  const rest = restOfMob(view);
  return (
    <section className="card rotation-details" aria-labelledby="mob-order-title">
      <h2 id="mob-order-title" className="role-label muted">
        The mob
      </h2>
      <ul aria-label="The rest of the mob">
        {rest.map((m) => (
          <li key={m.id} className={m.away ? 'away' : undefined} title={m.name}>
            <span className="mob-name">{m.name}</span>
            {m.away && <span className="tag">away</span>}
            {!m.away && !online.has(m.id) && <span className="tag">offline</span>}
          </li>
        ))}
        {rest.length === 0 && <li className="muted">Nobody else yet</li>}
      </ul>
      <p className="muted small rhythm">
        {settings.breakEvery > 0 ? `Break every ${settings.breakEvery} turns` : 'No breaks'} · {settings.autoStart ? 'auto-start on' : 'auto-start off'}
      </p>
      {!readOnly && <TimerSettings settings={settings} />}
    </section>
  );
}
