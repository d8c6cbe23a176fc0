'use client';

import { useCallback } from 'react';
import type * as Y from 'yjs';
import { readRotation } from '../../lib/doc/schema';
import { getMember } from '../../lib/members';
import { listTasks } from '../../lib/task';
import { useDocSelector } from '../_hooks/useDoc';
import { useSession } from './SessionContext';
import { TaskPanel } from './TaskPanel';

const selectStage = (doc: Y.Doc) => {
  const r = readRotation(doc);
  return {
    driver: r.driver ? (getMember(doc, r.driver)?.name ?? null) : null,
    navigator: r.navigator ? (getMember(doc, r.navigator)?.name ?? null) : null,
    task: listTasks(doc).current,
  };
};

/** The big, shared part of the screen: who drives, who navigates, and the current task. */
export function SessionStage() {
  const { conn } = useSession();
  const stage = useDocSelector(conn.doc, useCallback(selectStage, []));
  return (
    <section className="stage" aria-label="Now">
      <div className="roles">
        <div className="role driver">
          <span className="role-label">Driver</span>
          <span className="role-name" data-testid="driver">
            {stage.driver ?? '—'}
          </span>
        </div>
        <div className="role navigator">
          <span className="role-label">Navigator</span>
          <span className="role-name" data-testid="navigator">
            {stage.navigator ?? '—'}
          </span>
        </div>
      </div>
      <TaskPanel />
    </section>
  );
}
