import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, INITIAL_ROTATION, initSession, readRotation, readSessionName, readSettings } from '../../lib/doc/schema';
import { sessionSnapshot } from '../../lib/snapshot';
import { addTask, listTasks } from '../../lib/task';
import { endsAt, isDue, remainingMs } from '../../lib/timer';

describe('schema', () => {
  it('initialises a session once and reads it back', () => {
    const doc = new Y.Doc();
    initSession(doc, { name: 'Mob', createdAt: 10, settings: { ...DEFAULT_SETTINGS, turnSeconds: 300 } });
    initSession(doc, { name: 'Other', createdAt: 20, settings: DEFAULT_SETTINGS });
    expect(readSessionName(doc)).toBe('Mob');
    expect(readSettings(doc).turnSeconds).toBe(300);
    expect(readRotation(doc)).toEqual(INITIAL_ROTATION);
  });

  it('reads defaults from an empty doc', () => {
    const doc = new Y.Doc();
    expect(readSettings(doc)).toEqual(DEFAULT_SETTINGS);
    expect(readRotation(doc)).toEqual(INITIAL_ROTATION);
    expect(readSessionName(doc)).toBe('');
  });

  it('snapshots members, timer and tasks', () => {
    const doc = new Y.Doc();
    initSession(doc, { name: 'Mob', createdAt: 0, settings: DEFAULT_SETTINGS });
    const first = addTask(doc, { title: 'First', criteria: ['works'] }, 5);
    addTask(doc, { title: 'Second' }, 6);
    const snap = sessionSnapshot(doc, 100);
    expect(snap.task).toMatchObject({ id: first, title: 'First', criteria: [{ text: 'works', done: false }], startedAt: 5 });
    expect(snap.queue.map((t) => t.title)).toEqual(['Second']);
    expect(snap.timer).toEqual({ status: 'idle', phase: null, turnSeconds: DEFAULT_SETTINGS.turnSeconds, remainingMs: null, endsAt: null, turn: 0 });
    expect(listTasks(doc).done).toEqual([]);
  });
});

describe('timer math', () => {
  const running = { status: 'running', phase: 'turn', startedAt: 1000, durationMs: 60_000, pausedMs: 0 } as const;
  it('computes remaining time from timestamps, never negative', () => {
    expect(remainingMs(running, 1000)).toBe(60_000);
    expect(remainingMs(running, 31_000)).toBe(30_000);
    expect(remainingMs(running, 10_000_000)).toBe(0);
    expect(remainingMs({ status: 'idle' }, 5)).toBeNull();
    expect(remainingMs({ status: 'paused', phase: 'turn', startedAt: 0, remainingMs: 1234, pausedAt: 9, pausedMs: 0 }, 99_999)).toBe(1234);
  });
  it('knows when a running timer is due', () => {
    expect(endsAt(running)).toBe(61_000);
    expect(isDue(running, 60_999)).toBe(false);
    expect(isDue(running, 61_000)).toBe(true);
    expect(isDue({ status: 'idle' }, 1e12)).toBe(false);
  });
});
