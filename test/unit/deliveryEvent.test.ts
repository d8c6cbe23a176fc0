import { describe, expect, it } from 'vitest';
import { parseJsonBody } from '../../lib/delivery/body';
import { cleanSha, cleanText, clip, headerValue, parseTimestamp, safeUrl, shortRef } from '../../lib/delivery/clean';
import { buildEvent, DELIVERY_LIMITS, type EventDraft } from '../../lib/delivery/event';

const draft = (over: Partial<EventDraft> = {}): EventDraft => ({
  provider: 'github',
  kind: 'pipeline',
  status: 'running',
  title: 'CI #1',
  fallbackTitle: 'Workflow run',
  ref: 'refs/heads/main',
  sha: 'ABCDEF1234567',
  actor: 'ana',
  url: 'https://ci.example.com/run/1',
  environment: null,
  occurredAt: null,
  receivedAt: 1_000,
  dedupeKey: 'github:1:guid',
  runKey: 'github:workflow_run:1',
  ...over,
});

function built(over: Partial<EventDraft>) {
  const r = buildEvent(draft(over));
  if (r.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(r)}`);
  return r.event;
}

describe('cleaning provider values', () => {
  it('keeps only http(s) URLs, without credentials', () => {
    expect(safeUrl('https://ci.example.com/a?b=1')).toBe('https://ci.example.com/a?b=1');
    expect(safeUrl('http://ci.example.com')).toBe('http://ci.example.com/');
    expect(safeUrl('https://user:token@ci.example.com/x')).toBe('https://ci.example.com/x');
    for (const bad of ['javascript:alert(1)', 'data:text/html,hi', '/relative', 'ftp://x.example.com', '', 42, null, `https://x.example.com/${'a'.repeat(2100)}`]) {
      expect(safeUrl(bad)).toBeNull();
    }
  });

  it('strips control characters and clips by code points', () => {
    expect(cleanText('  a\nb\t\u001b[31mred ', 50)).toBe('a b [31mred');
    expect(cleanText('   ', 10)).toBeNull();
    expect(cleanText(7, 10)).toBeNull();
    expect(clip('abcdef', 4)).toBe('abc…');
    // An emoji is two UTF-16 units: never cut in half, and never over the cap.
    expect(clip('😀😀😀', 4)).toBe('😀…');
    expect(clip('😀😀😀', 5)).toBe('😀😀…');
  });

  it('reads shas and refs', () => {
    expect(cleanSha('ABCDEF1')).toBe('abcdef1');
    expect(cleanSha('xyz')).toBeNull();
    expect(cleanSha('a'.repeat(65))).toBeNull();
    expect(shortRef('refs/heads/mob/main', 100)).toBe('mob/main');
    expect(shortRef('refs/tags/v1.0', 100)).toBe('refs/tags/v1.0');
  });

  it('reads the timestamp formats providers send', () => {
    const t = Date.UTC(2026, 4, 12, 8, 7, 41);
    expect(parseTimestamp('2026-05-12T08:07:41Z')).toBe(t);
    expect(parseTimestamp('2026-05-12 08:07:41 UTC')).toBe(t);
    expect(parseTimestamp('2026-05-12 10:07:41 +0200')).toBe(t);
    expect(parseTimestamp('2026-05-12T10:07:41+02:00')).toBe(t);
    expect(parseTimestamp(t / 1000)).toBe(t);
    expect(parseTimestamp(String(t))).toBe(t);
    for (const bad of ['yesterday', '2026-05-12', '2026-05-12T08:07:41', -5, Number.NaN, {}, null]) expect(parseTimestamp(bad)).toBeNull();
  });

  it('reads single header values only', () => {
    expect(headerValue({ 'x-a': ' v ' }, 'X-A')).toBe('v');
    expect(headerValue({ 'x-a': ['1', '2'] }, 'x-a')).toBeNull();
    expect(headerValue({ 'x-a': '' }, 'x-a')).toBeNull();
  });
});

describe('building a delivery event', () => {
  it('cleans every field and falls back to the receive time', () => {
    const e = built({ title: 'CI\n#1', url: 'javascript:alert(1)' });
    expect(e).toEqual({
      provider: 'github',
      kind: 'pipeline',
      status: 'running',
      title: 'CI #1',
      ref: 'main',
      sha: 'abcdef1234567',
      actor: 'ana',
      url: null,
      environment: null,
      occurredAt: 1_000,
      dedupeKey: 'github:1:guid',
      runKey: 'github:workflow_run:1',
    });
  });

  it('caps every string', () => {
    const long = 'x'.repeat(5000);
    const e = built({ title: long, ref: long, actor: long, environment: long });
    expect(e.title.length).toBe(DELIVERY_LIMITS.title);
    expect(built({ title: '😀'.repeat(300) }).title.length).toBeLessThanOrEqual(DELIVERY_LIMITS.title);
    expect(e.ref?.length).toBe(DELIVERY_LIMITS.ref);
    expect(e.actor?.length).toBe(DELIVERY_LIMITS.actor);
    expect(e.environment?.length).toBe(DELIVERY_LIMITS.environment);
  });

  it('uses the fallback title when the title is empty', () => {
    expect(built({ title: '  ' }).title).toBe('Workflow run');
  });

  it('refuses over-long keys with a readable error', () => {
    expect(buildEvent(draft({ dedupeKey: 'k'.repeat(600) }))).toMatchObject({ kind: 'error' });
  });
});

describe('parsing a raw body', () => {
  it('parses JSON and tolerates an empty body', () => {
    expect(parseJsonBody(Buffer.from('{"a":1}'), 'application/json')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJsonBody(Buffer.alloc(0), 'application/json')).toEqual({ ok: true, value: undefined });
    expect(parseJsonBody(undefined, null)).toEqual({ ok: true, value: undefined });
  });

  it('unwraps GitHub form-encoded payloads', () => {
    const body = `payload=${encodeURIComponent('{"zen":"hi"}')}`;
    expect(parseJsonBody(body, 'application/x-www-form-urlencoded; charset=utf-8')).toEqual({ ok: true, value: { zen: 'hi' } });
    expect(parseJsonBody('other=1', 'application/x-www-form-urlencoded')).toMatchObject({ ok: false });
  });

  it('explains malformed bodies instead of throwing', () => {
    expect(parseJsonBody('{"a":', 'application/json')).toMatchObject({ ok: false, error: expect.stringContaining('not valid JSON') });
    expect(parseJsonBody(new Uint8Array([0xff, 0xfe]), 'application/json')).toEqual({ ok: false, error: 'body is not valid UTF-8' });
  });
});
