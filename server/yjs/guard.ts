/**
 * Server-owned parts of the doc: some root types (the rotation state, turn history, decision log)
 * are written only by the server, with server time. A client update that would add to or delete
 * from them is refused before it touches the doc.
 *
 * An encoded item names its parent in one of three ways: a root type's name, the id of a parent
 * item (nested types), or nothing, when the parent is implied by its left or right neighbour
 * (`origin` / `rightOrigin`). Neighbours and parents are resolved in the doc, or among the update's
 * own items. An item whose parent cannot be resolved is not refused: Yjs either keeps it pending
 * until its dependency arrives (and that update is checked in turn) or, when the neighbour was
 * garbage-collected with its deleted parent, discards it; refusing would drop the rest of a
 * reconnecting client's legitimate changes.
 */
import * as Y from 'yjs';
import { NONE, type ScannedItem, scanUpdate } from './updateScan';

type Root = string | null; // root name; null = unknown

/**
 * Root types' names, by type. Y.findRootTypeKey walks the doc's map of roots with an entries
 * iterator on every call; a root keeps its name for the doc's life, so each is looked up once.
 */
const rootNames = new WeakMap<Y.AbstractType<unknown>, string>();

function rootOfType(type: Y.AbstractType<unknown>): Root {
  let t: Y.AbstractType<unknown> = type;
  while (t._item !== null) {
    const parent = t._item.parent;
    if (!(parent instanceof Y.AbstractType)) return null;
    t = parent;
  }
  const known = rootNames.get(t);
  if (known !== undefined) return known;
  let name: string;
  try {
    name = Y.findRootTypeKey(t);
  } catch {
    return null; // not a root of this doc (yet): not remembered
  }
  rootNames.set(t, name);
  return name;
}

function rootOfDocItem(doc: Y.Doc, client: number, clock: number): Root {
  const structs = doc.store.clients.get(client);
  if (!structs || structs.length === 0) return null;
  const last = structs[structs.length - 1];
  if (!last || clock >= last.id.clock + last.length) return null;
  const struct = structs[Y.findIndexSS(structs, clock)];
  if (!(struct instanceof Y.Item)) return null; // GC'd: its parent is gone
  return struct.parent instanceof Y.AbstractType ? rootOfType(struct.parent) : null;
}

/** The update's own items, by client in clock order, and the roots resolved for them so far. */
interface UpdateItems {
  byClient: Map<number, ScannedItem[]>;
  local: Map<ScannedItem, string>;
}

/**
 * The root of the item at (client, clock): one of the update's own items (undefined while not
 * resolved yet), else one in the doc. A module function, not a closure in the caller: the tsx
 * loader names every closure with Object.defineProperty, a slow runtime call on each update.
 */
function rootAt(doc: Y.Doc, own: UpdateItems, client: number, clock: number): Root | undefined {
  const list = own.byClient.get(client);
  if (list) {
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const it = list[mid] as ScannedItem;
      if (clock < it.clock) hi = mid - 1;
      else if (clock >= it.clock + it.length) lo = mid + 1;
      else return own.local.get(it);
    }
  }
  return rootOfDocItem(doc, client, clock);
}

/**
 * An update of one item (a typical keystroke or map set) cannot refer to itself: its references all
 * point into the doc, so it needs no index of its own items.
 */
const NO_OWN_ITEMS: UpdateItems = { byClient: new Map(), local: new Map() };

/** The update's items per client, in clock order (as encoded), for binary search by clock. */
function indexItems(items: readonly ScannedItem[]): UpdateItems {
  const byClient = new Map<number, ScannedItem[]>();
  for (const it of items) {
    const list = byClient.get(it.client);
    if (list) list.push(it);
    else byClient.set(it.client, [it]);
  }
  // Roots resolved so far, by item (identity: no key strings on this per-update path).
  return { byClient, local: new Map<ScannedItem, string>() };
}

/** True when `update` adds to or deletes from any root in `protectedRoots`. Throws on malformed updates. */
export function touchesProtectedRoots(doc: Y.Doc, update: Uint8Array, protectedRoots: ReadonlySet<string>): boolean {
  const { items, deletes } = scanUpdate(update);
  const own = items.length > 1 ? indexItems(items) : NO_OWN_ITEMS;
  // Items may point at items later in the same update: resolve again while a pass makes progress.
  let unresolved = items;
  while (unresolved.length > 0) {
    const next: ScannedItem[] = [];
    for (const it of unresolved) {
      let root: Root | undefined;
      if (it.parentKey !== null) root = it.parentKey;
      else if (it.parentClient !== NONE) root = rootAt(doc, own, it.parentClient, it.parentClock);
      else if (it.originClient !== NONE) root = rootAt(doc, own, it.originClient, it.originClock);
      else if (it.rightClient !== NONE) root = rootAt(doc, own, it.rightClient, it.rightClock);
      if (root === undefined || root === null) {
        next.push(it);
        continue;
      }
      if (protectedRoots.has(root)) return true;
      if (own !== NO_OWN_ITEMS) own.local.set(it, root);
    }
    if (next.length === unresolved.length) break; // the rest cannot be resolved (see the file comment)
    unresolved = next;
  }

  // Deletions: every existing item in a deleted range must be outside the protected roots.
  for (let i = 0; i < deletes.length; i += 3) {
    const client = deletes[i] as number;
    const clock = deletes[i + 1] as number;
    const end = clock + (deletes[i + 2] as number);
    const structsOfClient = doc.store.clients.get(client);
    if (!structsOfClient) continue;
    const last = structsOfClient[structsOfClient.length - 1];
    if (!last || clock >= last.id.clock + last.length) continue;
    for (let k = Y.findIndexSS(structsOfClient, Math.max(clock, structsOfClient[0]?.id.clock ?? 0)); k < structsOfClient.length; k++) {
      const s = structsOfClient[k];
      if (!s || s.id.clock >= end) break;
      if (s instanceof Y.Item && !s.deleted && s.parent instanceof Y.AbstractType) {
        const root = rootOfType(s.parent);
        if (root !== null && protectedRoots.has(root)) return true;
      }
    }
  }
  return false;
}
