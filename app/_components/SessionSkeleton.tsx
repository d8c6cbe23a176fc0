import { ConnectionBadge } from './ConnectionBadge';
import { TopBar } from './TopBar';

const CONNECTING = { kind: 'connecting' } as const;

/**
 * What a session page shows before its script has run: the page's frame (top bar, the stage and
 * the side column as empty cards), rendered on the server, so a visitor sees the layout at the
 * first paint instead of a blank page, and nothing moves when the session fills it in. With a
 * `failure`, the session will not come: the badge says disconnected and the failure is an alert.
 */
export function SessionSkeleton({ failure }: { failure?: string }) {
  return (
    <div className="session">
      <TopBar heading="…">
        <ConnectionBadge status={failure ? { kind: 'gone', code: 0, reason: failure } : CONNECTING} />
        {/* Holds the bar at the height its buttons give it once the session is there. */}
        <span className="button skeleton-slot" aria-hidden="true">
          Copy invite link
        </span>
      </TopBar>
      {failure && (
        <p role="alert" className="banner error">
          {failure}
        </p>
      )}
      <main className="session-grid" id="main" tabIndex={-1} aria-busy="true">
        <SkeletonPanels />
      </main>
    </div>
  );
}

/** The stage and the side column as empty cards, until the session's panels render. */
export function SkeletonPanels() {
  return (
    <>
      <div className="stage">
        <div className="card skeleton tall" />
        <div className="card skeleton tall" />
      </div>
      <div className="side">
        <div className="card skeleton" />
        <div className="card skeleton" />
      </div>
    </>
  );
}
