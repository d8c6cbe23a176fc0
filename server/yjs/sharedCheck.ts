/**
 * The check every client update to a session's shared document passes before it touches the
 * document (nothing of a refused update is applied):
 *
 * 1. Dependencies. Yjs parks an item whose left or right neighbour, parent or earlier clock it has
 *    not seen, and a deletion past what it has, and applies them later, unchecked, when something
 *    fills the gap. Here they are refused instead: the integration order Yjs would follow is
 *    simulated over the update (decoded by Yjs itself, Y.decodeUpdate), and an update that would
 *    leave anything pending is refused. So is a reference to the same client's later clock, which
 *    Yjs does not check and which would make it throw half-way through applying.
 * 2. Schema. Every item that would be integrated is placed where Yjs would put it — its parent from
 *    its declared parent or neighbour, also for an update that overlaps what the document already
 *    has, where Yjs attaches the new part next to the existing one — and checked against
 *    SHARED_SCHEMA (lib/doc/schema.ts): the roots, keys, value kinds and text limits (the same as
 *    the HTTP API's). Deletions are checked too: a required field goes only with its entry. (Removing
 *    a task is the mob's call; what happened to it is history in the server document.)
 *
 * Server-owned state is not in this document at all (it is in the server document, which accepts
 * no client update), so this check guards the shape of what clients share, not the server's state.
 */
import * as Y from 'yjs';
import { SHARED_SCHEMA, type SessionDocs } from '../../lib/doc/schema';
import {
  checkValue,
  childPlaceOf,
  codePoints,
  type DecodedItem,
  type DeleteSet,
  idKey,
  isDeletedBy,
  type Place,
  type Placed,
  place,
  rootPlace,
  typeKey,
} from './sharedPlaces';

export type CheckResult = { ok: true } | { ok: false; reason: 'unresolved' | 'schema'; detail: string };

type Struct = Y.Item | Y.GC | Y.Skip;


const refused = (reason: 'unresolved' | 'schema', detail: string): CheckResult => ({ ok: false, reason, detail });

interface NewItem {
  item: DecodedItem;
  /** How much of it the document already has (Yjs integrates the rest). */
  offset: number;
}

/** Throws when `update` is malformed (the caller closes that connection as such). */
export function checkSharedUpdate(docs: SessionDocs, update: Uint8Array): CheckResult {
  const { structs, ds } = Y.decodeUpdate(update) as { structs: Struct[]; ds: DeleteSet };
  const check = new UpdateCheck(docs, ds);
  return check.order(structs) ?? check.place() ?? check.required() ?? check.deletions() ?? check.limits();
}

type Counted = { place: Extract<Place, { kind: 'text' | 'array' }>; type: Y.AbstractType<unknown> | null; added: number };

/** One update's check, step by step (a class: no closure is created per update). */
class UpdateCheck {
  private readonly doc: Y.Doc;
  private readonly state = new Map<number, number>();
  private readonly integrated: NewItem[] = [];
  private readonly newByClient = new Map<number, NewItem[]>();
  private readonly placed = new Map<DecodedItem, Placed | null>();
  private readonly counts = new Map<string, Counted>();
  /** Parent type key -> the keys this update gives a live value. */
  private readonly liveKeys = new Map<string, Set<string>>();
  /** Parent type key -> the keys this update overwrites with deleted content. */
  private readonly deadKeys = new Map<string, Set<string>>();

  constructor(
    private readonly docs: SessionDocs,
    private readonly ds: DeleteSet,
  ) {
    this.doc = docs.shared;
  }

  private stateOf(client: number): number {
    let v = this.state.get(client);
    if (v === undefined) {
      v = Y.getState(this.doc.store, client);
      this.state.set(client, v);
    }
    return v;
  }

