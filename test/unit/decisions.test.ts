import { describe, expect, it } from 'vitest';
import { decisionsMarkdown, decisionsJson, escapeBlock, escapeInline } from '../../lib/decisionExport';
import { appendDecision, filterDecisions, latestDecisions, listDecisions, readDecisions, stampDecision, withStatus } from '../../lib/decisions';
import { buildTimeline, TIMELINE_BINS } from '../../lib/decisionTimeline';
import { decisionsOf, INITIAL_ROTATION, ROTATION_KEY, rotationOf, type SessionDocs, type TurnRecord } from '../../lib/doc/schema';
import type { DecisionId, MemberId } from '../../lib/ids';
import { joinMember } from '../../lib/members';
import { DecisionBody, DecisionLogPayload } from '../../lib/protocol/decisions';
import { addTask, listTasks, type NewTask, settleBoard } from '../../lib/task';
import { merge, newSession, replica } from '../helpers/docs';

/** A browser adds a task; the server settles the board. */
function add(docs: SessionDocs, input: NewTask, now: number) {
  const id = addTask(docs, input, now);
  settleBoard(docs, now);
  return id;
}

const by = (m: { id: MemberId }) => ({ kind: 'member' as const, id: m.id });

function setRoles(doc: SessionDocs, driver: MemberId | null, navigator: MemberId | null) {
  rotationOf(doc).set(ROTATION_KEY.state, { ...INITIAL_ROTATION, driver, navigator });
}

function mob() {
  const doc = newSession();
  const ada = joinMember(doc, 'Ada', 1);
  const bob = joinMember(doc, 'Bob', 2);
  setRoles(doc, ada.id, bob.id);
  return { doc, ada, bob };
}

function ok(r: ReturnType<typeof appendDecision>) {
  if (!r.ok) throw new Error(r.error);
  return r.record;
}

describe('appendDecision', () => {
  it('stamps time, author, task and roles of that moment, in server order', () => {
    const { doc, ada, bob } = mob();
    const first = ok(appendDecision(doc, { title: 'Use Postgres', rationale: 'We need JSONB' }, { now: 1000, author: by(bob) }));
    expect(first).toMatchObject({ seq: 1, at: 1000, author: 'Bob', authorId: bob.id, driver: 'Ada', navigator: 'Bob', taskId: null, taskTitle: null, alternatives: '', supersedes: null });

    const task = add(doc, { title: 'Checkout page' }, 1500);
    setRoles(doc, bob.id, ada.id);
    const second = ok(appendDecision(doc, { title: 'Keep REST', rationale: 'Clients exist', alternatives: 'GraphQL' }, { now: 2000, author: by(ada) }));
    expect(second).toMatchObject({ seq: 2, driver: 'Bob', navigator: 'Ada', taskId: task, taskTitle: 'Checkout page', alternatives: 'GraphQL' });
    // The first entry keeps its snapshot: later role changes and renames do not rewrite history.
    expect(readDecisions(doc)[0]).toEqual(first);
  });

  it('labels an API client as such (never as a member) and refuses an unknown member', () => {
    const { doc } = mob();
    expect(ok(appendDecision(doc, { title: 't', rationale: 'r' }, { now: 1, author: { kind: 'api', label: 'release-bot' } }))).toMatchObject({ author: 'release-bot (via API)', authorId: null });
    const r = appendDecision(doc, { title: 't', rationale: 'r' }, { now: 1, author: { kind: 'member', id: 'AAAAAAAAAAAA' as MemberId } });
    expect(r).toMatchObject({ ok: false, reason: 'unknown-author' });
    expect(decisionsOf(doc).length).toBe(1);
  });

  it('files a decision under the task the author picked, or none, and refuses an unknown task', () => {
    const { doc, ada } = mob();
    const cart = add(doc, { title: 'Cart' }, 1);
    const later = add(doc, { title: 'Later' }, 2);
    expect(ok(appendDecision(doc, { title: 'a', rationale: 'r' }, { now: 3, author: by(ada) }))).toMatchObject({ taskId: cart, taskTitle: 'Cart' });
    expect(ok(appendDecision(doc, { title: 'b', rationale: 'r', taskId: later }, { now: 3, author: by(ada) }))).toMatchObject({ taskId: later, taskTitle: 'Later' });
    expect(ok(appendDecision(doc, { title: 'c', rationale: 'r', taskId: null }, { now: 3, author: by(ada) }))).toMatchObject({ taskId: null, taskTitle: null });
    expect(appendDecision(doc, { title: 'd', rationale: 'r', taskId: 'ZZZZZZZZZZZZ' as never }, { now: 3, author: by(ada) })).toMatchObject({ ok: false, reason: 'unknown-task' });
  });
});

