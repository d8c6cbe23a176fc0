/**
 * What the page gets for `lib0/logging` (aliased for the browser in next.config.js). Yjs is its only
 * importer in the page and uses it for two console messages (`print` and `warn` with colour marks).
 * lib0's own browser logger also brings its DOM helpers and its schema library (about 3 KB gz of
 * the session chunk, issue 30's budget) for styled output and a virtual console the page never
 * shows. Same messages, plain text: colour marks are dropped. The server keeps lib0's logger. An
 * importer needing more than this would fail the build (missing export), not misbehave.
 */
const mark = (name: string) => Symbol(name);
export const BOLD = mark('bold');
export const UNBOLD = mark('unbold');
export const BLUE = mark('blue');
export const GREY = mark('grey');
export const GREEN = mark('green');
export const RED = mark('red');
export const PURPLE = mark('purple');
export const ORANGE = mark('orange');
export const UNCOLOR = mark('uncolor');

const plain = (args: unknown[]): unknown[] => {
  const out: unknown[] = [];
  let text = '';
  for (const arg of args) {
    if (typeof arg === 'symbol') continue;
    if (typeof arg === 'string' || typeof arg === 'number') text += String(arg);
    else {
      if (text) out.push(text);
      text = '';
      out.push(arg);
    }
  }
  if (text) out.push(text);
  return out;
};

export const print = (...args: unknown[]): void => console.log(...plain(args));
export const warn = (...args: unknown[]): void => console.warn(...plain(args));
export const printError = (err: unknown): void => console.error(err);
