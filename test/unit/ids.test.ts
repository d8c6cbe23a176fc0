import { describe, expect, it } from 'vitest';
import { newMemberId, newSessionId, newViewToken, parseMemberId, parseSessionId, parseViewToken } from '../../lib/ids';

describe('ids', () => {
  it('makes 128-bit session ids and view tokens that parse', () => {
    const id = newSessionId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(parseSessionId(id)).toBe(id);
    expect(parseViewToken(newViewToken())).not.toBeNull();
    // 22 base64url characters carry 132 bits; the generator fills 16 random bytes (128 bits).
    const ids = new Set(Array.from({ length: 2000 }, () => newSessionId()));
    expect(ids.size).toBe(2000);
  });

  it('rejects anything that is not exactly an id', () => {
    for (const bad of ['', 'short', 'A'.repeat(21), 'A'.repeat(23), `${'A'.repeat(21)}/`, `${'A'.repeat(21)}%`, '../../etc/passwd', null, undefined, 42, {}, ['A'.repeat(22)]]) {
      expect(parseSessionId(bad), String(bad)).toBeNull();
    }
    expect(parseMemberId(newMemberId())).not.toBeNull();
    expect(parseMemberId(newSessionId())).toBeNull();
  });
});
