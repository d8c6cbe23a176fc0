'use client';

import type { SessionDocs } from '../../lib/doc/schema';
import { type ReactNode, useCallback, useState } from 'react';
import { listTasks } from '../../lib/task';
import { useDocSelector } from '../_hooks/useDoc';
import { CurrentTask, type Switching } from './CurrentTask';
import { DoneTasks } from './DoneTasks';
import { useSession } from './SessionContext';
import { TaskQueue } from './TaskQueue';
import { useStageClock } from './stageClock';
import { TaskClock } from './taskClock';
import '../_styles/task.css';

const selectTasks = (doc: SessionDocs) => listTasks(doc);

/** One task at a time: the current task, Next up, and what is done (`afterCurrent` goes between the first two). */
export function TaskPanel({ afterCurrent }: { afterCurrent?: ReactNode }) {
  const { conn } = useSession();
  const { current, queue, done } = useDocSelector(conn.docs, useCallback(selectTasks, []));
  const [switching, setSwitching] = useState<Switching>(null);
  const { now } = useStageClock();

  return (
    <TaskClock.Provider value={now}>
      <div className="tasks">
        <CurrentTask task={current} queue={queue} switching={current ? switching : null} onSwitching={setSwitching} />
        {afterCurrent}
        <TaskQueue queue={queue} hasCurrent={current !== null} onSwitch={(to) => setSwitching({ to })} />
        <DoneTasks done={done} />
      </div>
    </TaskClock.Provider>
  );
}
