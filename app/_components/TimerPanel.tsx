'use client';

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { readSessionName, type SessionDocs, type TimerState } from '../../lib/doc/schema';
import { onlineMemberIds } from '../../lib/presence';
import type { TimerAction } from '../../lib/rotation';
import { remainingMs } from '../../lib/timer';
import { useAwarenessStates, useDocSelector } from '../_hooks/useDoc';
import { useSecondTicks } from '../_hooks/useServerClock';
import { useTurnAlerts } from '../_hooks/useTurnAlerts';
import { selectDelivery, withAlarm } from './deliveryView';
import { FitText } from './FitText';
import { useSession } from './SessionContext';
import { useStageClock } from './stageClock';
import { formatRemaining, isWarning, nameOf, selectTimerDoc, tabTitle, timerMode, turnEvent, upcomingDriver, warningWords } from './timerView';
import '../_styles/timer.css';

const selectAlarm = (docs: SessionDocs) => ({ alarm: selectDelivery(docs).alarm, name: readSessionName(docs) });

/** Smallest size a driver's or navigator's name shrinks to before it is cut (px). */
const ROLE_NAME_MIN_PX = 18;

/** The one button whose action follows the timer: start, pause, resume. It stays the same element, so it keeps the focus. */
function primaryAction(timer: TimerState): { action: TimerAction; label: string } {
  if (timer.status === 'idle') return { action: 'start', label: 'Start turn' };
  if (timer.status === 'running') return { action: 'pause', label: 'Pause' };
  return { action: 'resume', label: 'Resume' };
}

/**
 * Roles and the shared turn timer: remaining time is computed from server timestamps, never counted.
 * A turn, a break and a pause each look different (data-mode), and the page re-renders exactly when
 * the displayed second changes (useSecondTicks).
 */