  /** 1. The integration order Yjs would follow: per client in clock order, each struct once its references exist. */
  order(structs: readonly Struct[]): CheckResult | null {
    const byClient = new Map<number, Struct[]>();
    for (const s of structs) {
      const list = byClient.get(s.id.client);
      if (list) list.push(s);
      else byClient.set(s.id.client, [s]);
    }
    const next = new Map<number, number>();
    let progress = true;
    while (progress) {
      progress = false;
      for (const [client, list] of byClient) {
        const from = next.get(client) ?? 0;
        const r = this.advance(client, list, from);
        if (typeof r !== 'number') return r;
        if (r > from) progress = true;
        next.set(client, r);
      }
    }
    for (const [client, list] of byClient) {
      if ((next.get(client) ?? 0) < list.length) return refused('unresolved', 'the update depends on changes the session does not have');
    }
    for (const [client, ranges] of this.ds.clients) {
      for (const r of ranges) {
        // Yjs never writes an empty range; one at the state's end would be parked, and re-encoding
        // what is parked throws (writeDsLen), from inside the next apply.
        if (r.len <= 0) return refused('schema', 'an empty delete range');
        if (r.clock + r.len > this.stateOf(client)) return refused('unresolved', 'the update deletes changes the session does not have');
      }
    }
    return null;
  }

  /**
   * Integrates `list` from `i` as far as its references allow: the next index, or a refusal. The
   * checks run in Yjs's own order: its references are checked for every struct, also one the
   * document already has (Yjs parks such a struct too when a reference is missing).
   */
  private advance(client: number, list: readonly Struct[], i: number): number | CheckResult {
    for (; i < list.length; i++) {
      const s = list[i] as Struct;
      if (s instanceof Y.Skip) return refused('unresolved', 'the update skips part of a client history');
      if (s.length <= 0) return refused('schema', 'an empty item');
      const local = this.stateOf(client);
      if (s.id.clock > local) return refused('unresolved', `client ${client} sends clock ${s.id.clock} but the session has it up to ${local}`);
      if (s instanceof Y.Item) {
        const parent = s.parent instanceof Y.ID ? s.parent : null;
        if (laterOwn(s.origin, s) || laterOwn(s.rightOrigin, s) || laterOwn(parent, s)) return refused('unresolved', 'an item refers to a later change of its own client');
        if (this.missing(s.origin, client) || this.missing(s.rightOrigin, client) || this.missing(parent, client)) return i; // waits for another client
      }
      if (s.id.clock + s.length <= local) continue; // known already: Yjs skips it
      if (s instanceof Y.Item) {
        const entry = { item: s as DecodedItem, offset: local - s.id.clock };
        this.integrated.push(entry);
        const mine = this.newByClient.get(client);
        if (mine) mine.push(entry);
        else this.newByClient.set(client, [entry]);
      }
      this.state.set(client, s.id.clock + s.length);
    }
    return i;
  }

  private missing(ref: Y.ID | null, client: number): boolean {
    return ref !== null && ref.client !== client && ref.clock >= this.stateOf(ref.client);
  }

  /** 2. Where each new item lands, and whether its value may be there. */
  place(): CheckResult | null {
    for (const { item, offset } of this.integrated) {
      const at = this.landing(item);
      if (at === undefined) return refused('unresolved', 'an item refers to a neighbour that is not placed yet');
      if (offset > 0 && at) {
        // Yjs attaches the new part next to the item before it (same client, already in the document),
        // whatever the declared anchor says.
        const before = this.locateInDoc(Y.createID(item.id.client, item.id.clock + offset - 1));
        if (!before || before.parentKey !== at.parentKey || before.sub !== at.sub) return refused('schema', 'an overlapping update would move content into another place');
      }
      this.placed.set(item, at);
      if (!at) continue;
      if (at.place.kind === 'invalid') return refused('schema', 'writes outside the session’s shared document (roster and tasks)');
      const dead = item.content instanceof Y.ContentDeleted;
      if (!dead) {
        const problem = checkValue(at, item);
        if (problem) return refused('schema', problem);
      }
      // A new value on a key replaces the old one even when the new one is deleted content: only a
      // live value keeps the key. (Which of several concurrent values ends up on the key is Yjs's
      // conflict order; a hand-made update that makes a dead one win only empties the entry, which
      // readers skip like a removed one.)
      const live = !dead && !isDeletedBy(this.ds, item.id);
      if (at.sub !== null) {
        const set = live ? this.liveKeys : this.deadKeys;
        const keys = set.get(at.parentKey);
        if (keys) keys.add(at.sub);
        else set.set(at.parentKey, new Set([at.sub]));
      }
      if ((at.place.kind === 'text' || at.place.kind === 'array') && live) {
        const n = at.place.kind === 'text' ? codePoints((item.content as Y.ContentString).str.slice(offset)) : item.length - offset;
        this.count(at.parentKey, at.place, at.parentType, n);
      }
    }
    return null;
  }

