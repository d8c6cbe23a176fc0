import type { ReactNode } from 'react';

/** The bar at the top of session pages: brand, page heading (with notes beside it) and actions. */
export function TopBar({ heading, notes, children }: { heading: ReactNode; notes?: ReactNode; children: ReactNode }) {
  return (
    <header className="topbar">
      <div className="title">
        <a className="brand" href="/" aria-label="Mobflow home">
          Mobflow
        </a>
        <h1>{heading}</h1>
        {notes}
      </div>
      <div className="actions">{children}</div>
    </header>
  );
}
