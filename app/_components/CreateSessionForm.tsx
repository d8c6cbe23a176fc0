'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { DEFAULT_SETTINGS, LIMITS } from '../../lib/doc/schema';
import { DurationField } from './DurationField';
import { formatDuration, parseDuration } from './durationView';

export function CreateSessionForm({ minTurnSeconds }: { minTurnSeconds: number }) {
  const router = useRouter();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    const f = new FormData(e.currentTarget);
    const turn = parseDuration(String(f.get('turnMinutes') ?? ''), String(f.get('turnSeconds') ?? ''), { what: 'Turn length', min: minTurnSeconds, max: LIMITS.turnSecondsMax });
    if (!turn.ok) {
      setError(turn.error);
      return;
    }
    setBusy(true);
    try {
      const res = await fetch('/api/sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...(name.trim() ? { name } : {}), turnSeconds: turn.seconds }),
      });
      const body = (await res.json()) as { id?: string; error?: string };
      if (!res.ok || !body.id) throw new Error(body.error ?? `could not create the session (${res.status})`);
      router.push(`/s/${body.id}`);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  }

  return (
    <form className="card form" onSubmit={submit} aria-label="Start a session" noValidate>
      <label>
        <span>Session name</span>
        <input
          name="name"
          value={name}
          maxLength={LIMITS.sessionName}
          placeholder="e.g. Checkout refactor mob"
          onChange={(e) => setName(e.target.value)}
        />
      </label>
      <DurationField legend="Turn length" name="turn" seconds={DEFAULT_SETTINGS.turnSeconds} />
      <p className="muted small hint-line">
        Any length from {formatDuration(minTurnSeconds)} to {formatDuration(LIMITS.turnSecondsMax)}; you can change it in the session.
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button className="button primary large" type="submit" disabled={busy}>
        {busy ? 'Starting…' : 'Start a session'}
      </button>
    </form>
  );
}
