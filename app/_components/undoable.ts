/**
 * A removal from the shared document that can be taken back for a few seconds: the write runs in
 * a transaction of its own origin, tracked by a Y.UndoManager, so "Undo" restores exactly it (the
 * entry comes back under the same id, with what others typed meanwhile left alone).
 */
import * as Y from 'yjs';
import { membersOf, type SessionDocs, tasksOf } from '../../lib/doc/schema';
import { UNDO_MS } from './Toasts';

export function undoable(docs: SessionDocs, write: () => boolean): (() => void) | null {
  const origin = { undoable: true };
  const um = new Y.UndoManager([membersOf(docs), tasksOf(docs)], { trackedOrigins: new Set([origin]), captureTimeout: 0 });
  let done = false;
  docs.shared.transact(() => {
    done = write();
  }, origin);
  if (!done) {
    um.destroy();
    return null;
  }
  // Kept no longer than the toast offers it: an UndoManager keeps deleted items from being collected.
  const expire = setTimeout(() => um.destroy(), UNDO_MS + 1_000);
  return () => {
    clearTimeout(expire);
    um.undo();
    um.destroy();
  };
}
