'use client';

import { useState } from 'react';

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Clipboard blocked (insecure origin, permissions): fall back to a prompt the user can copy from.
      window.prompt(label, text);
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  }
  return (
    <button type="button" className="button" onClick={copy} aria-label={label} data-copy={text}>
      {copied ? 'Copied ✓' : label}
    </button>
  );
}
