import { describe, expect, it } from 'vitest';
import { parseJsonBody } from '../../lib/delivery/body';
import { normalizeGithub } from '../../lib/delivery/github';
import { normalizeGitlab } from '../../lib/delivery/gitlab';
import type { MemberId } from '../../lib/ids';
import {
  MOBSH_REPLY,
  mobNextHandover,
  mobReplyText,
  parseGoalDelete,
  parseGoalPut,
  parseRoomKey,
  parseTimerPut,
  resolveDriver,
  type RosterMember,
} from '../../lib/mobsh';
import { fixtureJson } from '../helpers/webhooks';

/** What mob.sh puts on the wire (it always sends Content-Type: application/json). */
const wire = (body: string | undefined) => {
  const r = parseJsonBody(body === undefined ? undefined : Buffer.from(body), 'application/json');
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

describe('mob.sh timer PUT', () => {
  it('reads `mob start 10` and `mob break 5` as mob.sh sends them', () => {
    expect(parseTimerPut(wire('{"timer":10,"user":"Ana"}'))).toEqual({ ok: true, value: { kind: 'turn', minutes: 10, user: 'Ana' } });
    expect(parseTimerPut(wire('{"breaktimer":5,"user":"Ana"}'))).toEqual({ ok: true, value: { kind: 'break', minutes: 5, user: 'Ana' } });
  });

  it('follows timer.mob.sh precedence: timer over breaktimer, neither is still accepted', () => {
    expect(parseTimerPut({ timer: 10, breaktimer: 5, user: 'Ana' })).toMatchObject({ value: { kind: 'turn', minutes: 10 } });
    expect(parseTimerPut({ timer: null, breaktimer: 5 })).toMatchObject({ value: { kind: 'break', minutes: 5, user: null } });
    expect(parseTimerPut({ user: 'Ana' })).toEqual({ ok: true, value: { kind: 'none', user: 'Ana' } });
    expect(parseTimerPut({})).toEqual({ ok: true, value: { kind: 'none', user: null } });
  });

  it('clamps to 0..1440 minutes and truncates like the Java server', () => {
    const minutes = (timer: unknown) => {
      const r = parseTimerPut({ timer });
      return r.ok && r.value.kind === 'turn' ? r.value.minutes : null;
    };
    expect(minutes(0)).toBe(0);
    expect(minutes(-3)).toBe(0);
    expect(minutes(1440)).toBe(1440);
    expect(minutes(100000)).toBe(1440);
    expect(minutes(7.9)).toBe(7);
    expect(minutes('15')).toBe(15);
  });

  it('ignores unknown fields, cleans the user, and explains real mistakes', () => {
    expect(parseTimerPut({ timer: 10, user: '  Ana\n', future: true })).toMatchObject({ ok: true, value: { user: 'Ana' } });
    expect(parseTimerPut({ timer: 10, user: '   ' })).toMatchObject({ value: { user: null } });
    expect(parseTimerPut({ timer: 'ten' })).toEqual({ ok: false, error: 'timer must be a number of minutes' });
    expect(parseTimerPut({ timer: 5, user: 42 })).toEqual({ ok: false, error: 'user must be a string' });
    expect(parseTimerPut([1])).toEqual({ ok: false, error: 'body must be a JSON object' });
    expect(parseTimerPut(undefined)).toMatchObject({ ok: false });
  });
});

describe('mob.sh goal', () => {
  it('sets a goal and cuts it to 256 characters', () => {
    expect(parseGoalPut(wire('{"goal":"Refund endpoint returns 404 for unknown ids","user":"Ana"}'))).toEqual({
      ok: true,
      value: { kind: 'set', goal: 'Refund endpoint returns 404 for unknown ids', user: 'Ana' },
    });
    const r = parseGoalPut({ goal: 'g'.repeat(1000), user: 'Ana' });
    expect(r.ok && r.value.kind === 'set' && [...r.value.goal].length).toBe(256);
  });

  it('treats a blank goal as clearing it, and refuses a non-string goal', () => {
    expect(parseGoalPut({ goal: '  ', user: 'Ana' })).toEqual({ ok: true, value: { kind: 'clear', user: 'Ana' } });
    expect(parseGoalPut({ goal: 3 })).toEqual({ ok: false, error: 'goal must be a string' });
  });

  it('reads DELETE with a body, and without one', () => {
    expect(parseGoalDelete(wire('{"user":"Ana"}'))).toEqual({ ok: true, value: { user: 'Ana' } });
    expect(parseGoalDelete(wire(undefined))).toEqual({ ok: true, value: { user: null } });
    expect(parseGoalDelete(wire(''))).toEqual({ ok: true, value: { user: null } });
    expect(parseGoalDelete(wire('{}'))).toEqual({ ok: true, value: { user: null } });
    expect(parseGoalDelete('just text')).toMatchObject({ ok: false });
  });
});

describe('room keys', () => {
  it('accepts timer.mob.sh room names only', () => {
    expect(parseRoomKey('team-payments_42')).toBe('team-payments_42');
    for (const bad of ['', 'ABC-123/feature', 'a.b', 'a b', '../x', 'ä', 'x'.repeat(129), 7, null]) expect(parseRoomKey(bad)).toBeNull();
  });
});

describe('resolving the driver', () => {
  const roster: RosterMember[] = [
    { id: 'member00000A' as MemberId, name: 'Ana Silva', aliases: ['asilva'] },
    { id: 'member00000B' as MemberId, name: 'Bo' },
  ];

  it('matches display names case-insensitively, then aliases', () => {
    expect(resolveDriver(roster, 'ana silva')).toEqual({ kind: 'member', id: 'member00000A', name: 'Ana Silva' });
    expect(resolveDriver(roster, ' BO ')).toEqual({ kind: 'member', id: 'member00000B', name: 'Bo' });
    expect(resolveDriver(roster, 'ASilva')).toMatchObject({ kind: 'member', id: 'member00000A' });
  });

  it('keeps accents significant, like the roster does', () => {
    expect(resolveDriver([{ id: 'member00000C' as MemberId, name: 'José' }], 'jose')).toEqual({ kind: 'new', name: 'jose' });
  });

  it('adds an unknown user rather than refusing the call; no user is anonymous', () => {
    expect(resolveDriver(roster, 'Cy')).toEqual({ kind: 'new', name: 'Cy' });
    expect(resolveDriver(roster, null)).toEqual({ kind: 'anonymous' });
    expect(resolveDriver([], 'x'.repeat(100))).toEqual({ kind: 'new', name: `${'x'.repeat(39)}…` });
  });
});

describe('the reply line mob.sh prints', () => {
  it('says who drives and who is next', () => {
    expect(mobReplyText({ kind: 'turn', session: 'payments', driver: 'Ana', next: 'Bo', minutes: 10 })).toBe('Mobflow "payments": Ana drives for 10 min, Bo is next');
    expect(mobReplyText({ kind: 'turn', session: 'payments', driver: 'Ana', next: null, minutes: 1 })).toBe('Mobflow "payments": Ana drives for 1 min');
    expect(mobReplyText({ kind: 'turn', session: 'payments', driver: null, next: null, minutes: 0 })).toBe('Mobflow "payments": timer stopped');
    expect(mobReplyText({ kind: 'break', session: 'payments', minutes: 5 })).toBe('Mobflow "payments": break for 5 min');
    expect(mobReplyText({ kind: 'goal-set', session: 'payments', goal: 'Refunds' })).toBe('Mobflow "payments": goal set: Refunds');
    expect(mobReplyText({ kind: 'goal-cleared', session: 'payments' })).toBe('Mobflow "payments": goal cleared');
    expect(mobReplyText({ kind: 'none', session: 'payments' })).toContain('nothing to do');
  });

  it('stays one line without terminal escapes, whatever the names hold', () => {
    const text = mobReplyText({ kind: 'turn', session: 'pay\u001b[2J\nments', driver: 'A\rna', next: 'B'.repeat(500), minutes: 10 });
    expect(text).not.toMatch(/[\p{Cc}]/u);
    expect(text.length).toBeLessThanOrEqual(300);
  });

  it('is always answered 202 in plain text, never a redirect', () => {
    expect(MOBSH_REPLY).toEqual({ status: 202, contentType: 'text/plain; charset=utf-8' });
  });
});

describe('mob next from a push', () => {
  const gh = normalizeGithub('push', fixtureJson('github/push.mob-next.json'), { deliveryId: 'd', hookId: null, receivedAt: 0 });
  const gl = normalizeGitlab('Push Hook', fixtureJson('gitlab/push.json'), { deliveryKey: null, receivedAt: 0 });

  it('recognises the wip commit pushed to mob/*, with the outgoing driver', () => {
    expect(gh.kind === 'event' && mobNextHandover(gh.event)).toEqual({ outgoing: 'Ana Silva' });
    expect(gl.kind === 'event' && mobNextHandover(gl.event)).toEqual({ outgoing: 'Bo Chen' });
  });

  it('ignores other pushes and honours a team’s own prefixes', () => {
    if (gh.kind !== 'event') throw new Error('fixture');
    expect(mobNextHandover({ ...gh.event, ref: 'main' })).toBeNull();
    expect(mobNextHandover({ ...gh.event, title: 'Fix totals' })).toBeNull();
    expect(mobNextHandover({ ...gh.event, kind: 'pipeline' })).toBeNull();
    expect(mobNextHandover({ ...gh.event, sha: null })).toBeNull();
    expect(mobNextHandover({ ...gh.event, ref: 'pair/main', title: 'handover' }, { branchPrefix: 'pair/', messagePrefix: 'handover' })).toEqual({ outgoing: 'Ana Silva' });
  });
});
