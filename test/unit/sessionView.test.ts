import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, splitSeconds } from '../../app/_components/durationView';
import { nextFitSize, wordRuns } from '../../app/_components/fitSize';
import { tabWrapTarget, toolbarTarget } from '../../app/_components/focusView';
import { progressParts, SEPARATOR } from '../../app/_components/taskFormat';

describe('fitting names and titles', () => {
  it('cuts a text into words and the whitespace between them, losing nothing', () => {
    expect(wordRuns('Anne-Sophie  Lefèvre')).toEqual([
      { word: true, text: 'Anne-Sophie' },
      { word: false, text: '  ' },
      { word: true, text: 'Lefèvre' },
    ]);
    const title = ' PaymentGateway retries with idempotency keys ';
    expect(wordRuns(title).map((r) => r.text).join('')).toBe(title);
    expect(wordRuns('')).toEqual([]);
  });

  it('keeps the size when the content fits, shrinks in proportion when it sticks out, never below the floor', () => {
    expect(nextFitSize({ size: 70, scrollWidth: 300, clientWidth: 300, min: 18 })).toBe(70);
    expect(nextFitSize({ size: 70, scrollWidth: 600, clientWidth: 300, min: 18 })).toBe(35);
    expect(nextFitSize({ size: 70, scrollWidth: 3000, clientWidth: 300, min: 18 })).toBe(18);
    expect(nextFitSize({ size: 18, scrollWidth: 3000, clientWidth: 300, min: 18 })).toBe(18);
    // Always a step down while it sticks out, so repeated steps converge.
    expect(nextFitSize({ size: 40, scrollWidth: 301, clientWidth: 300, min: 18 })).toBeLessThan(40);
    expect(nextFitSize({ size: 40, scrollWidth: 100, clientWidth: 0, min: 18 })).toBe(40);
  });
});

describe('the progress line', () => {
  it('has whole parts, each but the last followed by a no-break space and a dot, so no line starts with "·"', () => {
    expect(progressParts({ met: 1, total: 3, spentMs: 125_000, turns: 2 })).toEqual(['1 of 3 criteria met', 'on it for 2 min', '2 turns']);
    expect(progressParts({ met: 0, total: 0, spentMs: null, turns: 1 })).toEqual(['No criteria yet', '1 turn']);
    expect(SEPARATOR).toBe('\u00a0·');
  });
});

describe('turn lengths in minutes and seconds', () => {
  const limits = { what: 'Turn length', min: 30, max: 14_400 };
  it('accepts any whole number of seconds from the minimum', () => {
    expect(parseDuration('0', '45', limits)).toEqual({ ok: true, seconds: 45 });
    expect(parseDuration('7', '', limits)).toEqual({ ok: true, seconds: 420 });
    expect(parseDuration('0', '90', limits)).toEqual({ ok: true, seconds: 90 });
    expect(parseDuration('0', '1', { ...limits, min: 1 })).toEqual({ ok: true, seconds: 1 });
  });
  it('refuses the rest with a message that names the limit', () => {
    expect(parseDuration('0', '29', limits)).toEqual({ ok: false, error: 'Turn length must be at least 30 s.' });
    expect(parseDuration('241', '0', limits)).toEqual({ ok: false, error: 'Turn length must be at most 4 h.' });
    expect(parseDuration('1.5', '0', limits)).toMatchObject({ ok: false });
    expect(parseDuration('-1', '0', limits)).toMatchObject({ ok: false });
    expect(parseDuration('x', '0', limits)).toMatchObject({ ok: false });
  });
  it('splits and formats lengths', () => {
    expect(splitSeconds(450)).toEqual({ minutes: 7, seconds: 30 });
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(420)).toBe('7 min');
    expect(formatDuration(90)).toBe('1 min 30 s');
    expect(formatDuration(7_500)).toBe('2 h 5 min');
  });
});

describe('focus rules', () => {
  it('keeps Tab inside a dialog', () => {
    expect(tabWrapTarget(2, 3, false)).toBe(0);
    expect(tabWrapTarget(0, 3, true)).toBe(2);
    expect(tabWrapTarget(1, 3, false)).toBeNull();
    expect(tabWrapTarget(-1, 3, false)).toBe(0);
    expect(tabWrapTarget(-1, 3, true)).toBe(2);
    expect(tabWrapTarget(-1, 0, false)).toBeNull();
  });
  it('moves along a toolbar with the arrows, skipping disabled buttons and wrapping', () => {
    const enabled = [false, true, true, true];
    expect(toolbarTarget('ArrowRight', 1, enabled)).toBe(2);
    expect(toolbarTarget('ArrowRight', 3, enabled)).toBe(1);
    expect(toolbarTarget('ArrowLeft', 1, enabled)).toBe(3);
    expect(toolbarTarget('Home', 3, enabled)).toBe(1);
    expect(toolbarTarget('End', 1, enabled)).toBe(3);
    expect(toolbarTarget('ArrowDown', 1, enabled)).toBeNull();
    expect(toolbarTarget('ArrowRight', 0, [false, false])).toBeNull();
  });
});
