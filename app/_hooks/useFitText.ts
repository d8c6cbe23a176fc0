'use client';

import { useLayoutEffect, useRef } from 'react';
import { nextFitSize } from '../_components/fitSize';

/** Steps of shrinking per fit; each step scales by how far the text sticks out, so two or three do. */
const MAX_STEPS = 6;

/**
 * Shrinks an element's font size until its longest word fits its width. The element's CSS gives the
 * largest size and keeps words whole (`overflow-wrap: normal`, words in nowrap runs), so a word
 * that does not fit makes the content wider than the box; `minPx` is the floor. Past the floor the
 * element gets `data-fit="truncated"` (the CSS shows an ellipsis) and a `title` with the full text.
 * Refits when the text or the element's width changes (a ResizeObserver; also for textareas whose
 * value is set outside React).
 */
export function useFitText<E extends HTMLElement>(text: string, minPx: number | null) {
  const ref = useRef<E>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the text is what the effect measures (in the DOM); a new text must refit
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || minPx === null) return;
    let lastKey = '';
    const refit = () => {
      const content = 'value' in el ? String((el as unknown as HTMLTextAreaElement).value) : (el.textContent ?? '');
      const key = `${el.clientWidth}:${content}`;
      if (key === lastKey) return;
      el.style.fontSize = '';
      const max = Number.parseFloat(getComputedStyle(el).fontSize);
      const min = Math.min(max, minPx);
      let size = max;
      for (let i = 0; i < MAX_STEPS; i++) {
        const next = nextFitSize({ size, scrollWidth: el.scrollWidth, clientWidth: el.clientWidth, min });
        if (next === size) break;
        size = next;
        el.style.fontSize = `${size}px`;
      }
      const truncated = el.scrollWidth > el.clientWidth + 0.5;
      el.dataset.fit = truncated ? 'truncated' : size < max ? 'shrunk' : 'full';
      if (truncated) el.title = content;
      else el.removeAttribute('title');
      // Shrinking may change the height, never the width: the key stays valid.
      lastKey = `${el.clientWidth}:${content}`;
    };
    refit();
    // A field's value may be set by an effect after this one (useYText): fit again before the next frame.
    const frame = requestAnimationFrame(refit);
    const observer = new ResizeObserver(refit);
    observer.observe(el);
    el.addEventListener('input', refit);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      el.removeEventListener('input', refit);
    };
  }, [text, minPx]);
  return ref;
}
