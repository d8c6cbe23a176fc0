/**
 * Members of a session: pure functions over the Y.Doc. Order is a fractional `rank` per member
 * (ties broken by id), so concurrent edits merge instead of overwriting a shared list.
 */
import * as Y from 'yjs';
import { MEMBER_KEY, type MemberMap, membersOf } from './doc/schema';
import { type MemberId, newMemberId, parseMemberId } from './ids';

export interface Member {
  id: MemberId;
  name: string;
  rank: number;
  away: boolean;
  joinedAt: number;
}

function readMember(id: string, m: MemberMap): Member | null {
  const memberId = parseMemberId(id);
  const name = m.get(MEMBER_KEY.name);
  if (!memberId || typeof name !== 'string') return null;
  const rank = m.get(MEMBER_KEY.rank);
  const joinedAt = m.get(MEMBER_KEY.joinedAt);
  return {
    id: memberId,
    name,
    rank: typeof rank === 'number' && Number.isFinite(rank) ? rank : 0,
    away: m.get(MEMBER_KEY.away) === true,
    joinedAt: typeof joinedAt === 'number' ? joinedAt : 0,
  };
}

/** The roster in rotation order. */
export function listMembers(doc: Y.Doc): Member[] {
  const out: Member[] = [];
  for (const [id, m] of membersOf(doc).entries()) {
    const member = readMember(id, m);
    if (member) out.push(member);
  }
  return out.sort((a, b) => a.rank - b.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function getMember(doc: Y.Doc, id: MemberId): Member | null {
  const m = membersOf(doc).get(id);
  return m ? readMember(id, m) : null;
}

const sameName = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

export function findMemberByName(doc: Y.Doc, name: string): Member | null {
  return listMembers(doc).find((m) => sameName(m.name, name)) ?? null;
}

/**
 * Join, or rejoin: an existing member with `preferredId` keeps their place (and takes the new
 * name); otherwise a member of the same name is reused; otherwise a new member goes to the end.
 * `name` must already be normalised.
 */
export function joinMember(doc: Y.Doc, name: string, now: number, preferredId?: MemberId | null): Member {
  let result: Member | null = null;
  doc.transact(() => {
    const members = membersOf(doc);
    const mine = preferredId ? members.get(preferredId) : undefined;
    if (preferredId && mine) {
      if (mine.get(MEMBER_KEY.name) !== name) mine.set(MEMBER_KEY.name, name);
      result = readMember(preferredId, mine);
      return;
    }
    const existing = findMemberByName(doc, name);
    if (existing) {
      result = existing;
      return;
    }
    const list = listMembers(doc);
    const id = preferredId ?? newMemberId();
    const m = new Y.Map<unknown>();
    m.set(MEMBER_KEY.name, name);
    m.set(MEMBER_KEY.rank, (list.at(-1)?.rank ?? 0) + 1);
    m.set(MEMBER_KEY.away, false);
    m.set(MEMBER_KEY.joinedAt, now);
    members.set(id, m);
    result = readMember(id, m);
  });
  if (!result) throw new Error('joinMember: member could not be read back');
  return result;
}

export function renameMember(doc: Y.Doc, id: MemberId, name: string): boolean {
  const m = membersOf(doc).get(id);
  if (!m) return false;
  m.set(MEMBER_KEY.name, name);
  return true;
}

export function setAway(doc: Y.Doc, id: MemberId, away: boolean): boolean {
  const m = membersOf(doc).get(id);
  if (!m) return false;
  m.set(MEMBER_KEY.away, away);
  return true;
}

export function removeMember(doc: Y.Doc, id: MemberId): boolean {
  const members = membersOf(doc);
  if (!members.has(id)) return false;
  members.delete(id);
  return true;
}

/** Moves a member to `index` in the current order by giving it a rank between its new neighbours. */
export function moveMember(doc: Y.Doc, id: MemberId, index: number): boolean {
  const list = listMembers(doc).filter((m) => m.id !== id);
  const m = membersOf(doc).get(id);
  if (!m) return false;
  const i = Math.max(0, Math.min(list.length, Math.trunc(index)));
  const before = list[i - 1]?.rank;
  const after = list[i]?.rank;
  const rank =
    before === undefined && after === undefined
      ? 1
      : before === undefined
        ? (after as number) - 1
        : after === undefined
          ? before + 1
          : (before + after) / 2;
  m.set(MEMBER_KEY.rank, rank);
  return true;
}

/** Reorders everyone with the given random source (injectable for tests). */
export function shuffleMembers(doc: Y.Doc, random: () => number = Math.random): void {
  const list = listMembers(doc);
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j] as Member, list[i] as Member];
  }
  doc.transact(() => {
    for (const [i, member] of list.entries()) membersOf(doc).get(member.id)?.set(MEMBER_KEY.rank, i + 1);
  });
}
