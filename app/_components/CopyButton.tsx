'use client';

import { useEffect, useRef, useState } from 'react';

/** How long the button says "Copied ✓" before it reads its label again. */
const COPIED_MS = 2000;

/**
 * Copies a link. The button says "Copied ✓" for a moment (each click restarts the moment, and it
 * always comes back to its label); a polite live region beside it says what was copied.
 */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Clipboard blocked (insecure origin, permissions): fall back to a prompt the user can copy from.
      window.prompt(label, text);
    }
    clearTimeout(timer.current);
    setCopied(true);
    timer.current = setTimeout(() => setCopied(false), COPIED_MS);
  }
  return (
    <>
      <button type="button" className="button copy" onClick={copy} data-copy={text} data-copied={copied}>
        {/* Both texts share one grid cell, so the button keeps its width when it flips. */}
        <span className={copied ? 'copy-off' : undefined}>{label}</span>
        <span className={copied ? undefined : 'copy-off'}>Copied ✓</span>
      </button>
      <span className="sr-only" aria-live="polite">
        {copied ? `${label.replace(/^Copy /, '')} copied` : ''}
      </span>
    </>
  );
}
