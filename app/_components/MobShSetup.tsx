'use client';

import { useId, useState } from 'react';
import type { MobKeyView } from '../../lib/protocol/integrations';
import type { Outcome } from '../_hooks/useIntegrations';
import { CopyButton } from './CopyButton';

/** The mob.sh room key as the two lines a team puts in its `.mob` file, and rotating it. */
export function MobShSetup({ mobKey, rotate }: { mobKey: MobKeyView | null; rotate: () => Promise<Outcome<MobKeyView>> }) {
  const ids = useId();
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const lines = mobKey?.env.join('\n') ?? '';
  return (
    <section className="integrations-section" aria-labelledby={`${ids}-mob`}>
      <h3 id={`${ids}-mob`}>mob.sh</h3>
      <p className="muted small">
        With these two lines in <code>.mob</code> (or the environment), <code>mob start 10</code> starts a 10-minute turn here with whoever ran it driving, and{' '}
        <code>mob goal</code> reads and sets the current task.
      </p>
      {mobKey ? (
        <>
          <pre className="env-lines" data-testid="mob-env">
            {lines}
          </pre>
          <div className="row">
            <CopyButton text={`${lines}\n`} label="Copy the two lines" />
            {asking ? (
              <>
                <span className="small">The old key stops at once: everyone updates their .mob.</span>
                <button
                  type="button"
                  className="button danger"
                  onClick={async () => {
                    const r = await rotate();
                    setError(r.ok ? null : r.error);
                    setAsking(false);
                  }}
                >
                  New key
                </button>
                <button type="button" className="button ghost" onClick={() => setAsking(false)}>
                  Keep it
                </button>
              </>
            ) : (
              <button type="button" className="button ghost" onClick={() => setAsking(true)}>
                Replace the key…
              </button>
            )}
          </div>
          <p className="muted small">mob.sh prints this URL on every call: anyone who sees it can drive the timer and the goal (nothing else). Replace it if it leaks.</p>
        </>
      ) : (
        <p className="muted small">Loading…</p>
      )}
      {error && (
        <p role="alert" className="error small">
          {error}
        </p>
      )}
    </section>
  );
}
