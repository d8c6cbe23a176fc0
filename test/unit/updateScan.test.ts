/**
 * The guard's update reader against Yjs's own decoder: for updates of every content kind it must
 * report the same items (id, length, parent, neighbours) and deletions as Y.decodeUpdate, and for
 * corrupted bytes it must throw exactly when Y.decodeUpdate throws.
 */
import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { NONE, scanUpdate } from '../../server/yjs/updateScan';
import { rng as random } from '../helpers/fuzz';

/** One random edit touching every kind of content Yjs encodes. */
function edit(doc: Y.Doc, rnd: () => number): void {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const map = doc.getMap<unknown>(pick(['meta', 'members', 'tasks']));
  const arr = doc.getArray<unknown>(pick(['turns', 'decisions']));
  const text = doc.getText('notes');
  const xml = doc.getXmlFragment('xml');
  switch (Math.floor(rnd() * 12)) {
    case 0:
      map.set(`k${Math.floor(rnd() * 5)}`, pick([1, 'two', { three: [3] }, null, true, 2.5, new Uint8Array([1, 2])]));
      break;
    case 1: {
      const inner = new Y.Map<unknown>();
      map.set(`m${Math.floor(rnd() * 3)}`, inner);
      inner.set('x', rnd());
      break;
    }
    case 2:
      arr.insert(Math.floor(rnd() * (arr.length + 1)), [rnd(), 'é😀', { a: 1 }]);
      break;
    case 3:
      if (arr.length > 0) arr.delete(Math.floor(rnd() * arr.length), 1);
      break;
    case 4:
      text.insert(Math.floor(rnd() * (text.length + 1)), pick(['hello', 'ünï', '😀😀', 'x']));
      break;
    case 5:
      if (text.length > 1) text.format(0, Math.ceil(rnd() * text.length), { bold: rnd() > 0.5 ? true : null });
      break;
    case 6:
      text.insertEmbed(Math.floor(rnd() * (text.length + 1)), { image: 'a.png' });
      break;
    case 7:
      if (text.length > 2) text.delete(1, Math.ceil(rnd() * (text.length - 1)));
      break;
    case 8: {
      const el = new Y.XmlElement('p');
      xml.insert(0, [el, new Y.XmlText('t')]);
      map.set('hook', new Y.XmlHook('hook'));
      el.setAttribute('class', 'c');
      break;
    }
    case 9:
      map.set('sub', new Y.Doc({ guid: `g${Math.floor(rnd() * 100)}` }));
      break;
    case 10: {
      const nested = new Y.Array<unknown>();
      arr.push([nested]);
      nested.push(['n']);
      break;
    }
    default:
      if (map.size > 0) map.delete(pick([...map.keys()]));
  }
}

/** Yjs's view of an update, in the scanner's terms. */
function decodedByYjs(update: Uint8Array) {
  const { structs, ds } = Y.decodeUpdate(update);
  const items = structs
    .filter((s): s is Y.Item => s instanceof Y.Item)
    .map((it) => ({
      client: it.id.client,
      clock: it.id.clock,
      length: it.length,
      parentKey: typeof it.parent === 'string' ? it.parent : null,
      parentClient: it.parent instanceof Y.ID ? it.parent.client : NONE,
      parentClock: it.parent instanceof Y.ID ? it.parent.clock : NONE,
      originClient: it.origin?.client ?? NONE,
      originClock: it.origin?.clock ?? NONE,
      rightClient: it.rightOrigin?.client ?? NONE,
      rightClock: it.rightOrigin?.clock ?? NONE,
    }));
  const deletes: number[] = [];
  for (const [client, ranges] of ds.clients) for (const r of ranges) deletes.push(client, r.clock, r.len);
  return { items, deletes };
}

function throws(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch {
    return true;
  }
}

describe('update scanner', () => {
  it('reads the same items and deletions as Y.decodeUpdate for every content kind', () => {
    let compared = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const rnd = random(seed);
      const doc = new Y.Doc();
      for (let step = 0; step < 30; step++) {
        const before = Y.encodeStateVector(doc);
        doc.transact(() => {
          const edits = 1 + Math.floor(rnd() * 3);
          for (let e = 0; e < edits; e++) edit(doc, rnd);
        });
        const update = Y.encodeStateAsUpdate(doc, before);
        expect(scanUpdate(update), `seed ${seed} step ${step}`).toEqual(decodedByYjs(update));
        compared++;
      }
      // The whole document at once: long runs, merged items, deletions of many clients' items.
      const full = Y.encodeStateAsUpdate(doc);
      expect(scanUpdate(full), `seed ${seed} full`).toEqual(decodedByYjs(full));
      expect(decodedByYjs(full).items.length).toBeGreaterThan(0);
    }
    expect(compared).toBe(40 * 30);
  });

  it('throws exactly when Y.decodeUpdate throws, on truncated and corrupted updates', () => {
    const rnd = random(7);
    const doc = new Y.Doc();
    for (let i = 0; i < 60; i++) edit(doc, rnd);
    const update = Y.encodeStateAsUpdate(doc);
    let refused = 0;
    let accepted = 0;
    const check = (bytes: Uint8Array, what: string) => {
      const yjs = throws(() => Y.decodeUpdate(bytes));
      expect(throws(() => scanUpdate(bytes)), what).toBe(yjs);
      if (yjs) refused++;
      else accepted++;
    };
    for (let cut = 0; cut < update.length; cut += 7) check(update.subarray(0, cut), `cut at ${cut}`);
    for (let i = 0; i < 1500; i++) {
      const bytes = update.slice();
      const flips = 1 + Math.floor(rnd() * 3);
      for (let f = 0; f < flips; f++) bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
      check(bytes, `mutation ${i}`);
    }
    // Both outcomes occur, so the comparison covers refusals and acceptances.
    expect(refused).toBeGreaterThan(50);
    expect(accepted).toBeGreaterThan(50);
  });

  it('agrees on hand-made items Yjs no longer writes itself (JSON content) and on unknown kinds', () => {
    /** One item at client 1, clock 0, in root 'r', with `content` written after the info byte's kind. */
    const oneItem = (kind: number, content: (e: encoding.Encoder) => void): Uint8Array => {
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, 1); // one client run
      encoding.writeVarUint(e, 1); // one struct
      encoding.writeVarUint(e, 1); // client
      encoding.writeVarUint(e, 0); // clock
      encoding.writeUint8(e, kind); // no origins: the parent follows
      encoding.writeVarUint(e, 1); // parent is a root name
      encoding.writeVarString(e, 'r');
      content(e);
      encoding.writeVarUint(e, 0); // empty delete set
      return encoding.toUint8Array(e);
    };
    const json = (values: string[]) =>
      oneItem(2, (e) => {
        encoding.writeVarUint(e, values.length);
        for (const v of values) encoding.writeVarString(e, v);
      });
    const good = json(['1', 'undefined', '{"a":[2]}']);
    expect(scanUpdate(good)).toEqual(decodedByYjs(good));
    expect(scanUpdate(good).items[0]?.length).toBe(3);
    const cases = [json(['{bad']), oneItem(7, (e) => encoding.writeVarUint(e, 9)), oneItem(12, () => undefined), oneItem(9, (e) => {
      encoding.writeVarString(e, 'guid');
      encoding.writeUint8(e, 126); // lib0 any: null
    })];
    for (const bytes of cases) {
      expect(throws(() => Y.decodeUpdate(bytes))).toBe(true);
      expect(throws(() => scanUpdate(bytes))).toBe(true);
    }
  });
});
