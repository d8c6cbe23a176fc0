'use client';

import { type ReactNode, Suspense, useState } from 'react';
import type { OnDemand } from './onDemand';

/**
 * A closed-by-default disclosure whose body is fetched when it is first opened (see onDemand), and
 * kept mounted after that so a half-filled form survives closing and reopening it.
 */
export function OnDemandDetails<P extends object>({
  className,
  summary,
  summaryClassName,
  part,
  props,
}: {
  className: string;
  summary: ReactNode;
  summaryClassName?: string;
  part: OnDemand<P>;
  props: P;
}) {
  const [opened, setOpened] = useState(false);
  return (
    <details className={className} onToggle={(e) => e.currentTarget.open && setOpened(true)}>
      <summary className={summaryClassName}>{summary}</summary>
      {opened && (
        <Suspense fallback={<p className="muted small">Loading…</p>}>
          <part.Component {...props} />
        </Suspense>
      )}
    </details>
  );
}
