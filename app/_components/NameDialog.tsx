'use client';

import { JoinForm } from './JoinForm';

/** The modal that asks for a display name: to join a session, or to change one's name in it. */
export function NameDialog({ title, ...form }: { title: string } & Parameters<typeof JoinForm>[0]) {
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="join-title">
      <div className="card dialog">
        <h2 id="join-title">{title}</h2>
        <JoinForm {...form} />
      </div>
    </div>
  );
}
