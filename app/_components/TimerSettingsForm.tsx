'use client';

import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { SessionSettings } from '../../lib/doc/schema';
import { LIMITS } from '../../lib/doc/schema';
import { DurationField } from './DurationField';
import { formatDuration, parseDuration } from './durationView';
import { useSession } from './SessionContext';
import { fieldValues, type SettingKey, settingOf, touchedPatch } from './settingsDraft';

/**
 * Turn and break length (minutes and seconds; seconds on the wire), breaks, auto-start, skipping
 * offline members. The body of TimerSettings' disclosure, loaded when it is first opened.
 */
export function TimerSettingsForm({ settings }: { settings: SessionSettings }) {
  const { conn, limits } = useSession();
  const [status, setStatus] = useState<{ kind: 'idle' | 'saving' | 'saved' } | { kind: 'error'; message: string }>({ kind: 'idle' });
  const bounds = (what: string) => ({ what, min: limits.minTurnSeconds, max: LIMITS.turnSecondsMax });
  const form = useRef<HTMLFormElement>(null);
  const touched = useRef(new Set<SettingKey>());

  // Someone else saved: the fields this person has not touched show the new values; the ones they
  // are editing keep what they typed.
  useEffect(() => {
    const el = form.current;
    if (!el) return;
    for (const [name, value] of Object.entries(fieldValues(settings))) {
      const key = settingOf(name);
      const input = el.elements.namedItem(name);
      if (!key || touched.current.has(key) || !(input instanceof HTMLInputElement)) continue;
      if (typeof value === 'boolean') input.checked = value;
      else input.value = value;
    }
  }, [settings]);

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const text = (name: string) => String(f.get(name) ?? '');
    const turn = parseDuration(text('turnMinutes'), text('turnSeconds'), bounds('Turn length'));
    const pause = parseDuration(text('breakMinutes'), text('breakSeconds'), bounds('Break length'));
    const breakEvery = Number(text('breakEvery'));
    if (!turn.ok) return setStatus({ kind: 'error', message: turn.error });
    if (!pause.ok) return setStatus({ kind: 'error', message: pause.error });
    if (!Number.isInteger(breakEvery) || breakEvery < 0 || breakEvery > 100) return setStatus({ kind: 'error', message: 'Break every: a whole number of turns from 0 to 100.' });
    const full: SessionSettings = {
      turnSeconds: turn.seconds,
      breakEvery,
      breakSeconds: pause.seconds,
      autoStart: f.get('autoStart') === 'on',
      skipOffline: f.get('skipOffline') === 'on',
    };
    // Only what this person changed: a colleague's save meanwhile stays.
    const patch = touchedPatch(full, touched.current);
    if (Object.keys(patch).length === 0) return setStatus({ kind: 'saved' });
    setStatus({ kind: 'saving' });
    conn.socket.timeout(10_000).emit('timer:settings', patch, (err, reply) => {
      if (err) setStatus({ kind: 'error', message: 'No answer from the server: try again.' });
      else if (!reply.ok) setStatus({ kind: 'error', message: reply.error.replace(/turnSeconds/g, 'Turn length').replace(/breakSeconds/g, 'Break length') });
      else {
        touched.current.clear();
        setStatus({ kind: 'saved' });
      }
    });
  };

  return (
    <form
        ref={form}
        onSubmit={onSubmit}
        onChange={(e) => {
          const key = e.target instanceof HTMLInputElement ? settingOf(e.target.name) : null;
          if (key) touched.current.add(key);
        }}
        className="timer-settings-form"
        noValidate
      >
        <DurationField legend="Turn length" name="turn" seconds={settings.turnSeconds} />
        <label>
          Break every … turns (0 = no breaks)
          <input name="breakEvery" type="number" inputMode="numeric" min="0" max="100" step="1" defaultValue={settings.breakEvery} />
        </label>
        <DurationField legend="Break length" name="break" seconds={settings.breakSeconds} />
        <p className="muted small hint-line">Any length from {formatDuration(limits.minTurnSeconds)} to {formatDuration(LIMITS.turnSecondsMax)}.</p>
        <label className="check">
          <input name="autoStart" type="checkbox" defaultChecked={settings.autoStart} /> Start the next turn automatically
        </label>
        <label className="check">
          <input name="skipOffline" type="checkbox" defaultChecked={settings.skipOffline} /> Pass over members who are offline
        </label>
        <div className="row">
          <button type="submit" className="button primary" disabled={status.kind === 'saving'}>
            Save timer settings
          </button>
          <output className="small" aria-live="polite">
            {status.kind === 'saved' && <span className="muted">Saved — applies from the next turn</span>}
          </output>
          {status.kind === 'error' && (
            <span role="alert" className="error small">
              {status.message}
            </span>
          )}
        </div>
    </form>
  );
}
