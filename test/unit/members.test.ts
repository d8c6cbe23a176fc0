import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import type { SessionDocs } from '../../lib/doc/schema';
import { normalizeName } from '../../lib/memberName';
import { getMember, joinMember, listMembers, moveMember, removeMember, renameMember, setAway, shuffleMembers } from '../../lib/members';
import { merge as sync, newDocs } from '../helpers/docs';

const names = (doc: SessionDocs) => listMembers(doc).map((m) => m.name);

describe('normalizeName', () => {
  it('trims, collapses whitespace and strips control characters', () => {
    expect(normalizeName('  Ada \n Lovelace\u0000 ')).toEqual({ ok: true, name: 'Ada Lovelace' });
  });
  it('refuses empty, non-string and over-long names, saying why', () => {
    expect(normalizeName('   ')).toEqual({ ok: false, reason: 'name must not be empty' });
    expect(normalizeName(7)).toEqual({ ok: false, reason: 'name must be a string' });
    expect(normalizeName('x'.repeat(41))).toEqual({ ok: false, reason: 'name must be at most 40 characters' });
    expect(normalizeName('😀'.repeat(40)).ok).toBe(true);
  });
});

describe('members', () => {
  it('joins in order and rejoins by id or by name without duplicates', () => {
    const doc = newDocs();
    const ada = joinMember(doc, 'Ada', 1);
    const bob = joinMember(doc, 'Bob', 2);
    expect(names(doc)).toEqual(['Ada', 'Bob']);
    expect(joinMember(doc, 'ADA', 3).id).toBe(ada.id);
    expect(joinMember(doc, 'Robert', 4, { preferredId: bob.id, reuseByName: true })).toMatchObject({ id: bob.id, name: 'Robert' });
    expect(names(doc)).toEqual(['Ada', 'Robert']);
  });

  it('lets a second person of the same name join as someone else when asked to', () => {
    const doc = newDocs();
    const carol = joinMember(doc, 'Carol', 1);
    const other = joinMember(doc, 'Carol', 2, { reuseByName: false });
    expect(other.id).not.toBe(carol.id);
    expect(names(doc)).toEqual(['Carol', 'Carol']);
  });

  it('skips roster entries that are not members instead of throwing (a poisoned session still reads)', () => {
    const doc = newDocs();
    joinMember(doc, 'Ada', 1);
    const members = doc.shared.getMap<unknown>('members');
    members.set('junk', 1);
    members.set('AAAAAAAAAAAA', 'a string');
    members.set('BBBBBBBBBBBB', null);
    members.set('CCCCCCCCCCCC', new Y.Text('text'));
    members.set('DDDDDDDDDDDD', { name: 'plain object' });
    const noName = new Y.Map<unknown>();
    noName.set('name', 42);
    members.set('EEEEEEEEEEEE', noName);
    expect(names(doc)).toEqual(['Ada']);
    expect(getMember(doc, 'CCCCCCCCCCCC' as never)).toBeNull();
    expect(renameMember(doc, 'EEEEEEEEEEEE' as never, 'x')).toBe(false);
  });

  it('renames, marks away, moves and removes', () => {
    const doc = newDocs();
    const [a, b, c] = ['A', 'B', 'C'].map((n, i) => joinMember(doc, n, i));
    if (!a || !b || !c) throw new Error('setup');
    moveMember(doc, c.id, 0);
    expect(names(doc)).toEqual(['C', 'A', 'B']);
    moveMember(doc, c.id, 1);
    expect(names(doc)).toEqual(['A', 'C', 'B']);
    moveMember(doc, a.id, 99);
    expect(names(doc)).toEqual(['C', 'B', 'A']);
    setAway(doc, b.id, true);
    expect(getMember(doc, b.id)?.away).toBe(true);
    renameMember(doc, b.id, 'Bea');
    removeMember(doc, c.id);
    expect(names(doc)).toEqual(['Bea', 'A']);
    expect(removeMember(doc, c.id)).toBe(false);
  });

  it('shuffles with an injected random source, keeping everyone', () => {
    const doc = newDocs();
    for (const n of ['A', 'B', 'C', 'D']) joinMember(doc, n, 0);
    shuffleMembers(doc, () => 0);
    expect(names(doc).sort()).toEqual(['A', 'B', 'C', 'D']);
    expect(names(doc)).toEqual(['B', 'C', 'D', 'A']);
  });

  it('never wipes the roster when twelve people join and edit concurrently on two replicas', () => {
    const left = newDocs();
    const right = newDocs();
    for (let i = 0; i < 6; i++) joinMember(left, `L${i}`, i);
    for (let i = 0; i < 6; i++) joinMember(right, `R${i}`, i);
    sync(left, right);
    const l0 = listMembers(left).find((m) => m.name === 'L0');
    const r0 = listMembers(right).find((m) => m.name === 'R0');
    if (!l0 || !r0) throw new Error('setup');
    renameMember(left, r0.id, 'R0-renamed');
    moveMember(right, l0.id, 11);
    setAway(right, r0.id, true);
    sync(left, right);
    expect(listMembers(left)).toEqual(listMembers(right));
    expect(listMembers(left)).toHaveLength(12);
    expect(getMember(left, r0.id)).toMatchObject({ name: 'R0-renamed', away: true });
    expect(listMembers(left).at(-1)?.id).toBe(l0.id);
  });
});