describe('supersede chains', () => {
  it('links both ways and derives status, along a chain', () => {
    const { doc, ada } = mob();
    const a = ok(appendDecision(doc, { title: 'A', rationale: 'r' }, { now: 1, author: by(ada) }));
    const b = ok(appendDecision(doc, { title: 'B', rationale: 'r', supersedes: a.id }, { now: 2, author: by(ada) }));
    const c = ok(appendDecision(doc, { title: 'C', rationale: 'r', supersedes: b.id }, { now: 3, author: by(ada) }));
    const views = listDecisions(doc);
    expect(views.map((v) => [v.title, v.status, v.supersedes, v.supersededBy])).toEqual([
      ['A', 'superseded', null, b.id],
      ['B', 'superseded', a.id, c.id],
      ['C', 'accepted', b.id, null],
    ]);
    expect(filterDecisions(views, { status: 'accepted' }).map((v) => v.title)).toEqual(['C']);
  });

  it('refuses a missing or already superseded target and writes nothing', () => {
    const { doc, ada } = mob();
    const a = ok(appendDecision(doc, { title: 'A', rationale: 'r' }, { now: 1, author: by(ada) }));
    ok(appendDecision(doc, { title: 'B', rationale: 'r', supersedes: a.id }, { now: 2, author: by(ada) }));
    expect(appendDecision(doc, { title: 'X', rationale: 'r', supersedes: a.id }, { now: 3, author: by(ada) })).toMatchObject({
      ok: false,
      reason: 'already-superseded',
      error: 'supersedes: decision 1 is already superseded by decision 2',
    });
    expect(appendDecision(doc, { title: 'X', rationale: 'r', supersedes: 'ZZZZZZZZZZZZ' as DecisionId }, { now: 3, author: by(ada) })).toMatchObject({
      ok: false,
      reason: 'unknown-supersedes',
    });
    expect(decisionsOf(doc).length).toBe(2);
  });

  it('picks the first in log order when two replicas superseded the same entry', () => {
    const { doc, ada } = mob();
    const a = ok(appendDecision(doc, { title: 'A', rationale: 'r' }, { now: 1, author: by(ada) }));
    const views = withStatus([...readDecisions(doc), { ...a, id: 'B1B1B1B1B1B1' as DecisionId, seq: 2, supersedes: a.id }, { ...a, id: 'B2B2B2B2B2B2' as DecisionId, seq: 3, supersedes: a.id }]);
    expect(views[0]?.supersededBy).toBe('B1B1B1B1B1B1');
  });
});

