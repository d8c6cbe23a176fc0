'use client';

import { type FormEvent, useState } from 'react';
import type { SessionSettings } from '../../lib/doc/schema';
import { useSession } from './SessionContext';

const SECONDS_PER_MINUTE = 60;
const toMinutes = (s: number) => String(Math.round((s / SECONDS_PER_MINUTE) * 100) / 100);

/** Turn length (minutes in the UI, seconds on the wire), breaks, auto-start, skipping offline members. */
export function TimerSettings({ settings }: { settings: SessionSettings }) {
  const { conn } = useSession();
  const [status, setStatus] = useState<{ kind: 'idle' | 'saving' | 'saved' } | { kind: 'error'; message: string }>({ kind: 'idle' });

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const minutes = (name: string) => Math.round(Number(f.get(name)) * SECONDS_PER_MINUTE);
    const patch = {
      turnSeconds: minutes('turnMinutes'),
      breakEvery: Number(f.get('breakEvery')),
      breakSeconds: minutes('breakMinutes'),
      autoStart: f.get('autoStart') === 'on',
      skipOffline: f.get('skipOffline') === 'on',
    };
    setStatus({ kind: 'saving' });
    conn.socket.timeout(10_000).emit('timer:settings', patch, (err, reply) => {
      if (err) setStatus({ kind: 'error', message: 'No answer from the server: try again.' });
      else if (!reply.ok) setStatus({ kind: 'error', message: reply.error.replace(/turnSeconds/g, 'Turn length').replace(/breakSeconds/g, 'Break length') });
      else setStatus({ kind: 'saved' });
    });
  };

  // key: the form re-reads the settings when someone else changes them.
  const key = JSON.stringify(settings);
  return (
    <details className="timer-settings">
      <summary>Timer settings</summary>
      <form key={key} onSubmit={onSubmit} className="timer-settings-form">
        <label>
          Turn length (minutes)
          <input name="turnMinutes" type="number" min="0.5" max="240" step="0.5" defaultValue={toMinutes(settings.turnSeconds)} required />
        </label>
        <label>
          Break every … turns (0 = no breaks)
          <input name="breakEvery" type="number" min="0" max="100" step="1" defaultValue={settings.breakEvery} required />
        </label>
        <label>
          Break length (minutes)
          <input name="breakMinutes" type="number" min="0.5" max="240" step="0.5" defaultValue={toMinutes(settings.breakSeconds)} required />
        </label>
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
          {status.kind === 'saved' && <span className="muted small">Saved — applies from the next turn</span>}
          {status.kind === 'error' && (
            <span role="alert" className="error small">
              {status.message}
            </span>
          )}
        </div>
      </form>
    </details>
  );
}
