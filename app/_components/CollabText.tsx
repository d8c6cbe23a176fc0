'use client';

import type * as Y from 'yjs';
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
}

/** A text field several people can type into at once (bound to a Y.Text). Editors only. */
export function CollabText({ ytext, label, maxLength, kind = 'line', className, placeholder }: Props) {
  const inputRef = useYText<HTMLInputElement>(kind === 'line' ? ytext : null, maxLength);
  const areaRef = useYText<HTMLTextAreaElement>(kind === 'line' ? null : ytext, maxLength, kind === 'wrap');
  const common = {
    className: `collab ${className ?? ''}`,
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
          ref={areaRef}
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
