'use client';

import { TaskPanel } from './TaskPanel';
import { TimerPanel } from './TimerPanel';

/** The big, shared part of the screen: who drives, who navigates (with the timer), and the current task. */
export function SessionStage() {
  return (
    <section className="stage" aria-label="Now">
      <TimerPanel />
      <TaskPanel />
    </section>
  );
}
