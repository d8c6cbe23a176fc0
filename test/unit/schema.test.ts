import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, INITIAL_ROTATION, initSession, metaOf, readRotation, readSessionName, readSettings, rotationOf, turnsOf, readTurns } from '../../lib/doc/schema';
import { sessionSnapshot } from '../../lib/snapshot';
import { addTask, listTasks, settleBoard } from '../../lib/task';
import { endsAt, isDue, remainingMs } from '../../lib/timer';
import { newDocs } from '../helpers/docs';

describe('schema', () => {
  it('initialises a session once and reads it back', () => {
    const doc = newDocs();
    initSession(doc, { name: 'Mob', createdAt: 10, settings: { ...DEFAULT_SETTINGS, turnSeconds: 300 } });
    initSession(doc, { name: 'Other', createdAt: 20, settings: DEFAULT_SETTINGS });
    expect(readSessionName(doc)).toBe('Mob');
    expect(readSettings(doc).turnSeconds).toBe(300);
    expect(readRotation(doc)).toEqual(INITIAL_ROTATION);
  });

  it('reads defaults from an empty doc', () => {
    const doc = newDocs();
    expect(readSettings(doc)).toEqual(DEFAULT_SETTINGS);
    expect(readRotation(doc)).toEqual(INITIAL_ROTATION);
    expect(readSessionName(doc)).toBe('');
  });

  it('snapshots members, timer and tasks', () => {
    const doc = newDocs();
    initSession(doc, { name: 'Mob', createdAt: 0, settings: DEFAULT_SETTINGS });
    const first = addTask(doc, { title: 'First', criteria: ['works'] }, 5);
    settleBoard(doc, 5);
    addTask(doc, { title: 'Second' }, 6);
    const snap = sessionSnapshot(doc, 100);
    expect(snap.task).toMatchObject({ id: first, title: 'First', criteria: [{ text: 'works', done: false }], startedAt: 5 });
    expect(snap.queue.map((t) => t.title)).toEqual(['Second']);
    expect(snap.timer).toEqual({ status: 'idle', phase: null, turnSeconds: DEFAULT_SETTINGS.turnSeconds, remainingMs: null, endsAt: null, turn: 0 });
    expect(listTasks(doc).done).toEqual([]);
  });
});

describe('readers are total', () => {
  it('reads defaults, never throws, from junk in every server-owned root', () => {
    const doc = newDocs();
    metaOf(doc).set('settings', { turnSeconds: 'soon', breakEvery: -3, autoStart: 'yes' });
    metaOf(doc).set('name', 42);
    rotationOf(doc).set('state', { turn: 'x', driver: 7, timer: { status: 'running', phase: 'turn', startedAt: 'now' } });
    turnsOf(doc).push([null, 5, { turn: 1 }, { turn: 1, startedAt: 0, endedAt: 1, end: 'expired' }]);
    expect(readSettings(doc)).toEqual(DEFAULT_SETTINGS);
    expect(readSessionName(doc)).toBe('');
    expect(readRotation(doc)).toEqual({ turn: 0, driver: null, navigator: null, timer: { status: 'idle' } });
    expect(readTurns(doc)).toHaveLength(1);
    expect(() => sessionSnapshot(doc, 0)).not.toThrow();
    rotationOf(doc).set('state', new Y.Map());
    expect(readRotation(doc)).toEqual(INITIAL_ROTATION);
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