  /** Where Yjs puts `item`: its declared parent, else where its left or right neighbour is. */
  private landing(item: DecodedItem): Placed | null | undefined {
    if (typeof item.parent === 'string') {
      const root = (this.doc.share.get(item.parent) ?? null) as Y.AbstractType<unknown> | null;
      return { place: rootPlace(item.parent), sub: item.parentSub, parentKey: `root:${item.parent}`, parentType: root };
    }
    if (item.parent instanceof Y.ID) {
      const t = this.typeAt(item.parent);
      return t ? { ...t, sub: item.parentSub } : null;
    }
    if (item.origin) return this.locate(item.origin);
    if (item.rightOrigin) return this.locate(item.rightOrigin);
    return null;
  }

  /** The new item (of this update) whose clock range contains `id`. */
  private findNew(id: Y.ID): NewItem | null {
    const list = this.newByClient.get(id.client);
    if (!list) return null;
    for (const e of list) if (id.clock >= e.item.id.clock && id.clock < e.item.id.clock + e.item.length) return e;
    return null;
  }

  private inDoc(id: Y.ID): Y.Item | Y.GC | null {
    const list = this.doc.store.clients.get(id.client);
    if (!list || list.length === 0) return null;
    const last = list[list.length - 1] as Y.Item | Y.GC;
    if (id.clock >= last.id.clock + last.length) return null;
    return list[Y.findIndexSS(list, id.clock)] as Y.Item | Y.GC;
  }

  /** Where the item containing `id` sits (null: garbage-collected, Yjs drops what attaches there; undefined: not placed yet). */
  private locate(id: Y.ID): Placed | null | undefined {
    const own = this.findNew(id);
    if (own && id.clock >= own.item.id.clock + own.offset) return this.placed.get(own.item);
    return this.locateInDoc(id);
  }

  /** Where the document's item containing `id` sits (null when it has none, or it was garbage-collected). */
  private locateInDoc(id: Y.ID): Placed | null {
    const s = this.inDoc(id);
    if (!(s instanceof Y.Item) || !(s.parent instanceof Y.AbstractType)) return null;
    const parent = s.parent as Y.AbstractType<unknown>;
    return { place: place(this.docs, parent), sub: s.parentSub, parentKey: typeKey(parent, this.docs), parentType: parent };
  }

  /** The type held by the item at `id`: its place, key and (if the document has it) the type. */
  private typeAt(id: Y.ID): Omit<Placed, 'sub'> | null {
    const own = this.findNew(id);
    if (own && id.clock >= own.item.id.clock + own.offset) {
      const at = this.placed.get(own.item);
      const child = at ? childPlaceOf(own.item, at) : null;
      return child ? { place: child, parentKey: idKey(own.item.id), parentType: null } : null;
    }
    const s = this.inDoc(id);
    if (!(s instanceof Y.Item) || !(s.content instanceof Y.ContentType)) return null;
    const type = s.content.type as Y.AbstractType<unknown>;
    return { place: place(this.docs, type), parentKey: idKey(s.id), parentType: type };
  }

  private count(key: string, p: Counted['place'], type: Y.AbstractType<unknown> | null, n: number): void {
    const entry = this.counts.get(key);
    if (entry) entry.added += n;
    else this.counts.set(key, { place: p, type, added: n });
  }

  /** 3. A new entry must carry its required fields, and an existing one keeps them. */
  required(): CheckResult | null {
    for (const { item } of this.integrated) {
      const at = this.placed.get(item);
      const node = at ? childPlaceOf(item, at) : null;
      if (node?.kind !== 'map' || isDeletedBy(this.ds, item.id)) continue;
      const keys = this.liveKeys.get(idKey(item.id));
      const missing = SHARED_SCHEMA.nodes[node.node].required.find((k) => !keys?.has(k));
      if (missing) return refused('schema', `a new ${node.node} must have a ${missing}`);
    }
    for (const [parentKey, keys] of this.deadKeys) {
      const owner = this.ownerOf(parentKey);
      if (owner?.place.kind !== 'map' || owner.going) continue;
      const required = SHARED_SCHEMA.nodes[owner.place.node].required;
      const gone = [...keys].find((k) => required.includes(k) && !this.liveKeys.get(parentKey)?.has(k));
      if (gone) return refused('schema', `the ${owner.place.node}'s ${gone} can only go with the ${owner.place.node}`);
    }
    return null;
  }

