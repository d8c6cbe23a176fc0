import { describe, expect, it } from 'vitest';
import { checkDeliveryEvent, DELIVERY_LIMITS, type DeliveryEvent } from '../../lib/delivery/event';

const good: DeliveryEvent = {
  provider: 'gitlab',
  kind: 'deploy',
  status: 'success',
  title: 'Deploy to canary',
  ref: 'main',
  sha: 'abcdef1',
  actor: 'ana',
  url: 'https://gitlab.example.com/p/-/environments/1',
  environment: 'canary',
  occurredAt: 1_700_000_000_000,
  dedupeKey: 'gitlab:uuid-1',
  runKey: 'gitlab:deployment:1',
};

describe('checkDeliveryEvent (the one check the server and every page run on a delivery record)', () => {
  it('accepts a well-formed record, nullable fields null, and returns a copy', () => {
    const r = checkDeliveryEvent(good);
    expect(r).toEqual({ ok: true, event: good });
    if (r.ok) expect(r.event).not.toBe(good);
    expect(checkDeliveryEvent({ ...good, ref: null, sha: null, actor: null, url: null, environment: null }).ok).toBe(true);
  });

  it.each([
    ['not an object', 'x'],
    ['an array', [good]],
    ['an unknown field', { ...good, secret: 'x' }],
    ['a missing field', (({ runKey: _, ...rest }) => rest)(good)],
    ['an unknown provider', { ...good, provider: 'jenkins' }],
    ['an unknown kind', { ...good, kind: 'release' }],
    ['an unknown status', { ...good, status: 'ok' }],
    ['an empty title', { ...good, title: '' }],
    ['an over-long title', { ...good, title: 't'.repeat(DELIVERY_LIMITS.title + 1) }],
    ['a title of another type', { ...good, title: 7 }],
    ['a sha that is not hex', { ...good, sha: 'XYZ1234' }],
    ['a javascript: URL', { ...good, url: 'javascript:alert(1)' }],
    ['a URL with credentials', { ...good, url: 'https://user:pw@ci.example.com/1' }],
    ['a fractional time', { ...good, occurredAt: 1.5 }],
    ['a negative time', { ...good, occurredAt: -1 }],
    ['a time that is not a number', { ...good, occurredAt: '1' }],
    ['an over-long run key', { ...good, runKey: 'k'.repeat(DELIVERY_LIMITS.key + 1) }],
  ])('rejects %s, never throwing', (_what, raw) => {
    const r = checkDeliveryEvent(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/\S/);
  });
});
