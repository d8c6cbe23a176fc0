'use client';

import { createContext, useContext } from 'react';

/**
 * The clock task transitions are stamped with: the server's (estimated), because a task's time
 * window is matched against the server-stamped turn records to find who drove.
 */
export const TaskClock = createContext<() => number>(Date.now);
export const useTaskClock = () => useContext(TaskClock);
