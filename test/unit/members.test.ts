import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { normalizeName } from '../../lib/memberName';
import { getMember, joinMember, listMembers, moveMember, removeMember, renameMember, setAway, shuffleMembers } from '../../lib/members';

const names = (doc: Y.Doc) => listMembers(doc).map((m) => m.name);
const sync = (a: Y.Doc, b: Y.Doc) => {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
};

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
    const doc = new Y.Doc();
    const ada = joinMember(doc, 'Ada', 1);
    const bob = joinMember(doc, 'Bob', 2);
    expect(names(doc)).toEqual(['Ada', 'Bob']);
    expect(joinMember(doc, 'ADA', 3).id).toBe(ada.id);
    expect(joinMember(doc, 'Robert', 4, bob.id)).toMatchObject({ id: bob.id, name: 'Robert' });
    expect(names(doc)).toEqual(['Ada', 'Robert']);
  });

  it('renames, marks away, moves and removes', () => {
    const doc = new Y.Doc();
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
    const doc = new Y.Doc();
    for (const n of ['A', 'B', 'C', 'D']) joinMember(doc, n, 0);
    shuffleMembers(doc, () => 0);
    expect(names(doc).sort()).toEqual(['A', 'B', 'C', 'D']);
    expect(names(doc)).toEqual(['B', 'C', 'D', 'A']);
  });

  it('never wipes the roster when twelve people join and edit concurrently on two replicas', () => {
    const left = new Y.Doc();
    const right = new Y.Doc();
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
