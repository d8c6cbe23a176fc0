'use client';

import { useCallback, useEffect, useState } from 'react';
import type * as Y from 'yjs';
import { ensureCurrent, listTasks } from '../../lib/task';
import { useDocSelector } from '../_hooks/useDoc';
import { useServerClock } from '../_hooks/useServerClock';
import { CurrentTask, type Switching } from './CurrentTask';
import { DoneTasks } from './DoneTasks';
import { useSession } from './SessionContext';
import { TaskQueue } from './TaskQueue';
import { TaskClock } from './taskClock';
import '../_styles/task.css';

const selectTasks = (doc: Y.Doc) => listTasks(doc);

/** One task at a time: the current task, Next up, and what is done. */
export function TaskPanel() {
  const { conn, readOnly } = useSession();
  const { current, queue, done } = useDocSelector(conn.doc, useCallback(selectTasks, []));
  const [switching, setSwitching] = useState<Switching>(null);
  const { now } = useServerClock(conn.socket);

  // Concurrent transitions from two browsers can leave no valid current task while some wait;
  // every editor promotes the same queue head, so the repairs converge.
  const needsRepair = !current && queue.length > 0;
  useEffect(() => {
    if (needsRepair && !readOnly) ensureCurrent(conn.doc, now());
  }, [needsRepair, readOnly, conn.doc, now]);

  return (
    <TaskClock.Provider value={now}>
      <div className="tasks">
        <CurrentTask task={current} queue={queue} switching={current ? switching : null} onSwitching={setSwitching} />
        <TaskQueue queue={queue} hasCurrent={current !== null} onSwitch={(to) => setSwitching({ to })} />
        <DoneTasks done={done} />
      </div>
    </TaskClock.Provider>
  );
}
