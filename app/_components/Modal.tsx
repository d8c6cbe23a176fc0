'use client';

import { type KeyboardEvent, type ReactNode, type RefObject, useEffect, useLayoutEffect, useRef } from 'react';
import { tabWrapTarget } from './focusView';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

/** The elements Tab reaches inside `root`, in order (rendered ones only). */
function tabbables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.getClientRects().length > 0 && !el.closest('[inert]'));
}

export interface ModalProps {
  /** id of the dialog's heading (its accessible name). */
  labelledBy: string;
  /** Escape (and Cancel buttons, which call it themselves) close the dialog; null: it cannot be dismissed (the join prompt). */
  onDismiss: (() => void) | null;
  /** What gets the focus when the dialog opens (else the first field, as showModal() does). */
  initialFocus?: RefObject<HTMLElement | null>;
  /** Where the focus goes when the dialog closes and the element that opened it is gone. */
  returnFocus?: () => HTMLElement | null;
  className?: string;
  children: ReactNode;
}

/**
 * A modal dialog on the native <dialog> with showModal(): the rest of the page is inert, Escape
 * closes it (unless it cannot be dismissed), Tab and Shift+Tab cycle inside it, and on close the
 * focus goes back to the element that opened it (or `returnFocus`).
 */
export function Modal({ labelledBy, onDismiss, initialFocus, returnFocus, className, children }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const dismiss = useRef(onDismiss);
  const fallback = useRef(returnFocus);
  useEffect(() => {
    dismiss.current = onDismiss;
    fallback.current = returnFocus;
  });

  // Once per dialog: open it modal, remember the opener, give the focus back when it goes.
  // biome-ignore lint/correctness/useExhaustiveDependencies: initialFocus is read once, when the dialog opens
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const active = document.activeElement;
    const opener = active instanceof HTMLElement && active !== document.body && !dialog.contains(active) ? active : null;
    if (!dialog.open) dialog.showModal();
    initialFocus?.current?.focus();
    return () => {
      if (dialog.open) dialog.close();
      // After the commit that removes the dialog: it may remove the opener too (a queue row).
      queueMicrotask(() => {
        const back = opener?.isConnected ? opener : (fallback.current?.() ?? null);
        back?.focus();
      });
    };
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLDialogElement>) => {
    if (e.key !== 'Tab' || !ref.current) return;
    const list = tabbables(ref.current);
    const target = tabWrapTarget(list.indexOf(document.activeElement as HTMLElement), list.length, e.shiftKey);
    if (target === null) return;
    e.preventDefault();
    list[target]?.focus();
  };

  return (
    <dialog
      ref={ref}
      // biome-ignore lint/a11y/noRedundantRoles: the explicit role keeps [role="dialog"] selectors (bench/page.ts) finding every dialog
      role="dialog"
      className={`modal${className ? ` ${className}` : ''}`}
      aria-labelledby={labelledBy}
      onKeyDown={onKeyDown}
      onCancel={(e) => {
        // Escape: close through React (the parent unmounts the dialog), or not at all.
        e.preventDefault();
        dismiss.current?.();
      }}
      onClose={(e) => {
        // Closed by the browser anyway (a second Escape may bypass cancel): dismiss, or reopen a prompt that must stay.
        const dialog = e.currentTarget;
        if (dismiss.current) dismiss.current();
        else if (dialog.isConnected && !dialog.open) dialog.showModal();
      }}
    >
      {children}
    </dialog>
  );
}
