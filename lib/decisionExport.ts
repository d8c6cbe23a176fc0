/**
 * Exports of the decision log: Markdown (one ADR-style record per decision) and JSON.
 * User text is made inert in Markdown, and stays readable as plain text: HTML is entity-escaped,
 * and a backslash goes only where a character could start Markdown syntax: always before the
 * characters that open inline syntax anywhere (code, emphasis, link and image brackets, tables,
 * strikethrough), and before the others only where they act: a "(" after a bracket, block markers at the start of a line
 * (heading, list, setext underline, thematic break), a closing "#" sequence, the colon of a URL
 * scheme, the dot of "www.", the "@" of an e-mail address. So no user text can open a heading, a
 * link (javascript: or not), an emphasis, a table or raw HTML, and "adapter." stays "adapter.".
 */
import type { DecisionView } from './decisions';

export const EXPORT_FORMAT = 'mobflow.decisions/1';

/** Characters that open inline syntax wherever they stand: code, emphasis, links and images, tables, strikethrough. */
const INLINE_SPECIAL = /[\\`*[\]|~]/g;
/** "_" opens emphasis only at a word's edge (CommonMark: never inside snake_case). */
const EDGE_UNDERSCORE = /(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu;
/** The colon of a URL scheme ("javascript:x", "https://x"): a linkifier's trigger. */
const SCHEME_COLON = /(?<=(?:^|[^\p{L}\p{N}])[A-Za-z][A-Za-z0-9+.-]*):(?=\S)/gu;
/** "www." (an extended autolink) and the "@" of an e-mail address. */
const WWW_DOT = /(?<=(?:^|[^\p{L}\p{N}])www)\./giu;
const EMAIL_AT = /(?<=[\p{L}\p{N}._%+-])@(?=[\p{L}\p{N}])/gu;
/**
 * Block syntax at the start of a line (a quote's ">" is already &gt;): an ATX heading, a bullet
 * ("-" or "+", then a space), a line of "=" or "-" (setext underline, thematic break), an
 * ordered-list number ("1." or "1)", then a space).
 */
const LINE_START = /^(?:#{1,6}(?=\s|$)|[-+](?=\s|$)|=+\s*$|-[-\s]*$|(\d{1,9})([.)])(?=\s|$))/;
/** A closing "#" sequence of an ATX heading: spaces, then only "#" to the end. */
const CLOSING_HASHES = /(\s)(#+)$/;

/** Escapes one run of user text (no newlines) for Markdown and HTML. */
export function escapeInline(text: string): string {
  const body = text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(INLINE_SPECIAL, (c) => `\\${c}`)
    // A "(" right after a bracket would be a link's destination were the bracket live: escaped too.
    .replace(/\\\]\(/g, '\\]\\(')
    .replace(EDGE_UNDERSCORE, '\\_')
    .replace(SCHEME_COLON, '\\:')
    .replace(WWW_DOT, '\\.')
    .replace(EMAIL_AT, '\\@')
    .replace(CLOSING_HASHES, (_m, space: string, hashes: string) => `${space}${hashes.replace(/#/g, '\\#')}`);
  return body.replace(LINE_START, (m: string, digits?: string, mark?: string) => (digits ? `${digits}\\${mark}` : `\\${m}`));
}

/**
 * Escapes multi-line user text: each line escaped, leading spaces dropped (four would start a
 * code block), blank lines kept as paragraph breaks, single newlines kept as hard breaks.
 */
export function escapeBlock(text: string): string {
  const paragraphs = text
    .split(/\n\s*\n/)
    .map((p) =>
      p
        .split('\n')
        .map((l) => escapeInline(l.trim()))
        .filter((l) => l.length > 0)
        .join('  \n'),
    )
    .filter((p) => p.length > 0);
  return paragraphs.join('\n\n');
}

const iso = (ms: number) => new Date(ms).toISOString();
const statusLabel = (d: DecisionView) => (d.status === 'accepted' ? 'Accepted' : 'Superseded');

/** Renders one decision as an ADR-style section. `bySeq` resolves links to other decisions. */
function renderDecision(d: DecisionView, byId: ReadonlyMap<string, DecisionView>): string {
  const ref = (id: string) => {
    const other = byId.get(id);
    return other ? `decision ${other.seq} (${escapeInline(other.title)})` : 'an unknown decision';
  };
  const out = [`## ${d.seq}\\. ${escapeInline(d.title)}`, ''];
  out.push(`- Status: ${statusLabel(d)}${d.supersededBy ? `, superseded by ${ref(d.supersededBy)}` : ''}`);
  if (d.supersedes) out.push(`- Supersedes: ${ref(d.supersedes)}`);
  out.push(`- Date: ${iso(d.at)}`, `- Id: ${escapeInline(d.id)}`, '');
  out.push('### Context', '');
  out.push(`- Task: ${d.taskTitle ? escapeInline(d.taskTitle) : 'none'}`);
  out.push(`- Driver: ${d.driver ? escapeInline(d.driver) : 'none'}`);
  out.push(`- Navigator: ${d.navigator ? escapeInline(d.navigator) : 'none'}`);
  if (d.delivery) out.push(`- Delivery: ${escapeInline(d.delivery)}`);
  out.push(`- Logged by: ${escapeInline(d.author)}`, '');
  out.push('### Decision', '', escapeBlock(d.rationale) || '_(no rationale)_', '');
  if (d.alternatives.trim()) out.push('### Alternatives considered', '', escapeBlock(d.alternatives), '');
  if (d.consequences.trim()) out.push('### Consequences', '', escapeBlock(d.consequences), '');
  return out.join('\n');
}

export interface ExportMeta {
  sessionName: string;
  exportedAt: number;
}

export function decisionsMarkdown(views: readonly DecisionView[], meta: ExportMeta): string {
  const byId = new Map(views.map((d) => [d.id as string, d]));
  const head = [
    `# Decision log: ${escapeInline(meta.sessionName || 'Mob session')}`,
    '',
    `Exported ${iso(meta.exportedAt)} · ${views.length} ${views.length === 1 ? 'decision' : 'decisions'}, in the order the server recorded them.`,
    '',
  ].join('\n');
  return [head, ...views.map((d) => renderDecision(d, byId))].join('\n').replace(/\n+$/, '\n');
}

export interface DecisionsJson {
  format: typeof EXPORT_FORMAT;
  session: string;
  exportedAt: string;
  decisions: (DecisionView & { date: string })[];
}

export function decisionsJson(views: readonly DecisionView[], meta: ExportMeta): DecisionsJson {
  return {
    format: EXPORT_FORMAT,
    session: meta.sessionName,
    exportedAt: iso(meta.exportedAt),
    decisions: views.map((d) => ({ ...d, date: iso(d.at) })),
  };
}