describe('ordering under concurrent appends', () => {
  it('two Y.Docs appending at once converge to the same order with both entries present', () => {
    const one = mob();
    const other = replica(one.doc);
    for (let i = 0; i < 5; i++) {
      ok(appendDecision(one.doc, { title: `one ${i}`, rationale: 'r' }, { now: 10 + i, author: by(one.ada) }));
      ok(appendDecision(other, { title: `other ${i}`, rationale: 'r' }, { now: 10 + i, author: by(one.bob) }));
    }
    merge(one.doc, other);
    const a = listDecisions(one.doc).map((d) => d.id);
    const b = listDecisions(other).map((d) => d.id);
    expect(a).toHaveLength(10);
    expect(b).toEqual(a);
    // Each writer's own entries keep their relative order.
    const titles = listDecisions(other).map((d) => d.title);
    expect(titles.filter((t) => t.startsWith('one'))).toEqual(['one 0', 'one 1', 'one 2', 'one 3', 'one 4']);
  });

  it('skips malformed entries a rogue client pushed instead of trusting them', () => {
    const { doc, ada } = mob();
    decisionsOf(doc).push([{ nonsense: true } as never]);
    ok(appendDecision(doc, { title: 'A', rationale: 'r' }, { now: 1, author: by(ada) }));
    expect(listDecisions(doc).map((d) => d.title)).toEqual(['A']);
  });

  it('latestDecisions reads the tail, newest first, with status', () => {
    const { doc, ada } = mob();
    const ids = Array.from({ length: 6 }, (_, i) => ok(appendDecision(doc, { title: `D${i}`, rationale: 'r' }, { now: i, author: by(ada) })).id);
    ok(appendDecision(doc, { title: 'fix', rationale: 'r', supersedes: ids[5] }, { now: 9, author: by(ada) }));
    const latest = latestDecisions(doc, 3);
    expect(latest.map((d) => [d.title, d.status])).toEqual([
      ['fix', 'accepted'],
      ['D5', 'superseded'],
      ['D4', 'accepted'],
    ]);
  });
});

describe('filterDecisions', () => {
  it('filters by task (or no task) and searches all words case-insensitively', () => {
    const { doc, ada } = mob();
    ok(appendDecision(doc, { title: 'Before any task', rationale: 'setup' }, { now: 1, author: by(ada) }));
    const task = add(doc, { title: 'Cart' }, 2);
    ok(appendDecision(doc, { title: 'Use Redis', rationale: 'Fast session CACHE' }, { now: 3, author: by(ada) }));
    ok(appendDecision(doc, { title: 'Use Postgres', rationale: 'durable' }, { now: 4, author: by(ada) }));
    const views = listDecisions(doc);
    expect(filterDecisions(views, { taskId: task }).map((d) => d.title)).toEqual(['Use Redis', 'Use Postgres']);
    expect(filterDecisions(views, { taskId: null }).map((d) => d.title)).toEqual(['Before any task']);
    expect(filterDecisions(views, { query: 'use cache' }).map((d) => d.title)).toEqual(['Use Redis']);
    expect(filterDecisions(views, { query: 'cart ada' })).toHaveLength(2);
  });
});

describe('DecisionBody', () => {
  it('normalises and caps fields with readable messages', () => {
    expect(DecisionBody.parse({ title: '  Use\n  Postgres ', rationale: ' why\r\nbecause ' })).toEqual({ title: 'Use Postgres', rationale: 'why\nbecause' });
    const bad = (body: unknown) => {
      const r = DecisionBody.safeParse(body);
      return r.success ? null : r.error.issues.map((i) => i.message);
    };
    expect(bad({ title: '   ', rationale: 'r' })).toEqual(['title must not be empty']);
    expect(bad({ title: 't', rationale: '' })).toEqual(['rationale must not be empty']);
    expect(bad({ title: 'x'.repeat(201), rationale: 'r' })).toEqual(['title must be at most 200 characters']);
    expect(bad({ title: 't', rationale: 'r', alternatives: 'x'.repeat(4001) })).toEqual(['alternatives must be at most 4000 characters']);
    expect(bad({ title: 't', rationale: 'r', supersedes: '../../x' })).toEqual(['supersedes must be a decision id']);
    expect(bad({ title: 't', rationale: 'r', at: 0 })).not.toBeNull();
    expect(bad({ title: 7, rationale: 'r' })).toEqual(['title must be a string']);
    // Nobody signs as someone else: a member id in the payload is refused, readably.
    expect(DecisionLogPayload.safeParse({ title: 't', rationale: 'r' }).success).toBe(true);
    expect(bad({ title: 't', rationale: 'r', memberId: 'AAAAAAAAAAAA' })?.[0]).toMatch(/memberId is not accepted/);
    expect(DecisionLogPayload.safeParse({ title: 't', rationale: 'r', memberId: 'AAAAAAAAAAAA' }).success).toBe(false);
  });
});

