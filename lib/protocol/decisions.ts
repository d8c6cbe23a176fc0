/**
 * Wire contract of the decision log: the body a person submits (HTTP and socket.io share it).
 * Everything else in a record (time, author, task, roles, order) is stamped by the server.
 */
import { z } from 'zod';
import type { DecisionRecord } from '../doc/schema';
import { LIMITS } from '../doc/schema';
import { cleanText, codePoints } from '../decisionInput';
import { parseDecisionId, parseMemberId } from '../ids';

/** One line (title): whitespace collapsed; required and capped. */
const line = (what: string, max: number) =>
  z.string({ error: `${what} must be a string` }).transform((raw, ctx) => {
    const v = cleanText(raw).replace(/\s+/g, ' ');
    if (v.length === 0) ctx.addIssue({ code: 'custom', message: `${what} must not be empty` });
    else if (codePoints(v) > max) ctx.addIssue({ code: 'custom', message: `${what} must be at most ${max} characters` });
    return v;
  });

/** Free text (several paragraphs allowed); `required` refuses an empty value. */
const text = (what: string, max: number, required: boolean) =>
  z.string({ error: `${what} must be a string` }).transform((raw, ctx) => {
    const v = cleanText(raw);
    if (required && v.length === 0) ctx.addIssue({ code: 'custom', message: `${what} must not be empty` });
    else if (codePoints(v) > max) ctx.addIssue({ code: 'custom', message: `${what} must be at most ${max} characters` });
    return v;
  });

const decisionRef = z.string({ error: 'supersedes must be a decision id' }).transform((raw, ctx) => {
  const id = parseDecisionId(raw);
  if (!id) {
    ctx.addIssue({ code: 'custom', message: 'supersedes must be a decision id' });
    return z.NEVER;
  }
  return id;
});

const memberRef = z.string({ error: 'memberId must be a member id' }).transform((raw, ctx) => {
  const id = parseMemberId(raw);
  if (!id) {
    ctx.addIssue({ code: 'custom', message: 'memberId must be a member id' });
    return z.NEVER;
  }
  return id;
});

const fields = {
  title: line('title', LIMITS.decisionTitle),
  rationale: text('rationale', LIMITS.decisionText, true),
  alternatives: text('alternatives', LIMITS.decisionText, false).optional(),
  consequences: text('consequences', LIMITS.decisionText, false).optional(),
  supersedes: decisionRef.nullable().optional(),
};

/** POST /api/sessions/<id>/decisions. `memberId` is optional for scripts (author "API client"). */
export const DecisionBody = z.object({ ...fields, memberId: memberRef.optional() }).strict();
export type DecisionBody = z.output<typeof DecisionBody>;

/** socket.io 'decision:log': the author is a member of the session and must say who. */
export const DecisionLogPayload = z.object({ ...fields, memberId: memberRef }).strict();
export type DecisionLogPayload = z.input<typeof DecisionLogPayload>;

/** What the ack of 'decision:log' carries. */
export type DecisionLogged = DecisionRecord;

/** The first readable message of a failed parse. */
export const firstIssue = (e: z.ZodError): string => e.issues.map((i) => i.message).join('; ') || 'invalid payload';
