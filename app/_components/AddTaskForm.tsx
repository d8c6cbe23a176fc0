'use client';

import { useState } from 'react';
import { LIMITS } from '../../lib/doc/schema';
import { addTask } from '../../lib/task';
import { useSession } from './SessionContext';
import { useTaskClock } from './taskClock';

/** One line to add a task: it joins the queue, or becomes current when there is none. */
export function AddTaskForm({ label, placeholder }: { label: string; placeholder: string }) {
  const { conn } = useSession();
  const [title, setTitle] = useState('');
  const [error, setError] = useState<string | null>(null);
  const clock = useTaskClock();
  return (
    <form
      className="add-task row"
      onSubmit={(e) => {
        e.preventDefault();
        const t = title.replace(/\s+/g, ' ').trim();
        if (!t) {
          setError('Give the task a title first.');
          return;
        }
        addTask(conn.docs, { title: t }, clock());
        setTitle('');
        setError(null);
      }}
    >
      <input
        type="text"
        aria-label={label}
        placeholder={placeholder}
        maxLength={LIMITS.taskTitle}
        value={title}
        onChange={(e) => setTitle(e.target.value)}
        aria-invalid={error ? true : undefined}
      />
      <button type="submit" className="button">
        {label}
      </button>
      {error && (
        <p role="alert" className="error small">
          {error}
        </p>
      )}
    </form>
  );
}
