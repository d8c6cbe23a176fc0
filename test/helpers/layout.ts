/**
 * Geometry checks run in the page: how a text is cut into lines, and whether an element overflows.
 * The in-page code is a string, so no helper of the test's bundler ends up in the page.
 */
import type { Page } from 'playwright-core';

export interface TextLayout {
  /** The element's text (a field's value). */
  text: string;
  /** The text of each rendered line, in order (whitespace at the breaks dropped). */
  lines: string[];
  /** Words (whitespace-separated) whose letters were put on more than one line. */
  brokenWords: string[];
  /** scrollWidth - clientWidth: above 0 when content sticks out of the element. */
  overflowX: number;
  /** How far the element sticks out of its card (or role box) on any side, px (0 = inside). */
  outsideCard: number;
  fontSizePx: number;
  /** data-fit: full | shrunk | truncated (null when the element is not fitted). */
  fit: string | null;
}

/**
 * Splits an element's text into lines with one Range per character (getClientRects), and finds
 * words cut across lines. A textarea's text is not in the DOM: it is laid out in a mirror <div>
 * with the textarea's computed text styles and content width.
 */
const LAYOUT_SOURCE = String.raw`(selector) => {
  const el = document.querySelector(selector);
  if (!el) return null;
  let host = el;
  let mirror = null;
  const isField = el instanceof HTMLTextAreaElement;
  const text = isField ? el.value : el.textContent;
  if (isField) {
    const cs = getComputedStyle(el);
    mirror = document.createElement('div');
    for (const p of ['font-family', 'font-size', 'font-weight', 'font-style', 'letter-spacing', 'word-spacing', 'line-height', 'text-transform', 'white-space', 'overflow-wrap', 'word-break', 'line-break', 'hyphens', 'tab-size', 'text-indent']) {
      mirror.style.setProperty(p, cs.getPropertyValue(p));
    }
    const padX = parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight);
    mirror.style.width = (el.clientWidth - padX) + 'px';
    mirror.style.position = 'absolute';
    mirror.style.left = '-10000px';
    mirror.style.top = '0';
    mirror.textContent = text;
    document.body.appendChild(mirror);
    host = mirror;
  }
  // Each non-space character, in text order, with the top of its first box.
  const chars = [];
  const walker = document.createTreeWalker(host, NodeFilter.SHOW_TEXT);
  let offsetInText = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const value = node.nodeValue || '';
    for (let i = 0; i < value.length; i++) {
      const ch = value[i];
      if (/\s/.test(ch)) continue;
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (rect) chars.push({ ch, index: offsetInText + i, top: rect.top, height: rect.height });
    }
    offsetInText += value.length;
  }
  // A new line starts where a character's box is below the previous one by more than half a line.
  const lineOf = [];
  let line = 0;
  for (let i = 0; i < chars.length; i++) {
    if (i > 0 && chars[i].top - chars[i - 1].top > chars[i - 1].height / 2) line++;
    lineOf.push(line);
  }
  const lines = [];
  for (let i = 0; i < chars.length; i++) lines[lineOf[i]] = (lines[lineOf[i]] || '') + chars[i].ch;
  // Letters of one word are adjacent in the text: two adjacent ones on different lines = a broken word.
  const broken = new Set();
  for (let i = 1; i < chars.length; i++) {
    if (chars[i].index === chars[i - 1].index + 1 && lineOf[i] !== lineOf[i - 1]) {
      let a = chars[i].index;
      let b = chars[i].index;
      while (a > 0 && !/\s/.test(text[a - 1])) a--;
      while (b < text.length && !/\s/.test(text[b])) b++;
      broken.add(text.slice(a, b));
    }
  }
  // Re-insert the spaces: each line's text is the slice of the source from its first to its last character.
  const lineTexts = [];
  for (let l = 0; l <= line && chars.length > 0; l++) {
    const members = chars.filter((_, i) => lineOf[i] === l);
    lineTexts.push(text.slice(members[0].index, members[members.length - 1].index + 1));
  }
  if (mirror) mirror.remove();
  const card = el.closest('.role, .card');
  const r = el.getBoundingClientRect();
  const c = card ? card.getBoundingClientRect() : r;
  const outsideCard = Math.max(0, c.left - r.left, r.right - c.right, c.top - r.top, r.bottom - c.bottom);
  return {
    text,
    lines: lineTexts,
    brokenWords: [...broken],
    overflowX: el.scrollWidth - el.clientWidth,
    outsideCard,
    fontSizePx: parseFloat(getComputedStyle(el).fontSize),
    fit: el.getAttribute('data-fit'),
  };
}`;

export async function textLayout(page: Page, selector: string): Promise<TextLayout> {
  const layout = await page.evaluate(`(${LAYOUT_SOURCE})(${JSON.stringify(selector)})`);
  if (!layout) throw new Error(`no element for ${selector}`);
  return layout as TextLayout;
}
