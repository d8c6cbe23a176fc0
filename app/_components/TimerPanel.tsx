'use client';

import { useCallback, useState } from 'react';
import { onlineMemberIds } from '../../lib/presence';
import type { TimerAction } from '../../lib/rotation';
import { remainingMs } from '../../lib/timer';
import { useAwarenessStates, useDocSelector } from '../_hooks/useDoc';
import { useServerClock, useTick } from '../_hooks/useServerClock';
import { useTurnAlerts } from '../_hooks/useTurnAlerts';
import { useSession } from './SessionContext';
import { TimerSettings } from './TimerSettings';
import { formatRemaining, nameOf, restOfMob, selectTimerDoc, turnEvent, upcomingDriver } from './timerView';
import '../_styles/timer.css';

/** Roles and the shared turn timer: remaining time is computed from server timestamps, never counted. */
export function TimerPanel() {
  const { conn, me, readOnly } = useSession();
  const view = useDocSelector(conn.doc, useCallback(selectTimerDoc, []));
  const online = onlineMemberIds(useAwarenessStates(conn.provider.awareness));
  const clock = useServerClock(conn.socket);
  const { rotation, settings, members } = view;
  const timer = rotation.timer;
  useTick(timer.status === 'running');
  const now = clock.now();
  const left = remainingMs(timer, now);
  const driver = nameOf(members, rotation.driver);
  const navigator = nameOf(members, rotation.navigator);
  const next = timer.status === 'idle' ? null : upcomingDriver(view, online, now);
  const phase = timer.status === 'idle' ? null : timer.phase;
  const alerts = useTurnAlerts({
    phaseKey: timer.status === 'idle' ? null : `${rotation.turn}:${timer.phase}:${timer.startedAt}`,
    remainingMs: left,
    event: turnEvent(view, now),
    title: timer.status === 'running' && left !== null ? `${formatRemaining(left)} · ${phase === 'break' ? 'break' : `${driver ?? '—'} driving`}` : '',
  });
  const [pending, setPending] = useState<TimerAction | null>(null);
  const [error, setError] = useState<string | null>(null);

  const send = (action: TimerAction) => {
    setPending(action);
    setError(null);
    conn.socket.timeout(10_000).emit('timer:action', { action }, (err, reply) => {
      setPending(null);
      if (err) setError('No answer from the server: check the connection and try again.');
      else if (!reply.ok) setError(reply.error);
    });
  };
  const button = (action: TimerAction, label: string, primary = false) => (
    <button type="button" className={`button${primary ? ' primary large' : ''}`} disabled={pending !== null} onClick={() => send(action)}>
      {label}
    </button>
  );

  return (
    <section className="card timer-panel" aria-label="Rotation" data-timer={timer.status} data-phase={phase ?? 'none'} data-warning={alerts.warning}>
      <div className="roles">
        <div className="role driver">
          <span className="role-label">Driver</span>
          <span className="role-name" data-testid="driver">
            {driver ?? '—'}
          </span>
          {me && me.id === rotation.driver && <span className="role-you">That’s you: take the keyboard</span>}
        </div>
        <div className="role navigator">
          <span className="role-label">Navigator</span>
          <span className="role-name" data-testid="navigator">
            {navigator ?? '—'}
          </span>
          {me && me.id === rotation.navigator && <span className="role-you">That’s you: steer</span>}
        </div>
      </div>

      <div className="timer-row">
        <div className="timer-clock">
          <span className="timer-phase">{phase === 'break' ? 'Break' : `Turn ${rotation.turn + 1}`}{timer.status === 'paused' ? ' · paused' : ''}</span>
          <span role="timer" aria-label="Time left" className="timer-remaining" data-testid="remaining">
            {formatRemaining(left ?? settings.turnSeconds * 1000)}
          </span>
          {alerts.warning && <span className="timer-warning">Less than 30 seconds left — get ready to switch</span>}
        </div>
        {!readOnly && (
          <fieldset className="timer-controls">
            <legend className="timer-sr-only">Timer controls</legend>
            {timer.status === 'idle' && button('start', 'Start turn', true)}
            {timer.status === 'running' && button('pause', 'Pause')}
            {timer.status === 'paused' && button('resume', 'Resume', true)}
            {button('skip', phase === 'break' ? 'Skip break' : timer.status === 'idle' ? 'Rotate' : 'Skip turn')}
            {timer.status !== 'idle' && button('reset', 'Reset')}
          </fieldset>
        )}
      </div>
      {error && (
        <p role="alert" className="error small">
          {error}
        </p>
      )}

      {me && next === me.id && rotation.driver !== me.id && (
        <p className="next-up you" data-testid="next-up">
          You are driving next
        </p>
      )}
      {next && next !== me?.id && <p className="next-up muted small">Up next: {nameOf(members, next)} drives</p>}

      <div className="mob">
        <span className="role-label muted">The mob</span>
        <ul aria-label="The rest of the mob">
          {restOfMob(view).map((m) => (
            <li key={m.id} className={m.away ? 'away' : undefined}>
              {m.name}
              {m.away && <span className="tag">away</span>}
              {!m.away && !online.has(m.id) && <span className="tag muted">offline</span>}
            </li>
          ))}
          {restOfMob(view).length === 0 && <li className="muted">Nobody else yet</li>}
        </ul>
      </div>

      <div className="timer-foot">
        <span className="muted small">
          {settings.breakEvery > 0 ? `Break every ${settings.breakEvery} turns` : 'No breaks'} · {settings.autoStart ? 'auto-start on' : 'auto-start off'}
          {clock.estimate && ` · clock synced ±${Math.ceil(clock.estimate.rttMs / 2)} ms`}
        </span>
        <span className="alert-prefs small">
          {alerts.soundReady ? <span className="muted">Sound on</span> : <span className="muted">Sound after your first click</span>}
          {alerts.notify === 'off' && (
            <button type="button" className="button ghost small" onClick={alerts.enableNotifications}>
              Notify me
            </button>
          )}
          {alerts.notify === 'on' && (
            <button type="button" className="button ghost small" onClick={alerts.disableNotifications}>
              Notifications on
            </button>
          )}
        </span>
      </div>
      {!readOnly && <TimerSettings settings={settings} />}
    </section>
  );
}
