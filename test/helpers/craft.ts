/**
 * Hand-made Yjs updates (v1 encoding) for attacks no well-behaved Y.Doc produces: items that name
 * another client's clock, anchors in one type with a parent in another, deletions past the state.
 * Each is checked against Yjs's own decoder in the tests that use it.
 */
import * as encoding from 'lib0/encoding';

export type Id = [client: number, clock: number];
export type CraftContent =
  | { kind: 'any'; values: unknown[] }
  | { kind: 'string'; str: string }
  | { kind: 'type'; ref: 0 | 1 | 2 } // 0 YArray, 1 YMap, 2 YText
  | { kind: 'deleted'; len: number }
  | { kind: 'format'; key: string; value: unknown };

export interface CraftItem {
  clock: number;
  origin?: Id;
  right?: Id;
  /** A root name, or the id of the item holding the parent type (only when neither origin is given). */
  parent?: string | Id;
  sub?: string;
  content: CraftContent;
}

const REF = { deleted: 1, string: 4, format: 6, type: 7, any: 8 } as const;

function writeContent(e: encoding.Encoder, c: CraftContent): void {
  switch (c.kind) {
    case 'any':
      encoding.writeVarUint(e, c.values.length);
      for (const v of c.values) encoding.writeAny(e, v as never);
      return;
    case 'string':
      encoding.writeVarString(e, c.str);
      return;
    case 'type':
      encoding.writeVarUint(e, c.ref);
      return;
    case 'deleted':
      encoding.writeVarUint(e, c.len);
      return;
    case 'format':
      encoding.writeVarString(e, c.key);
      encoding.writeVarString(e, JSON.stringify(c.value));
      return;
  }
}

/** An update of the given items (per client, in clock order) and deletions [client, clock, len]. */
export function craftUpdate(byClient: [client: number, items: CraftItem[]][], deletes: [number, number, number][] = []): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, byClient.length);
  for (const [client, items] of byClient) {
    encoding.writeVarUint(e, items.length);
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, items[0]?.clock ?? 0);
    for (const it of items) {
      const info = REF[it.content.kind] | (it.origin ? 0x80 : 0) | (it.right ? 0x40 : 0) | (it.sub !== undefined ? 0x20 : 0);
      encoding.writeUint8(e, info);
      if (it.origin) {
        encoding.writeVarUint(e, it.origin[0]);
        encoding.writeVarUint(e, it.origin[1]);
      }
      if (it.right) {
        encoding.writeVarUint(e, it.right[0]);
        encoding.writeVarUint(e, it.right[1]);
      }
      if (!it.origin && !it.right) {
        if (typeof it.parent === 'string') {
          encoding.writeVarUint(e, 1);
          encoding.writeVarString(e, it.parent);
        } else {
          encoding.writeVarUint(e, 0);
          encoding.writeVarUint(e, it.parent?.[0] ?? 0);
          encoding.writeVarUint(e, it.parent?.[1] ?? 0);
        }
        if (it.sub !== undefined) encoding.writeVarString(e, it.sub);
      }
      writeContent(e, it.content);
    }
  }
  const byDel = new Map<number, [number, number][]>();
  for (const [client, clock, len] of deletes) byDel.set(client, [...(byDel.get(client) ?? []), [clock, len]]);
  encoding.writeVarUint(e, byDel.size);
  for (const [client, ranges] of byDel) {
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, ranges.length);
    for (const [clock, len] of ranges) {
      encoding.writeVarUint(e, clock);
      encoding.writeVarUint(e, len);
    }
  }
  return encoding.toUint8Array(e);
}
