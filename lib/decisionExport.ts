/**
 * Exports of the decision log: Markdown (one ADR-style record per decision) and JSON.
 * User text is made inert in Markdown: HTML is entity-escaped and every Markdown-significant
 * character is backslash-escaped, so no user text can open a heading, a link (javascript: or
 * not), an emphasis, a table or raw HTML, however a renderer treats it.
 */
import type { DecisionView } from './decisions';

export const EXPORT_FORMAT = 'mobflow.decisions/1';

/** Backslash-escapable ASCII punctuation (CommonMark) that can start or shape Markdown syntax. */
const MD_SPECIAL = /[\\`*_{}[\]()#+\-.!|~=:<>]/g;

/** Escapes one run of user text (no newlines) for Markdown and HTML. */
export function escapeInline(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(MD_SPECIAL, (c) => `\\${c}`);
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
