'use client';

import type * as Y from 'yjs';
import { useFitText } from '../_hooks/useFitText';
import { useYText } from '../_hooks/useYText';

/** line: a one-line input · wrap: one line of text that wraps (titles) · block: free text with line breaks. */
export type CollabKind = 'line' | 'wrap' | 'block';

interface Props {
  ytext: Y.Text | null;
  label: string;
  maxLength: number;
  kind?: CollabKind;
  className?: string;
  placeholder?: string;
  /**
   * For titles ('wrap'): the text as the doc has it, and the smallest font size. The field then
   * wraps only between words and shrinks until its longest word fits (useFitText).
   */
  fit?: { text: string; minPx: number };
}

/** A text field several people can type into at once (bound to a Y.Text). Editors only. */
export function CollabText({ ytext, label, maxLength, kind = 'line', className, placeholder, fit }: Props) {
  const inputRef = useYText<HTMLInputElement>(kind === 'line' ? ytext : null, maxLength);
  const areaRef = useYText<HTMLTextAreaElement>(kind === 'line' ? null : ytext, maxLength, kind === 'wrap');
  const fitRef = useFitText<HTMLTextAreaElement>(fit?.text ?? '', kind === 'wrap' && fit ? fit.minPx : null);
  const wrapRef = (el: HTMLTextAreaElement | null) => {
    areaRef.current = el;
    fitRef.current = el;
  };
  const common = {
    className: `collab${fit && kind === 'wrap' ? ' fit' : ''} ${className ?? ''}`,
    'aria-label': label,
    maxLength,
    placeholder,
    spellCheck: true,
    disabled: ytext === null,
  };
  switch (kind) {
    case 'line':
      return <input ref={inputRef} type="text" {...common} />;
    case 'wrap':
      return (
        <textarea
          ref={wrapRef}
          rows={1}
          {...common}
          onKeyDown={(e) => {
            // Enter leaves a one-line field instead of breaking it.
            if (e.key === 'Enter') {
              e.preventDefault();
              e.currentTarget.blur();
            }
          }}
        />
      );
    case 'block':
      return <textarea ref={areaRef} rows={2} {...common} />;
    default: {
      const never: never = kind;
      return never;
    }
  }
}
