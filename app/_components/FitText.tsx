'use client';

import { useFitText } from '../_hooks/useFitText';
import { wordRuns } from './fitSize';

/**
 * Text that wraps only between words and shrinks (down to `minPx`) until its longest word fits;
 * past that it is cut with an ellipsis and the whole text is in its title. For names and titles.
 */
export function FitText({ text, minPx, className, testId }: { text: string; minPx: number; className?: string; testId?: string }) {
  const ref = useFitText<HTMLSpanElement>(text, minPx);
  return (
    <span ref={ref} className={`fit${className ? ` ${className}` : ''}`} data-testid={testId}>
      {wordRuns(text).map((run, i) =>
        run.word ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the runs of one text, in order; never reordered
          <span key={i} className="word">
            {run.text}
          </span>
        ) : (
          run.text
        ),
      )}
    </span>
  );
}
