/**
 * The server-owned-state guard on real Yjs updates: what a client may write (members, tasks) passes;
 * anything that adds to or deletes from meta, rotation, turns or decisions is caught, however the
 * update names its parent (root name, parent item id, or only a neighbour).
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ROOT, SERVER_OWNED_ROOTS } from '../../lib/doc/schema';
import { touchesProtectedRoots } from '../../server/yjs/guard';

/** A server doc and a client replica of it; `write` returns the client's update for the server to check. */
function setUp(seed: (doc: Y.Doc) => void = () => undefined) {
  const server = new Y.Doc();
  server.transact(() => seed(server));
  const client = new Y.Doc();
  Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
  const write = (fn: (doc: Y.Doc) => void): Uint8Array => {
    const before = Y.encodeStateVector(client);
    client.transact(() => fn(client));
    return Y.encodeStateAsUpdate(client, before);
  };
  const touches = (update: Uint8Array) => touchesProtectedRoots(server, update, SERVER_OWNED_ROOTS);
  return { server, client, write, touches };
}

describe('server-owned state guard', () => {
  it('lets client-owned writes through: members, nested maps, tasks, deletes of them', () => {
    const { server, write, touches } = setUp((d) => {
      const m = new Y.Map<unknown>();
      d.getMap(ROOT.members).set('a', m);
      m.set('name', 'Ada');
    });
    expect(touches(write((d) => d.getMap(ROOT.members).set('b', new Y.Map())))).toBe(false);
    // Nested: the update names its parent by item id, which lives in the server doc.
    expect(touches(write((d) => (d.getMap(ROOT.members).get('a') as Y.Map<unknown>).set('name', 'Ada L.')))).toBe(false);
    expect(touches(write((d) => d.getMap(ROOT.tasks).set('t1', new Y.Map())))).toBe(false);
    const update = write((d) => d.getMap(ROOT.members).delete('a'));
    expect(touches(update)).toBe(false);
    Y.applyUpdate(server, update);
  });

  it('catches a write to a server-owned root named directly', () => {
    const { touches, write } = setUp();
    expect(touches(write((d) => d.getArray(ROOT.decisions).push([{ title: 'forged' }])))).toBe(true);
    expect(touches(write((d) => d.getMap(ROOT.rotation).set('state', { kind: 'running' })))).toBe(true);
  });

  it('catches an append that names only its left neighbour, in the server doc', () => {
    const { touches, write } = setUp((d) => d.getArray(ROOT.turns).push([{ n: 1 }, { n: 2 }]));
    // Inserting in the middle of a Y.Array encodes origin/rightOrigin, not the parent.
    expect(touches(write((d) => d.getArray(ROOT.turns).insert(1, [{ n: 1.5 }])))).toBe(true);
  });

  it('catches items that reach a protected root only through other items of the same update', () => {
    const { touches, write } = setUp();
    expect(
      touches(
        write((d) => {
          const inner = new Y.Map<unknown>();
          d.getMap(ROOT.meta).set('settings', inner);
          inner.set('turnSeconds', 1);
          const list = new Y.Array<number>();
          inner.set('list', list);
          list.push([1, 2, 3]);
        }),
      ),
    ).toBe(true);
  });

  it('catches nested writes under a protected root, by parent item id', () => {
    const { touches, write } = setUp((d) => d.getMap(ROOT.meta).set('settings', new Y.Map()));
    expect(touches(write((d) => (d.getMap(ROOT.meta).get('settings') as Y.Map<unknown>).set('turnSeconds', 1)))).toBe(true);
  });

  it('catches deletes of server-owned items', () => {
    const { touches, write } = setUp((d) => d.getArray(ROOT.decisions).push([{ title: 'kept' }]));
    expect(touches(write((d) => d.getArray(ROOT.decisions).delete(0, 1)))).toBe(true);
  });

  it('does not refuse an item whose neighbour it cannot see (Yjs keeps it pending)', () => {
    const { touches } = setUp();
    const other = new Y.Doc();
    other.getArray(ROOT.members).push([1]);
    const before = Y.encodeStateVector(other);
    other.getArray(ROOT.members).push([2]);
    // Only the second push: its left neighbour is unknown to the server.
    expect(touches(Y.encodeStateAsUpdate(other, before))).toBe(false);
  });

  it('throws on a malformed update', () => {
    const { touches } = setUp();
    expect(() => touches(new Uint8Array([1, 200, 3, 4, 5]))).toThrow();
  });
});
