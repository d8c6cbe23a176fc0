'use client';

import { useServerClock } from '../_hooks/useServerClock';
import { RotationDetails } from './RotationDetails';
import { useSession } from './SessionContext';
import { StageClock } from './stageClock';
import { TaskPanel } from './TaskPanel';
import { TimerPanel } from './TimerPanel';

/**
 * The big, shared part of the screen, in reading order: who drives and navigates with the timer,
 * the current task, then the rest of the rotation and the task queue. Wide screens put the timer
 * and the task side by side (CSS grid); the order in the page stays this one, so the keyboard
 * and a phone's single column follow it.
 */
export function SessionStage() {
  const { conn } = useSession();
  const clock = useServerClock(conn.socket);
  return (
    <section className="stage" aria-label="Now">
      <StageClock.Provider value={clock}>
        <TimerPanel />
        <TaskPanel afterCurrent={<RotationDetails />} />
      </StageClock.Provider>
    </section>
  );
}
