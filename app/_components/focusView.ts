/**
 * Pure focus rules for dialogs and toolbars (the components apply them to the DOM).
 */

/**
 * Where Tab (or Shift+Tab) goes inside a dialog whose tabbable elements are a list: the other end
 * of the list at either end (focus never leaves the dialog), the first or last element when the
 * focus is not on one of them (index -1), and null when the browser's own step stays inside.
 */
export function tabWrapTarget(index: number, length: number, backwards: boolean): number | null {
  if (length === 0) return null;
  if (index < 0) return backwards ? length - 1 : 0;
  if (!backwards && index === length - 1) return 0;
  if (backwards && index === 0) return length - 1;
  return null;
}

/**
 * The next item of a horizontal toolbar (Left and Right arrows, Home, End) from `index` among `enabled` flags, skipping
 * disabled ones and wrapping at the ends; null for other keys or when nothing is enabled.
 */
export function toolbarTarget(key: string, index: number, enabled: readonly boolean[]): number | null {
  const n = enabled.length;
  if (!enabled.some(Boolean)) return null;
  const step = key === 'ArrowRight' ? 1 : key === 'ArrowLeft' ? -1 : 0;
  if (key === 'Home') return enabled.indexOf(true);
  if (key === 'End') return enabled.lastIndexOf(true);
  if (step === 0) return null;
  for (let i = 1; i <= n; i++) {
    const j = (((index + step * i) % n) + n) % n;
    if (enabled[j]) return j;
  }
  return null;
}
