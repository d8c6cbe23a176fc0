/**
 * The rules for the text a person writes into a decision, without zod: the form checks them in the
 * browser for an instant message, and lib/protocol/decisions.ts applies the same ones on the server.
 */
import { LIMITS } from './doc/schema';

/** Control characters except tab and newline would break exports; Windows newlines become \n. */
export const cleanText = (raw: string): string =>
  raw
    .replace(/\r\n?/g, '\n')
    .replace(/[^\P{Cc}\n\t]/gu, ' ')
    .trim();

export const codePoints = (s: string): number => [...s].length;

export interface DecisionText {
  title: string;
  rationale: string;
  alternatives?: string;
  consequences?: string;
}

/** The first problem with a decision's text, as the server would word it, or null when it is fine. */
export function checkDecisionText(input: DecisionText): string | null {
  const title = cleanText(input.title).replace(/\s+/g, ' ');
  if (title.length === 0) return 'title must not be empty';
  if (codePoints(title) > LIMITS.decisionTitle) return `title must be at most ${LIMITS.decisionTitle} characters`;
  const rationale = cleanText(input.rationale);
  if (rationale.length === 0) return 'rationale must not be empty';
  for (const [what, value] of [
    ['rationale', rationale],
    ['alternatives', cleanText(input.alternatives ?? '')],
    ['consequences', cleanText(input.consequences ?? '')],
  ] as const) {
    if (codePoints(value) > LIMITS.decisionText) return `${what} must be at most ${LIMITS.decisionText} characters`;
  }
  return null;
}
