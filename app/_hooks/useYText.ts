'use client';

import { useEffect, useRef } from 'react';
import * as Y from 'yjs';
import { applyTextChange, shiftThrough } from '../../lib/textDiff';
import { undoKey } from './undoKeys';

type Field = HTMLInputElement | HTMLTextAreaElement;

/**
 * Binds an uncontrolled <input>/<textarea> to a Y.Text: local input is applied as the minimal
 * change (never the whole value, which would erase concurrent typing), remote changes update the
 * element and keep the caret and selection where the person was typing.
 *
 * Undo: the browser's own undo stack breaks as soon as a remote edit sets the field's value, so
 * Ctrl/Cmd+Z and Ctrl/Cmd+Shift+Z (or Ctrl+Y) go to a Y.UndoManager on this text that tracks this
 * field's own typing only: it takes back your words and leaves what others typed meanwhile.
 */
export function useYText<E extends Field>(ytext: Y.Text | null, maxLength: number, singleLine = false) {
  const ref = useRef<E>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || !ytext) return;
    el.value = ytext.toString();
    let composing = false;
    const typing = { field: el };
    const undo = new Y.UndoManager(ytext, { trackedOrigins: new Set([typing]) });

    const onInput = () => {
      if (composing) return;
      // A pasted line break in a one-line field (a wrapping title) becomes a space.
      const flat = singleLine ? el.value.replace(/\r?\n/g, ' ') : el.value;
      const next = flat.length > maxLength ? flat.slice(0, maxLength) : flat;
      const caret = el.selectionEnd ?? undefined;
      const doc = ytext.doc;
      if (doc) doc.transact(() => applyTextChange(ytext, next, caret), typing);
      else applyTextChange(ytext, next, caret);
      if (next !== el.value) {
        el.value = next;
        if (caret !== undefined) el.setSelectionRange(Math.min(caret, next.length), Math.min(caret, next.length));
      }
    };
    const onCompositionStart = () => {
      composing = true;
    };
    const onCompositionEnd = () => {
      composing = false;
      onInput();
    };
    const onKeyDown = (e: Event) => {
      const which = undoKey(e as KeyboardEvent);
      if (!which) return;
      e.preventDefault();
      if (which === 'undo') undo.undo();
      else undo.redo();
    };
    const observer = (event: Y.YTextEvent) => {
      const value = ytext.toString();
      if (el.value === value) return; // our own edit, already on screen
      if (composing) return; // an IME owns the field; the next input event diffs against the doc
      const focused = document.activeElement === el;
      const start = el.selectionStart ?? 0;
      const end = el.selectionEnd ?? 0;
      const direction = el.selectionDirection ?? undefined;
      el.value = value;
      if (focused) el.setSelectionRange(shiftThrough(start, event.delta), shiftThrough(end, event.delta), direction);
    };

    el.addEventListener('input', onInput);
    el.addEventListener('keydown', onKeyDown);
    el.addEventListener('compositionstart', onCompositionStart);
    el.addEventListener('compositionend', onCompositionEnd);
    ytext.observe(observer);
    return () => {
      el.removeEventListener('input', onInput);
      el.removeEventListener('keydown', onKeyDown);
      undo.destroy();
      el.removeEventListener('compositionstart', onCompositionStart);
      el.removeEventListener('compositionend', onCompositionEnd);
      ytext.unobserve(observer);
    };
  }, [ytext, maxLength, singleLine]);
  return ref;
}
