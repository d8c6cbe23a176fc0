import type { ReactNode } from 'react';

/**
 * The bar at the top of session pages: a skip link to the page's <main id="main"> (the keyboard's
 * first stop), brand, page heading (with notes beside it) and actions.
 */
export function TopBar({ heading, notes, skipLabel = 'Skip to the session', children }: { heading: ReactNode; notes?: ReactNode; skipLabel?: string; children: ReactNode }) {
  return (
    <>
      <a className="skip-link" href="#main">
        {skipLabel}
      </a>
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
    </>
  );
}