  /** The map type behind a parent key, and whether it is deleted or being deleted. */
  private ownerOf(parentKey: string): { place: Place; going: boolean } | null {
    if (parentKey.startsWith('root:')) return null;
    const [client, clock] = parentKey.split(':').map(Number) as [number, number];
    const id = Y.createID(client, clock);
    const own = this.findNew(id);
    if (own) {
      const at = this.placed.get(own.item);
      const child = at ? childPlaceOf(own.item, at) : null;
      return child ? { place: child, going: isDeletedBy(this.ds, own.item.id) } : null;
    }
    const s = this.inDoc(id);
    if (!(s instanceof Y.Item) || !(s.content instanceof Y.ContentType)) return null;
    return { place: place(this.docs, s.content.type as Y.AbstractType<unknown>), going: s.deleted || isDeletedBy(this.ds, s.id) };
  }

  /** 4. Deletions of what the document has. */
  deletions(): CheckResult | null {
    for (const [client, ranges] of this.ds.clients) {
      const list = this.doc.store.clients.get(client);
      if (!list || list.length === 0) continue;
      const first = (list[0] as Y.Item | Y.GC).id.clock;
      const last = list[list.length - 1] as Y.Item | Y.GC;
      for (const r of ranges) {
        const end = Math.min(r.clock + r.len, last.id.clock + last.length);
        if (Math.max(r.clock, first) >= end) continue;
        for (let k = Y.findIndexSS(list, Math.max(r.clock, first)); k < list.length; k++) {
          const s = list[k] as Y.Item | Y.GC;
          if (s.id.clock >= end) break;
          if (!(s instanceof Y.Item) || s.deleted || !(s.parent instanceof Y.AbstractType)) continue;
          const problem = this.deletion(s, r.clock, end);
          if (problem) return refused('schema', problem);
        }
      }
    }
    return null;
  }

  /** Why a client may not delete (the part in [from, end) of) the document's item `s`; null when it may. */
  private deletion(s: Y.Item, from: number, end: number): string | null {
    const parent = s.parent as Y.AbstractType<unknown>;
    const p = place(this.docs, parent);
    if (p.kind === 'text' || p.kind === 'array') {
      if (!s.countable) return null;
      const a = Math.max(from, s.id.clock) - s.id.clock;
      const b = Math.min(end, s.id.clock + s.length) - s.id.clock;
      const n = p.kind === 'text' && s.content instanceof Y.ContentString ? codePoints(s.content.str.slice(a, b)) : b - a;
      this.count(typeKey(parent, this.docs), p, parent, -n);
      return null;
    }
    if (p.kind === 'map' && s.parentSub && SHARED_SCHEMA.nodes[p.node].required.includes(s.parentSub)) {
      const owner = parent._item;
      const goes = owner === null || owner.deleted || isDeletedBy(this.ds, owner.id);
      if (!goes && !this.liveKeys.get(typeKey(parent, this.docs))?.has(s.parentSub)) return `the ${p.node}'s ${s.parentSub} can only go with the ${p.node}`;
    }
    return null;
  }

  /** 5. Limits on what results: text lengths and the number of criteria. */
  limits(): CheckResult {
    for (const c of this.counts.values()) {
      if (c.added <= 0) continue;
      const current = c.type ? (c.place.kind === 'text' ? codePoints(c.type.toString()) : (c.type as Y.Array<unknown>).length) : 0;
      if (current + c.added > c.place.max) return refused('schema', c.place.kind === 'text' ? `text longer than ${c.place.max} characters` : `more than ${c.place.max} criteria`);
    }
    return { ok: true };
  }
}

/** A reference to the same client's own clock at or past the item itself (Yjs would throw integrating it). */
function laterOwn(ref: Y.ID | null, s: Y.Item): boolean {
  return ref !== null && ref.client === s.id.client && ref.clock >= s.id.clock;
}
