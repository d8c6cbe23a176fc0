'use client';

import { type KeyboardEvent, type ReactNode, useLayoutEffect, useRef } from 'react';
import { toolbarTarget } from './focusView';

/**
 * A row's buttons as one stop of the Tab key (a roving tabindex): Tab reaches the toolbar once,
 * Left and Right (Home, End) move between its buttons. Long lists (criteria, Next up) then cost one
 * Tab per row for their actions instead of three or four.
 */
export function Toolbar({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  const ref = useRef<HTMLSpanElement>(null);
  const active = useRef(0);
  const buttons = () => [...(ref.current?.querySelectorAll('button') ?? [])];

  // After every render: exactly one enabled button is tabbable (the last one used, else the first enabled).
  useLayoutEffect(() => {
    const list = buttons();
    const enabled = list.map((b) => !b.disabled);
    const current = enabled[active.current] ? active.current : enabled.indexOf(true);
    list.forEach((b, i) => {
      b.tabIndex = i === current ? 0 : -1;
    });
  });

  const onFocus = () => {
    const list = buttons();
    const i = list.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    active.current = i;
    list.forEach((b, j) => {
      b.tabIndex = j === i ? 0 : -1;
    });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLSpanElement>) => {
    const list = buttons();
    const next = toolbarTarget(
      e.key,
      list.indexOf(document.activeElement as HTMLButtonElement),
      list.map((b) => !b.disabled),
    );
    if (next === null) return;
    e.preventDefault();
    list[next]?.focus();
  };

  return (
    <span ref={ref} role="toolbar" aria-label={label} className={className} onFocus={onFocus} onKeyDown={onKeyDown}>
      {children}
    </span>
  );
}
