/**
 * After a client's change the board rule is read again only when the set of tasks changed: a task
 * added or removed, not an edit inside one. A failed settle is tried again after the next change.
 */
import { describe, expect, it } from 'vitest';
import { tasksOf } from '../../lib/doc/schema';
import { addTask, currentTaskId, editTask, moveTask, removeTask, settleBoard } from '../../lib/task';
import { settleAfterClientChange } from '../../server/boardSettling';
import type { Room } from '../../server/yjs/room';
import { newSession } from '../helpers/docs';

function setUp(opts: { settles: boolean }) {
  const docs = newSession();
  const room = { id: 's1', docs } as unknown as Room;
  const asked: number[] = [];
  let fail = false;
  const changed = settleAfterClientChange(async () => {
    asked.push(asked.length + 1);
    if (fail) throw new Error('owner unreachable');
    if (opts.settles) settleBoard(docs, 0);
  });
  return { docs, room, asked, changed, failNext: (v: boolean) => (fail = v) };
}

describe('settling the board after client changes', () => {
  it('reads the rule after tasks are added or removed, not after edits inside them', async () => {
    // The settle asked for never lands here, so the board needs settling all along: only when the
    // rule is read is it asked again.
    const { docs, room, asked, changed } = setUp({ settles: false });
    const a = addTask(docs, { title: 'A' }, 0);
    changed(room);
    expect(asked).toHaveLength(1);
    editTask(docs, a, { title: 'A, renamed' });
    changed(room);
    changed(room);
    expect(asked).toHaveLength(1);
    const b = addTask(docs, { title: 'B' }, 0);
    changed(room);
    expect(asked).toHaveLength(2);
    moveTask(docs, b, 0);
    changed(room);
    expect(asked).toHaveLength(2);
    removeTask(docs, b);
    changed(room);
    expect(asked).toHaveLength(3);
  });

  it('makes the next task current when a client deletes the current one', async () => {
    const { docs, room, asked, changed } = setUp({ settles: true });
    const a = addTask(docs, { title: 'A' }, 0);
    changed(room);
    const b = addTask(docs, { title: 'B' }, 0);
    changed(room);
    expect(currentTaskId(docs)).toBe(a);
    expect(asked).toHaveLength(1);
    tasksOf(docs).delete(a); // any Yjs client can; removeTask refuses the current task
    changed(room);
    expect(asked).toHaveLength(2);
    expect(currentTaskId(docs)).toBe(b);
  });

  it('reads the rule again after a settle that failed, at the next change', async () => {
    const { docs, room, asked, changed, failNext } = setUp({ settles: true });
    failNext(true);
    addTask(docs, { title: 'A' }, 0);
    changed(room);
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toHaveLength(1);
    failNext(false);
    changed(room); // no key change, but the last settle failed
    await Promise.resolve();
    expect(asked).toHaveLength(2);
  });
});
