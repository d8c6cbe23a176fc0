/**
 * Where things sit in the shared document's schema (SHARED_SCHEMA in lib/doc/schema.ts), and what
 * may sit there: the places of existing types (looked up once per type) and the value checks the
 * update check (sharedCheck.ts) applies to every item a client update would add.
 */
import * as Y from 'yjs';
import { type FieldSpec, type NodeName, SHARED_SCHEMA, type SessionDocs } from '../../lib/doc/schema';
import { parseMemberId, parseTaskId } from '../../lib/ids';
import { normalizeName } from '../../lib/memberName';

/** Where a type sits in the schema: a root map, a map node, a criteria array, or a text. */
export type Place =
  | { kind: 'root'; name: string }
  | { kind: 'map'; node: NodeName }
  | { kind: 'array'; of: NodeName; max: number }
  | { kind: 'text'; max: number }
  | { kind: 'invalid' };

/** A type's place never changes: looked up once per type for the document's life. */
const placeOfType = new WeakMap<Y.AbstractType<unknown>, Place>();

export type DecodedItem = Y.Item & { parent: string | Y.ID | null };
/** A delete set as Y.decodeUpdate returns it (the type is not exported by yjs). */
export type DeleteSet = ReturnType<typeof Y.decodeUpdate>['ds'];
type Content = Y.Item['content'];

/** Where an item lands: its parent type's place, its key there, and which type that is. */
export interface Placed {
  place: Place;
  sub: string | null;
  /** The parent type: its item's id, or `root:<name>`. */
  parentKey: string;
  /** The parent type when the document has it already (null: created by this update). */
  parentType: Y.AbstractType<unknown> | null;
}

export const idKey = (id: Y.ID) => `${id.client}:${id.clock}`;
export const codePoints = (s: string) => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};
export const typeKey = (type: Y.AbstractType<unknown>, docs: SessionDocs): string => {
  if (type._item) return idKey(type._item.id);
  for (const [name, t] of docs.shared.share) if (t === type) return `root:${name}`;
  return 'root:?';
};

export function isDeletedBy(ds: DeleteSet, id: Y.ID): boolean {
  const ranges = ds.clients.get(id.client);
  return !!ranges?.some((r) => id.clock >= r.clock && id.clock < r.clock + r.len);
}

export function rootPlace(name: string): Place {
  return SHARED_SCHEMA.roots[name] ? { kind: 'root', name } : { kind: 'invalid' };
}

/** The place of a type that exists in the document, from its parent's place and its key. */
export function place(docs: SessionDocs, type: Y.AbstractType<unknown>): Place {
  const known = placeOfType.get(type);
  if (known) return known;
  let p: Place;
  const item = type._item;
  if (item === null) {
    let name: string | null = null;
    for (const [k, t] of docs.shared.share) if (t === type) name = k;
    p = name ? rootPlace(name) : { kind: 'invalid' };
  } else if (item.parent instanceof Y.AbstractType) {
    p = childPlace(place(docs, item.parent as Y.AbstractType<unknown>), item.parentSub, type) ?? { kind: 'invalid' };
  } else p = { kind: 'invalid' };
  placeOfType.set(type, p);
  return p;
}

/** The place of a nested type created by `item` (ContentType) at `at`. */
export function childPlaceOf(item: DecodedItem, at: Placed): Place | null {
  return item.content instanceof Y.ContentType ? childPlace(at.place, at.sub, item.content.type as Y.AbstractType<unknown>) : null;
}

function childPlace(parent: Place, sub: string | null, type: Y.AbstractType<unknown>): Place | null {
  const spec: FieldSpec | undefined =
    parent.kind === 'root' && sub !== null
      ? SHARED_SCHEMA.roots[parent.name]?.value
      : parent.kind === 'map' && sub !== null
        ? SHARED_SCHEMA.nodes[parent.node].fields[sub]
        : parent.kind === 'array' && sub === null
          ? { kind: 'map', node: parent.of }
          : undefined;
  if (!spec) return null;
  if (spec.kind === 'map' && type instanceof Y.Map) return { kind: 'map', node: spec.node };
  if (spec.kind === 'array' && type instanceof Y.Array) return { kind: 'array', of: spec.of, max: spec.max };
  if (spec.kind === 'text' && type instanceof Y.Text) return { kind: 'text', max: spec.max };
  return null;
}

/** Why the value of `item` may not sit at `at`, or null when it may. */
export function checkValue(at: Placed, item: DecodedItem): string | null {
  const { place: p, sub } = at;
  const c = item.content;
  switch (p.kind) {
    case 'invalid':
      return 'writes outside the session’s shared document (roster and tasks)';
    case 'text':
      return sub === null && c instanceof Y.ContentString ? null : 'a text holds characters only';
    case 'array':
      if (sub !== null || !(c instanceof Y.ContentType) || !(c.type instanceof Y.Map)) return 'the criteria list holds criteria only';
      return null;
    case 'root': {
      if (sub === null) return `${p.name} holds entries by id only`;
      const validKey = SHARED_SCHEMA.roots[p.name]?.key === 'member' ? parseMemberId(sub) : parseTaskId(sub);
      if (!validKey) return `${sub.slice(0, 24)} is not a ${SHARED_SCHEMA.roots[p.name]?.key} id`;
      return c instanceof Y.ContentType && c.type instanceof Y.Map ? null : `a ${SHARED_SCHEMA.roots[p.name]?.key} must be a map`;
    }
    case 'map': {
      if (sub === null) return `a ${p.node} holds named fields only`;
      const spec = SHARED_SCHEMA.nodes[p.node].fields[sub];
      if (!spec) return `a ${p.node} has no field ${sub.slice(0, 24)}`;
      return checkField(spec, c, `${p.node}.${sub}`, p.node === 'member' && sub === 'name');
    }
    default:
      return 'unexpected place';
  }
}

function checkField(spec: FieldSpec, c: Content, what: string, isName: boolean): string | null {
  if (spec.kind === 'text' || spec.kind === 'map' || spec.kind === 'array') {
    const t = c instanceof Y.ContentType ? c.type : null;
    const ok = (spec.kind === 'text' && t instanceof Y.Text) || (spec.kind === 'map' && t instanceof Y.Map) || (spec.kind === 'array' && t instanceof Y.Array);
    return ok ? null : `${what} must be a ${spec.kind}`;
  }
  if (!(c instanceof Y.ContentAny) || c.arr.length !== 1) return `${what} must be one ${spec.kind}`;
  const v = c.arr[0];
  switch (spec.kind) {
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? null : `${what} must be a number`;
    case 'boolean':
      return typeof v === 'boolean' ? null : `${what} must be true or false`;
    case 'string': {
      if (typeof v !== 'string') return `${what} must be a string`;
      if (codePoints(v) > spec.max) return `${what} must be at most ${spec.max} characters`;
      if (spec.id && !/^[A-Za-z0-9_-]{1,64}$/.test(v)) return `${what} must be an id`;
      if (isName) {
        const r = normalizeName(v);
        if (!r.ok || r.name !== v) return `${what}: ${r.ok ? 'not a normalised name' : r.reason}`;
      }
      return null;
    }
    default:
      return `${what} has an unexpected kind`;
  }
}
