'use client';

import { type FormEvent, useLayoutEffect, useRef, useState } from 'react';
import { LIMITS } from '../../lib/doc/schema';
import { normalizeName } from '../../lib/memberName';

/** Asks for a display name; used to join and to rename. */
export function JoinForm({ initial, submitLabel, onSubmit, onCancel }: { initial: string; submitLabel: string; onSubmit(name: string): void; onCancel?(): void }) {
  const [name, setName] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  // The form opens as a dialog: focus its only field in the commit that shows it (before it paints),
  // so the first keystroke lands in the field.
  useLayoutEffect(() => input.current?.focus(), []);

  function submit(e: FormEvent) {
    e.preventDefault();
    const r = normalizeName(name);
    if (!r.ok) {
      setError(`Your name ${r.reason.replace(/^name /, '')}.`);
      return;
    }
    onSubmit(r.name);
  }

  return (
    <form className="join" onSubmit={submit} aria-label={submitLabel}>
      <label>
        <span>Your name</span>
        <input
          name="displayName"
          autoComplete="nickname"
          ref={input}
          value={name}
          maxLength={LIMITS.memberName + 10}
          onChange={(e) => {
            setName(e.target.value);
            setError(null);
          }}
        />
      </label>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="row">
        <button className="button primary" type="submit">
          {submitLabel}
        </button>
        {onCancel && (
          <button className="button ghost" type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
