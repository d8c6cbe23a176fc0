/**
 * Members of a session: pure functions over the Y.Doc. Order is a fractional `rank` per member
 * (ties broken by id), so concurrent edits merge instead of overwriting a shared list.
 */
import * as Y from 'yjs';
import { LIMITS, MEMBER_KEY, type MemberMap, membersOf, type SessionDocs } from './doc/schema';
import { type MemberId, newMemberId, parseMemberId } from './ids';

export interface Member {
  id: MemberId;
  name: string;
  rank: number;
  away: boolean;
  joinedAt: number;
}

/** One roster entry, or null when it is not a well-formed member (skipped, never thrown). */
function readMember(id: string, raw: unknown): Member | null {
  const memberId = parseMemberId(id);
  if (!memberId || !(raw instanceof Y.Map)) return null;
  const m = raw as MemberMap;
  const name = m.get(MEMBER_KEY.name);
  if (typeof name !== 'string' || name.length === 0 || [...name].length > LIMITS.memberName) return null;
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
export function listMembers(docs: SessionDocs): Member[] {
  const out: Member[] = [];
  for (const [id, m] of membersOf(docs).entries()) {
    const member = readMember(id, m);
    if (member) out.push(member);
  }
  return out.sort((a, b) => a.rank - b.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function getMember(docs: SessionDocs, id: MemberId): Member | null {
  const m = membersOf(docs).get(id);
  return m ? readMember(id, m) : null;
}

function memberMap(docs: SessionDocs, id: MemberId): MemberMap | null {
  const m = membersOf(docs).get(id);
  return m instanceof Y.Map && readMember(id, m) ? (m as MemberMap) : null;
}

const sameName = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

export function findMemberByName(docs: SessionDocs, name: string): Member | null {
  return listMembers(docs).find((m) => sameName(m.name, name)) ?? null;
}

export interface JoinOptions {
  /** An existing member who keeps their place (and takes the new name), e.g. the same browser. */
  preferredId?: MemberId | null;
  /** Reuse a member of the same name (scripts and "add someone"); off: a second person of that name joins. */
  reuseByName: boolean;
}

/**
 * Join, or rejoin: an existing member with `preferredId` keeps their place (and takes the new
 * name); otherwise, with `reuseByName`, a member of the same name is reused; otherwise a new member
 * goes to the end. `name` must already be normalised.
 */
export function joinMember(docs: SessionDocs, name: string, now: number, opts: JoinOptions = { reuseByName: true }): Member {
  let result: Member | null = null;
  docs.shared.transact(() => {
    const members = membersOf(docs);
    const { preferredId } = opts;
    const mine = preferredId ? memberMap(docs, preferredId) : null;
    if (preferredId && mine) {
      if (mine.get(MEMBER_KEY.name) !== name) mine.set(MEMBER_KEY.name, name);
      result = readMember(preferredId, mine);
      return;
    }
    const existing = opts.reuseByName ? findMemberByName(docs, name) : null;
    if (existing) {
      result = existing;
      return;
    }
    const list = listMembers(docs);
    const id = newMemberId();
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

export function renameMember(docs: SessionDocs, id: MemberId, name: string): boolean {
  const m = memberMap(docs, id);
  if (!m) return false;
  m.set(MEMBER_KEY.name, name);
  return true;
}

export function setAway(docs: SessionDocs, id: MemberId, away: boolean): boolean {
  const m = memberMap(docs, id);
  if (!m) return false;
  m.set(MEMBER_KEY.away, away);
  return true;
}

export function removeMember(docs: SessionDocs, id: MemberId): boolean {
  const members = membersOf(docs);
  if (!members.has(id)) return false;
  members.delete(id);
  return true;
}

/** Moves a member to `index` in the current order by giving it a rank between its new neighbours. */
export function moveMember(docs: SessionDocs, id: MemberId, index: number): boolean {
  const list = listMembers(docs).filter((m) => m.id !== id);
  const m = memberMap(docs, id);
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
export function shuffleMembers(docs: SessionDocs, random: () => number = Math.random): void {
  const list = listMembers(docs);
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j] as Member, list[i] as Member];
  }
  docs.shared.transact(() => {
    for (const [i, member] of list.entries()) memberMap(docs, member.id)?.set(MEMBER_KEY.rank, i + 1);
  });
}
