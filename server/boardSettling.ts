/**
 * The one board rule a client's change can call for: when nothing valid is current but tasks wait,
 * the queue head becomes current (lib/task.ts settleBoard; in a cluster it runs on the session's
 * owner). Only a change to which tasks exist can call for it: a client adds or removes tasks but
 * never finishes one (progress is in the server document), and the shared-document check keeps a
 * task's required fields with the task. So the rule is read again only after the tasks root's own
 * keys changed (a shallow observer, once per room), not after every keystroke: reading the board,
 * the current task and its progress on every update was 2 % of the server's CPU at 500x8 (perf,
 * bench/NOTES.md 2026-12-07).
 */
import { tasksOf } from '../lib/doc/schema';
import { boardNeedsSettling } from '../lib/task';
import type { Room } from './yjs/room';

interface Watch {
  /** The tasks root's keys changed since the rule was last read (true at first: never read yet). */
  changed: boolean;
}

/** `settle` asks for the board to be settled; when it fails, the rule is read again after the next change. */
export function settleAfterClientChange(settle: (room: Room) => Promise<void>): (room: Room) => void {
  const watches = new WeakMap<Room, Watch>();
  return (room) => {
    let watch = watches.get(room);
    if (!watch) {
      watch = watchTasks(room);
      watches.set(room, watch);
    }
    if (!watch.changed) return;
    watch.changed = false;
    if (!boardNeedsSettling(room.docs)) return;
    const failed = watch;
    settle(room).catch(() => {
      failed.changed = true;
    });
  };
}

function watchTasks(room: Room): Watch {
  const watch: Watch = { changed: true };
  tasksOf(room.docs).observe(() => {
    watch.changed = true;
  });
  return watch;
}