export function TimerPanel() {
  const { conn, me, readOnly } = useSession();
  const view = useDocSelector(conn.docs, useCallback(selectTimerDoc, []));
  const online = onlineMemberIds(useAwarenessStates(conn.provider.awareness));
  const clock = useStageClock();
  const { rotation, settings, members } = view;
  // A failing pipeline says so in the tab title too ("✗ canary failing · 4:12 · Ana driving").
  const delivery = useDocSelector(conn.docs, useCallback(selectAlarm, []));
  const timer = rotation.timer;
  const remainingAt = useCallback((now: number) => remainingMs(timer, now), [timer]);
  useSecondTicks(remainingAt, clock, timer.status === 'running');
  const now = clock.now();
  const left = remainingAt(now);
  const mode = timerMode(timer);
  const onBreak = mode === 'break' || mode === 'paused-break';
  const driver = nameOf(members, rotation.driver);
  const navigator = nameOf(members, rotation.navigator);
  const next = timer.status === 'idle' || onBreak ? null : upcomingDriver(view, online, now);
  const warning = isWarning(timer, left);
  const alerts = useTurnAlerts({
    phaseKey: timer.status === 'idle' ? null : `${rotation.turn}:${timer.phase}:${timer.startedAt}`,
    warning,
    event: turnEvent(view, now),
    title: withAlarm(tabTitle(mode, left, driver), delivery.alarm, delivery.name),
  });
  const [pending, setPending] = useState<TimerAction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const primaryRef = useRef<HTMLButtonElement>(null);
  const controlsRef = useRef<HTMLFieldSetElement>(null);
  // Set by a timer action, until the person clicks or focuses anything else: if the button that had
  // the focus goes away (Reset), the focus goes to the primary button instead of the page.
  const keepFocus = useRef(false);
  useLayoutEffect(() => {
    if (keepFocus.current && (document.activeElement === document.body || document.activeElement === null)) primaryRef.current?.focus();
  });
  useEffect(() => {
    const elsewhere = (e: Event) => {
      if (!(e.target instanceof Node && controlsRef.current?.contains(e.target))) keepFocus.current = false;
    };
    document.addEventListener('pointerdown', elsewhere, true);
    document.addEventListener('focusin', elsewhere, true);
    return () => {
      document.removeEventListener('pointerdown', elsewhere, true);
      document.removeEventListener('focusin', elsewhere, true);
    };
  }, []);

  const send = (action: TimerAction) => {
    if (pending) return;
    keepFocus.current = true;
    setPending(action);
    setError(null);
    conn.socket.timeout(10_000).emit('timer:action', { action }, (err, reply) => {
      setPending(null);
      if (err) setError('No answer from the server: check the connection and try again.');
      else if (!reply.ok) setError(reply.error);
    });
  };
  // aria-disabled, not disabled, while a command is on its way: a disabled button drops the focus.
  const busy = pending !== null;
  const primary = primaryAction(timer);
  const phaseLabel = onBreak ? 'Break' : `Turn ${rotation.turn + 1}`;
  const stateLabel = mode === 'paused-turn' || mode === 'paused-break' ? 'Paused' : mode === 'idle' ? 'Not started' : null;

  return (
    <section className="card timer-panel" aria-label="Rotation" data-timer={timer.status} data-phase={timer.status === 'idle' ? 'none' : timer.phase} data-mode={mode} data-warning={warning}>
      {onBreak && (
        <div className="break-note" data-testid="break-note">
          <span className="break-title">Break</span>
          <span>Step away from the keyboard: stand up, stretch, get a drink.</span>
        </div>
      )}
      <div className="roles">
        {onBreak && <span className="roles-after">After the break</span>}
        <div className="role driver">
          <span className="role-label">Driver</span>
          <FitText text={driver ?? '—'} minPx={ROLE_NAME_MIN_PX} className="role-name" testId="driver" />
          {me && me.id === rotation.driver && <span className="role-you">{onBreak ? 'That’s you, after the break' : 'That’s you: take the keyboard'}</span>}
        </div>
        <div className="role navigator">
          <span className="role-label">Navigator</span>
          <FitText text={navigator ?? '—'} minPx={ROLE_NAME_MIN_PX} className="role-name" testId="navigator" />
          {me && me.id === rotation.navigator && <span className="role-you">{onBreak ? 'That’s you, after the break' : 'That’s you: steer'}</span>}
        </div>
      </div>

      <div className="timer-row">
        <div className="timer-clock">
          <span className="timer-phase">
            {phaseLabel}
            {stateLabel && (
              <span className="timer-state" data-testid="timer-state">
                {stateLabel}
              </span>
            )}
          </span>
          <span role="timer" aria-label="Time left" className="timer-remaining" data-testid="remaining">
            {formatRemaining(left ?? settings.turnSeconds * 1000)}
          </span>
          {warning && timer.status === 'running' && (
            <span className="timer-warning" data-testid="timer-warning">
              Less than {warningWords(timer.durationMs)} left — get ready to switch
            </span>
          )}
        </div>
        {!readOnly && (
          <fieldset className="timer-controls" ref={controlsRef}>
            <legend className="timer-sr-only">Timer controls</legend>
            <button
              ref={primaryRef}
              type="button"
              className={`button large${primary.action === 'pause' ? '' : ' primary'}`}
              aria-disabled={busy || undefined}
              onClick={() => send(primary.action)}
            >
              {primary.label}
            </button>
            <button type="button" className="button" aria-disabled={busy || undefined} onClick={() => send('skip')}>
              {onBreak ? 'Skip break' : timer.status === 'idle' ? 'Rotate' : 'Skip turn'}
            </button>
            {timer.status !== 'idle' && (
              <button type="button" className="button" aria-disabled={busy || undefined} onClick={() => send('reset')}>
                Reset
              </button>
            )}
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

      <div className="timer-foot">
        <span className="muted small">{clock.estimate ? `Clock synced ±${Math.ceil(clock.estimate.rttMs / 2)} ms` : 'Syncing the clock…'}</span>
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
    </section>
  );
}
