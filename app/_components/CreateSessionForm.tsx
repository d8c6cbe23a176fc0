'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { LIMITS } from '../../lib/doc/schema';

export function CreateSessionForm() {
  const router = useRouter();
  const [name, setName] = useState('');
  const [minutes, setMinutes] = useState('7');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const m = Number(minutes);
    if (!Number.isFinite(m) || m * 60 < LIMITS.turnSecondsMin || m * 60 > LIMITS.turnSecondsMax) {
      setError(`Turn length must be between ${LIMITS.turnSecondsMin / 60} and ${LIMITS.turnSecondsMax / 60} minutes.`);
      return;
    }
    setBusy(true);
    try {
      const res = await fetch('/api/sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...(name.trim() ? { name } : {}), turnSeconds: Math.round(m * 60) }),
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
    <form className="card form" onSubmit={submit} aria-label="Start a session">
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
      <label>
        <span>Turn length (minutes)</span>
        <input
          name="minutes"
          type="number"
          inputMode="decimal"
          min={LIMITS.turnSecondsMin / 60}
          max={LIMITS.turnSecondsMax / 60}
          step="0.5"
          value={minutes}
          onChange={(e) => setMinutes(e.target.value)}
        />
      </label>
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
