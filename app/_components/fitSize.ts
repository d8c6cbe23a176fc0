/**
 * Pure helpers for text that must read at any width: names and titles wrap only between words and
 * shrink until their longest word fits (see useFitText); past a floor they are truncated.
 */

/**
 * The text cut into words and the whitespace between them, in order, so that each word can be
 * rendered as an unbreakable run (a hyphenated name must not break at its hyphen) and the runs
 * joined give back the text exactly.
 */
export function wordRuns(text: string): { word: boolean; text: string }[] {
  return text
    .split(/(\s+)/)
    .filter((t) => t.length > 0)
    .map((t) => ({ word: !/^\s/.test(t), text: t }));
}

export interface FitMeasure {
  /** The font size now, px. */
  size: number;
  /** The element's scrollWidth and clientWidth at that size (content wider than the box = a word sticks out). */
  scrollWidth: number;
  clientWidth: number;
  /** Never smaller than this, px. */
  min: number;
}

/**
 * The next font size to try: the same when the content fits, else smaller in proportion to how far
 * it sticks out (text width scales with font size), rounded down to a tenth of a pixel so repeated
 * steps converge, and never below `min`.
 */
export function nextFitSize({ size, scrollWidth, clientWidth, min }: FitMeasure): number {
  if (clientWidth <= 0 || scrollWidth <= clientWidth + 0.5) return size;
  const scaled = Math.floor(size * (clientWidth / scrollWidth) * 10) / 10;
  return Math.max(min, Math.min(size - 0.1, scaled));
}
