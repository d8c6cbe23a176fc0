/**
 * Minimal edits to a Y.Text: an input element reports its whole new value, and writing that
 * whole value back would wipe what others typed concurrently. Only the changed span is applied.
 */
import type * as Y from 'yjs';

export interface TextChange {
  index: number;
  remove: number;
  insert: string;
}

/**
 * The single span that turns `prev` into `next`. `caret` (the caret in `next` after the edit)
 * settles ambiguous cases such as typing "a" into "aa": the change ends at the caret.
 */
export function diffText(prev: string, next: string, caret?: number): TextChange | null {
  if (prev === next) return null;
  const min = Math.min(prev.length, next.length);
  const commonPrefix = (max: number) => {
    let n = 0;
    while (n < max && prev[n] === next[n]) n++;
    return n;
  };
  const commonSuffix = (max: number) => {
    let n = 0;
    while (n < max && prev[prev.length - 1 - n] === next[next.length - 1 - n]) n++;
    return n;
  };
  let prefix: number;
  let suffix: number;
  if (caret !== undefined && caret >= 0 && caret <= next.length) {
    // The edit ends at the caret: everything after it is unchanged text.
    suffix = commonSuffix(Math.min(min, next.length - caret));
    prefix = commonPrefix(min - suffix);
  } else {
    prefix = commonPrefix(min);
    suffix = commonSuffix(min - prefix);
  }
  // Never split a surrogate pair: an emoji half is not a character.
  if (prefix > 0 && isHighSurrogate(prev.charCodeAt(prefix - 1))) prefix--;
  if (suffix > 0 && isLowSurrogate(prev.charCodeAt(prev.length - suffix))) suffix--;
  return { index: prefix, remove: prev.length - prefix - suffix, insert: next.slice(prefix, next.length - suffix) };
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** Applies the minimal change from the Y.Text's value to `next`; false when nothing changed. */
export function applyTextChange(ytext: Y.Text, next: string, caret?: number): boolean {
  const change = diffText(ytext.toString(), next, caret);
  if (!change) return false;
  const run = () => {
    if (change.remove > 0) ytext.delete(change.index, change.remove);
    if (change.insert) ytext.insert(change.index, change.insert);
  };
  if (ytext.doc) ytext.doc.transact(run);
  else run();
  return true;
}

/** One op of a Y.Text change (Y.YTextEvent's delta). */
export type TextDeltaOp = { retain?: number; insert?: unknown; delete?: number };

/**
 * Moves a caret offset through a remote change so the person keeps typing where they were.
 * An insert exactly at the caret stays after it: someone else's text does not push ours.
 */
export function shiftThrough(pos: number, delta: readonly TextDeltaOp[]): number {
  let index = 0;
  let out = pos;
  for (const op of delta) {
    if (op.retain !== undefined) index += op.retain;
    else if (op.insert !== undefined) {
      const len = typeof op.insert === 'string' ? op.insert.length : 1;
      if (index < out) out += len;
      index += len;
    } else if (op.delete !== undefined) {
      if (index < out) out -= Math.min(op.delete, out - index);
    }
  }
  return out;
}
