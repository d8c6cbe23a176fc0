import { describe, expect, it } from 'vitest';
import { decisionsOf, readRotation, readTurns } from '../../lib/doc/schema';
import { clearGoal, readGoal, setGoal } from '../../lib/goal';
import { joinMember, listMembers, setAway } from '../../lib/members';
import { applyMobTimer } from '../../lib/mobshTimer';
import { addTask, listTasks, settleBoard } from '../../lib/task';
import { newSession } from '../helpers/docs';

const MIN = 60_000;
const none = new Set<string>();

function mob(names: string[]) {
  const docs = newSession();
  for (const n of names) joinMember(docs, n, 0);
  return docs;
}
const names = (docs: ReturnType<typeof mob>) => listMembers(docs).map((m) => m.name);

describe('mob.sh timer requests', () => {
  it('starts a turn of N minutes with the named driver (matched by name, any case), the next member navigating', () => {
    const docs = mob(['Ana', 'Bo', 'Cy']);
    const r = applyMobTimer(docs, { kind: 'turn', minutes: 10, user: 'bo' }, none, 1_000);
    expect(r).toMatchObject({ ok: true, session: 'Mob', driver: 'Bo', next: 'Cy', minutes: 10, turn: 0, status: 'running' });
    const rot = readRotation(docs);
    expect(rot.timer).toMatchObject({ status: 'running', phase: 'turn', startedAt: 1_000, durationMs: 10 * MIN });
  });

  it('adds an unknown user to the roster and marks an away one back', () => {
    const docs = mob(['Ana', 'Bo']);
    expect(applyMobTimer(docs, { kind: 'turn', minutes: 5, user: 'Dee' }, none, 0)).toMatchObject({ ok: true, driver: 'Dee', next: 'Ana' });
    expect(names(docs)).toEqual(['Ana', 'Bo', 'Dee']);
    const bo = listMembers(docs)[1];
    if (bo) setAway(docs, bo.id, true);
    applyMobTimer(docs, { kind: 'turn', minutes: 5, user: 'Bo' }, none, 1);
    expect(listMembers(docs)[1]).toMatchObject({ name: 'Bo', away: false });
  });

  it('counts a handover to someone else as a rotation, and a restart by the same driver as a reset', () => {
    const docs = mob(['Ana', 'Bo']);
    applyMobTimer(docs, { kind: 'turn', minutes: 10, user: 'Ana' }, none, 0);
    applyMobTimer(docs, { kind: 'turn', minutes: 10, user: 'Ana' }, none, MIN);
    expect(readRotation(docs).turn).toBe(0);
    expect(applyMobTimer(docs, { kind: 'turn', minutes: 10, user: 'Bo' }, none, 2 * MIN)).toMatchObject({ driver: 'Bo', next: 'Ana', turn: 1 });
    expect(readTurns(docs).map((t) => [t.turn, t.end])).toEqual([
      [0, 'reset'],
      [0, 'skipped'],
    ]);
  });

  it('takes a break over a turn, and stops with 0 minutes (a break stop leaves a turn alone)', () => {
    const docs = mob(['Ana', 'Bo']);
    applyMobTimer(docs, { kind: 'turn', minutes: 10, user: 'Ana' }, none, 0);
    expect(applyMobTimer(docs, { kind: 'break', minutes: 0, user: 'Ana' }, none, 1)).toMatchObject({ ok: true, status: 'running' });
    expect(applyMobTimer(docs, { kind: 'break', minutes: 5, user: 'Ana' }, none, 2)).toMatchObject({ ok: true, status: 'running', turn: 1, driver: 'Bo' });
    expect(readRotation(docs).timer).toMatchObject({ phase: 'break', durationMs: 5 * MIN });
    expect(applyMobTimer(docs, { kind: 'turn', minutes: 0, user: 'Ana' }, none, 3)).toMatchObject({ ok: true, status: 'idle' });
    const before = decisionsOf(docs).length;
    expect(applyMobTimer(docs, { kind: 'turn', minutes: 0, user: 'Ana' }, none, 4)).toMatchObject({ ok: true, status: 'idle' });
    expect(applyMobTimer(docs, { kind: 'none', user: 'Ana' }, none, 5)).toMatchObject({ ok: true, kind: 'none' });
    expect(decisionsOf(docs).length).toBe(before);
  });

  it('starts for the rotation’s own driver without a user, and explains an empty roster', () => {
    expect(applyMobTimer(newSession(), { kind: 'turn', minutes: 3, user: null }, none, 0)).toMatchObject({ ok: false, reason: expect.stringMatching(/nobody/) });
    const docs = mob(['Ana', 'Bo']);
    expect(applyMobTimer(docs, { kind: 'turn', minutes: 3, user: null }, none, 0)).toMatchObject({ ok: true, driver: 'Ana', next: 'Bo' });
  });
});

describe('the goal is the current task', () => {
  it('becomes the current task when there is none, taking a waiting task of that title instead of a copy', () => {
    const docs = newSession();
    expect(readGoal(docs)).toBeNull();
    expect(setGoal(docs, 'Refunds', 0)).toMatchObject({ kind: 'created', title: 'Refunds' });
    expect(readGoal(docs)).toBe('Refunds');
    expect(clearGoal(docs, 1)).toMatchObject({ kind: 'done', title: 'Refunds' });
    // Two tasks wait and nothing is current (the server settles the board only after client edits).
    addTask(docs, { title: 'Exports' }, 2);
    const audit = addTask(docs, { title: 'Audit' }, 2);
    expect(setGoal(docs, 'audit', 3)).toEqual({ kind: 'picked', taskId: audit, title: 'Audit' });
    expect(listTasks(docs)).toMatchObject({ current: { id: audit }, queue: [{ title: 'Exports' }] });
  });

  it('renames the current task (it keeps its id and history) and clears by finishing it', () => {
    const docs = newSession();
    const id = addTask(docs, { title: 'Refunds', criteria: ['idempotent'] }, 0);
    settleBoard(docs, 0);
    expect(setGoal(docs, 'Refunds by key', 1)).toEqual({ kind: 'renamed', taskId: id, title: 'Refunds by key', was: 'Refunds' });
    expect(setGoal(docs, 'Refunds by key', 2).kind).toBe('unchanged');
    expect(listTasks(docs).current).toMatchObject({ id, title: 'Refunds by key', criteria: [{ text: 'idempotent' }] });
    expect(clearGoal(docs, 3)).toEqual({ kind: 'done', taskId: id, title: 'Refunds by key' });
    expect(listTasks(docs).done.map((t) => t.id)).toEqual([id]);
    expect(clearGoal(docs, 4)).toEqual({ kind: 'none' });
    expect(setGoal(docs, 'x'.repeat(256), 5).title).toHaveLength(200);
  });
});
