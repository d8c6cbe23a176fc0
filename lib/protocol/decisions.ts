/**
 * Wire contract of the decision log: the body a person submits (HTTP and socket.io share it).
 * Everything else in a record (time, author, task, roles, order) is stamped by the server.
 */
import { z } from 'zod';
import type { DecisionRecord } from '../doc/schema';
import { LIMITS } from '../doc/schema';
import { cleanText, codePoints } from '../decisionInput';
import { parseDecisionId, parseTaskId } from '../ids';
import { normalizeName } from '../memberName';

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

const taskRef = z.unknown().transform((raw, ctx) => {
  if (raw === null) return null;
  const id = parseTaskId(raw);
  if (!id) {
    ctx.addIssue({ code: 'custom', message: 'taskId must be a task id (or null for no task)' });
    return z.NEVER;
  }
  return id;
});

/** Nobody signs as someone else: the author comes from the connection (lib/decisions.ts DecisionAuthor). */
const noMemberId = z
  .unknown()
  .refine(() => false, 'memberId is not accepted: a decision is signed by the member your connection joined as (the HTTP API may only give an author label)')
  .optional();

const fields = {
  title: line('title', LIMITS.decisionTitle),
  rationale: text('rationale', LIMITS.decisionText, true),
  alternatives: text('alternatives', LIMITS.decisionText, false).optional(),
  consequences: text('consequences', LIMITS.decisionText, false).optional(),
  supersedes: decisionRef.nullable().optional(),
  /** The task it is filed under; the current one when left out. */
  taskId: taskRef.optional(),
  memberId: noMemberId,
};

/** A script's label for itself, shown as "<label> (via API)". */
const authorLabel = z.string({ error: 'author must be a string' }).transform((raw, ctx) => {
  const r = normalizeName(raw, LIMITS.memberName);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: `author: ${r.reason.replace(/^name /, '')}` });
    return z.NEVER;
  }
  return r.name;
});

/** POST /api/sessions/<id>/decisions: `author` labels the script ("API client" by default). */
export const DecisionBody = z.object({ ...fields, author: authorLabel.optional() }).strict();
export type DecisionBody = z.output<typeof DecisionBody>;

/** socket.io 'decision:log': the author is the member the socket joined as. */
export const DecisionLogPayload = z.object(fields).strict();
export type DecisionLogPayload = z.input<typeof DecisionLogPayload>;

/** What the ack of 'decision:log' carries. */
export type DecisionLogged = DecisionRecord;

/** The first readable message of a failed parse. */
export const firstIssue = (e: z.ZodError): string => e.issues.map((i) => i.message).join('; ') || 'invalid payload';