describe('Markdown export', () => {
  const evil = {
    title: '# Owned <script>alert(1)</script> [click](javascript:alert(1))',
    rationale: '## heading\n<img src=x onerror=alert(1)>\n\n    code block?\n- list\n1. ordered\n===\n[x]: javascript:alert(1)',
    alternatives: '<javascript:alert(1)> | table | `code` *em* _em_ ![img](http://x)',
  };

  it('renders one ADR-style record per decision with status and links both ways', () => {
    const { doc, ada } = mob();
    add(doc, { title: 'Checkout' }, 1);
    const a = ok(appendDecision(doc, { title: 'Use REST', rationale: 'Clients exist', alternatives: 'GraphQL', consequences: 'Versioning' }, { now: Date.UTC(2026, 0, 2), author: by(ada) }));
    ok(appendDecision(doc, { title: 'Use gRPC', rationale: 'Speed', supersedes: a.id }, { now: Date.UTC(2026, 0, 3), author: by(ada) }));
    const md = decisionsMarkdown(listDecisions(doc), { sessionName: 'Mob', exportedAt: Date.UTC(2026, 0, 4) });
    expect(md).toContain('# Decision log: Mob\n');
    expect(md).toContain('## 1\\. Use REST\n');
    expect(md).toContain('- Status: Superseded, superseded by decision 2 (Use gRPC)');
    expect(md).toContain('- Supersedes: decision 1 (Use REST)');
    expect(md).toContain('- Date: 2026-01-02T00:00:00.000Z');
    expect(md).toContain('- Task: Checkout\n- Driver: Ada\n- Navigator: Bob\n- Logged by: Ada');
    expect(md).toContain('### Alternatives considered\n\nGraphQL');
    expect(md).toContain('### Consequences\n\nVersioning');
    expect(md.match(/^## /gm)).toHaveLength(2);
  });

  it('keeps headings, links, javascript: URLs and raw HTML in user text inert', () => {
    const { doc, ada } = mob();
    ok(appendDecision(doc, evil, { now: 1, author: by(ada) }));
    const md = decisionsMarkdown(listDecisions(doc), { sessionName: '<b>Mob</b> [x](javascript:1)', exportedAt: 2 });
    // The only headings are ours, and no raw HTML or link syntax survives.
    expect(md.match(/^#{1,6} /gm)).toEqual(['# ', '## ', '### ', '### ', '### ']);
    expect(md).not.toMatch(/<[a-z!/]/i);
    expect(md).not.toMatch(/(?<!\\)\]\(/);
    expect(md).not.toMatch(/(?<!\\)\[/);
    expect(md).not.toMatch(/javascript:/i);
    expect(md).not.toMatch(/^ {4}/m);
    expect(md).not.toMatch(/^(?:[-*+]|\d+\.) (?!Status|Supersedes|Date|Id|Task|Driver|Navigator|Logged)/m);
    expect(md).not.toMatch(/^=+$/m);
    expect(md).toContain('&lt;script&gt;');
  });

  it('escapes the characters that open inline syntax anywhere, and HTML', () => {
    expect(escapeInline('a*b `c` [d] e|f ~~g~~ \\')).toBe('a\\*b \\`c\\` \\[d\\] e\\|f \\~\\~g\\~\\~ \\\\');
    expect(escapeInline('<a href="x">&')).toBe('&lt;a href="x"&gt;&amp;');
    expect(escapeInline('![img](http://x)')).toBe('!\\[img\\]\\(http\\://x)');
    expect(escapeBlock('one\ntwo\n\n\nthree')).toBe('one  \ntwo\n\nthree');
  });

  it('leaves ordinary prose alone: sentences, snake_case, versions, times, hashtags', () => {
    for (const text of ['The adapter retries once.', 'Use snake_case for columns', 'Node 20.11 (LTS), e.g. {x}!', 'Stand-up at 10:30; note: later', 'C# or F#, #123', '-5 degrees', '10.5 points']) {
      expect(escapeInline(text)).toBe(text);
    }
  });

  it('escapes block markers only at the start of a line, and a closing # sequence', () => {
    expect(escapeInline('# heading')).toBe('\\# heading');
    expect(escapeInline('###### six')).toBe('\\###### six');
    expect(escapeInline('- item')).toBe('\\- item');
    expect(escapeInline('+ item')).toBe('\\+ item');
    expect(escapeInline('1. first')).toBe('1\\. first');
    expect(escapeInline('2) second')).toBe('2\\) second');
    expect(escapeInline('===')).toBe('\\===');
    expect(escapeInline('- - -')).toBe('\\- - -');
    expect(escapeInline('Title #')).toBe('Title \\#');
    expect(escapeBlock('a\n---\nb\n> quote')).toBe('a  \n\\---  \nb  \n&gt; quote');
  });

  it('breaks the triggers of links and autolinks: schemes, www., e-mail, emphasis at word edges', () => {
    expect(escapeInline('see https://example.com/a or www.example.com')).toBe('see https\\://example.com/a or www\\.example.com');
    expect(escapeInline('javascript:alert(1)')).toBe('javascript\\:alert(1)');
    expect(escapeInline('mail ada@example.com')).toBe('mail ada\\@example.com');
    expect(escapeInline('_em_ and __strong__')).toBe('\\_em\\_ and \\_\\_strong\\_\\_');
    expect(escapeInline('[x]: javascript:alert(1)')).toBe('\\[x\\]: javascript\\:alert(1)');
    expect(escapeInline('[x](javascript:alert(1))')).toBe('\\[x\\]\\(javascript\\:alert(1))');
  });

  it('exports JSON that carries every field, status and link', () => {
    const { doc, ada } = mob();
    const a = ok(appendDecision(doc, evil, { now: 1, author: by(ada) }));
    const json = decisionsJson(listDecisions(doc), { sessionName: 'Mob', exportedAt: 2 });
    expect(json.format).toBe('mobflow.decisions/1');
    expect(json.decisions[0]).toMatchObject({ ...a, status: 'accepted', supersededBy: null, date: '1970-01-01T00:00:00.001Z' });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});

describe('buildTimeline', () => {
  const turn = (n: number, startedAt: number, endedAt: number): TurnRecord => ({ turn: n, phase: 'turn', driver: null, navigator: null, startedAt, endedAt, pausedMs: 0, end: 'expired' });

  it('puts decisions, turns and task changes on one axis', () => {
    const { doc, ada } = mob();
    add(doc, { title: 'Cart' }, 1_000);
    ok(appendDecision(doc, { title: 'A', rationale: 'r' }, { now: 2_000, author: by(ada) }));
    ok(appendDecision(doc, { title: 'B', rationale: 'r' }, { now: 2_001, author: by(ada) }));
    const { current } = listTasks(doc);
    const t = buildTimeline(listDecisions(doc), [turn(1, 500, 1_500)], current ? [current] : [], () => 'Ada');
    expect(t).toMatchObject({ from: 500, to: 2_001 });
    expect(t?.marks).toEqual([{ kind: 'task-start', at: 1_000, label: 'Started: Cart' }]);
    const switched = withStatus([{ ...listDecisions(doc)[0], kind: 'switch', at: 1_500, title: 'Switched to “B”', rationale: 'urgent' } as never]);
    expect(buildTimeline(switched, [], [], () => '')?.marks).toEqual([{ kind: 'task-switch', at: 1_500, label: 'Switched to “B”: urgent' }]);
    expect(t?.turns[0]?.label).toBe('Turn 1: Ada driving, Ada navigating');
    expect(t?.bins.reduce((n, b) => n + b.count, 0)).toBe(2);
  });

  it('keeps 10,000 decisions to a bounded number of bins, and is empty for an empty session', () => {
    const { doc, ada } = mob();
    const records = Array.from({ length: 10_000 }, (_, i) => stampDecision(doc, { title: `D${i}`, rationale: 'r' }, { now: i * 1_000, author: by(ada) }, i + 1));
    const t = buildTimeline(withStatus(records), [], [], () => '');
    expect(t?.bins.length).toBeLessThanOrEqual(TIMELINE_BINS);
    expect(t?.bins.reduce((n, b) => n + b.count, 0)).toBe(10_000);
    expect(t?.bins[0]?.firstSeq).toBe(1);
    expect(buildTimeline([], [], [], () => '')).toBeNull();
  });
});
