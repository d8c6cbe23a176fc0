/**
 * Reads a Yjs update (v1 encoding) the way Y.decodeUpdate does, in the same order with the same
 * lib0 readers, so it accepts and refuses exactly the same bytes, but keeps only what the
 * server-owned-state guard (guard.ts) needs: where each item sits and what the update deletes.
 * Y.decodeUpdate builds a full Item, ID and content object per struct through a generator; on the
 * per-update path that was most of the guard's cost and of the garbage it left behind.
 *
 * The format (yjs encoding.js / updates.js): a list of per-client struct runs, then a delete set.
 * An item's info byte holds its content kind (low five bits) and which of origin (bit 8), right
 * origin (bit 7) and parent sub key (bit 6) follow; the parent is written only when neither
 * neighbour is, as a root name or a parent item's id.
 */
import * as decoding from 'lib0/decoding';

const BIT6 = 32;
const BIT7 = 64;
const BIT8 = 128;
const BITS5 = 31;
/** Struct kinds that are not items (lib0's struct refs). */
const GC_REF = 0;
const SKIP_REF = 10;
/** Content kinds (yjs contentRefs). */
const CONTENT = { deleted: 1, json: 2, binary: 3, string: 4, embed: 5, format: 6, type: 7, any: 8, doc: 9 } as const;
/** Shared type refs that carry a name (YXmlElement, YXmlHook); refs above 6 do not exist. */
const TYPE_REF_WITH_KEY = new Set([3, 5]);
const TYPE_REF_MAX = 6;
/** No id: the field was not encoded. */
export const NONE = -1;

/** One item of an update: its id range and the references that place it. Clocks are NONE when absent. */
export interface ScannedItem {
  client: number;
  clock: number;
  length: number;
  /** The root type's name when the item names it; otherwise null. */
  parentKey: string | null;
  parentClient: number;
  parentClock: number;
  originClient: number;
  originClock: number;
  rightClient: number;
  rightClock: number;
}

export interface ScannedUpdate {
  /** Items in encoding order: per client, by clock. */
  items: ScannedItem[];
  /** Deleted ranges as flat triples: client, clock, length. */
  deletes: number[];
}

/** Scans a v1 update; throws where Y.decodeUpdate throws (malformed or truncated input). */
export function scanUpdate(update: Uint8Array): ScannedUpdate {
  const d = decoding.createDecoder(update);
  const items: ScannedItem[] = [];
  const runs = decoding.readVarUint(d);
  for (let r = 0; r < runs; r++) {
    const structs = decoding.readVarUint(d);
    const client = decoding.readVarUint(d);
    let clock = decoding.readVarUint(d);
    for (let s = 0; s < structs; s++) {
      const info = decoding.readUint8(d);
      if (info === SKIP_REF) {
        clock += decoding.readVarUint(d);
      } else if ((info & BITS5) !== GC_REF) {
        const item = readItem(d, info, client, clock);
        items.push(item);
        clock += item.length;
      } else {
        clock += decoding.readVarUint(d);
      }
    }
  }
  const deletes: number[] = [];
  const clients = decoding.readVarUint(d);
  for (let c = 0; c < clients; c++) {
    const client = decoding.readVarUint(d);
    const count = decoding.readVarUint(d);
    for (let i = 0; i < count; i++) deletes.push(client, decoding.readVarUint(d), decoding.readVarUint(d));
  }
  return { items, deletes };
}

function readItem(d: decoding.Decoder, info: number, client: number, clock: number): ScannedItem {
  const item: ScannedItem = {
    client,
    clock,
    length: 0,
    parentKey: null,
    parentClient: NONE,
    parentClock: NONE,
    originClient: NONE,
    originClock: NONE,
    rightClient: NONE,
    rightClock: NONE,
  };
  if ((info & BIT8) !== 0) {
    item.originClient = decoding.readVarUint(d);
    item.originClock = decoding.readVarUint(d);
  }
  if ((info & BIT7) !== 0) {
    item.rightClient = decoding.readVarUint(d);
    item.rightClock = decoding.readVarUint(d);
  }
  if ((info & (BIT7 | BIT8)) === 0) {
    if (decoding.readVarUint(d) === 1) item.parentKey = decoding.readVarString(d);
    else {
      item.parentClient = decoding.readVarUint(d);
      item.parentClock = decoding.readVarUint(d);
    }
    if ((info & BIT6) !== 0) decoding.readVarString(d); // the map key: no bearing on the root
  }
  item.length = readContentLength(d, info & BITS5);
  return item;
}

/** Reads (and so validates) one item's content; returns its length in clock ticks. */
function readContentLength(d: decoding.Decoder, ref: number): number {
  switch (ref) {
    case CONTENT.deleted:
      return decoding.readVarUint(d);
    case CONTENT.json: {
      const len = decoding.readVarUint(d);
      for (let i = 0; i < len; i++) {
        const json = decoding.readVarString(d);
        if (json !== 'undefined') JSON.parse(json);
      }
      return len;
    }
    case CONTENT.binary:
      decoding.readVarUint8Array(d);
      return 1;
    case CONTENT.string:
      return decoding.readVarString(d).length;
    case CONTENT.embed:
      JSON.parse(decoding.readVarString(d));
      return 1;
    case CONTENT.format:
      decoding.readVarString(d);
      JSON.parse(decoding.readVarString(d));
      return 1;
    case CONTENT.type: {
      const typeRef = decoding.readVarUint(d);
      if (typeRef > TYPE_REF_MAX) throw new Error(`unknown shared type ${typeRef}`);
      if (TYPE_REF_WITH_KEY.has(typeRef)) decoding.readVarString(d);
      return 1;
    }
    case CONTENT.any: {
      const len = decoding.readVarUint(d);
      for (let i = 0; i < len; i++) decoding.readAny(d);
      return len;
    }
    case CONTENT.doc: {
      decoding.readVarString(d);
      // Yjs builds the subdocument from these options and fails on null or undefined.
      if (decoding.readAny(d) == null) throw new Error('subdocument without options');
      return 1;
    }
    default:
      throw new Error(`unknown content kind ${ref}`);
  }
}
