/**
 * The server's check of client updates to the shared document (server/yjs/sharedCheck.ts): every
 * edit the UI makes passes, and every way found to park, forge or poison fails before anything is
 * applied. Updates that pass must leave a document the schema allows with nothing parked.
 */
import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { LIMITS, type SessionDocs, SHARED_ROOT, tasksOf } from '../../lib/doc/schema';
import type { MemberId, TaskId } from '../../lib/ids';
import { joinMember, listMembers, moveMember, removeMember, renameMember, setAway, shuffleMembers } from '../../lib/members';
import { addTask, editTask, moveTask, removeTask, settleBoard, taskText } from '../../lib/task';
import { addCriterion, criterionText, moveCriterion, removeCriterion, setCriterionDone } from '../../lib/taskCriteria';
import { checkSharedUpdate } from '../../server/yjs/sharedCheck';
import { craftUpdate } from '../helpers/craft';
import { newSession, recordUpdates, replica } from '../helpers/docs';
import { validateShared } from '../helpers/validateShared';

/** Applies `update` to the server's documents if the check lets it through; returns the verdict. */
function offer(server: SessionDocs, update: Uint8Array) {
  const r = checkSharedUpdate(server, update);
  if (r.ok) Y.applyUpdate(server.shared, update);
  return r;
}

/** A server with a roster and a task, and a browser in sync with it that records what it sends. */
function setup() {
  const server = newSession();
  const ada = joinMember(server, 'Ada', 1);
  const task = addTask(server, { title: 'Checkout', why: 'customers drop out', criteria: ['pays by card'] }, 2);
  settleBoard(server, 2);
  const browser = replica(server);
  const sent = recordUpdates(browser.shared);
  return { server, browser, sent, ada, task };
}

function expectAllAccepted(server: SessionDocs, sent: Uint8Array[]) {
  for (const u of sent) expect(offer(server, u)).toEqual({ ok: true });
  expect(server.shared.store.pendingStructs).toBeNull();
  expect(server.shared.store.pendingDs).toBeNull();
  expect(validateShared(server)).toEqual([]);
}

describe('every edit the session page makes passes', () => {
  const edits: Record<string, (b: SessionDocs, ids: { ada: MemberId; task: TaskId }) => void> = {
    'add someone to the roster': (b) => joinMember(b, 'Bob', 3),
    'rename, mark away, move and remove members': (b, { ada }) => {
      const bob = joinMember(b, 'Bob', 3);
      renameMember(b, ada, 'Ada L.');
      setAway(b, bob.id, true);
      moveMember(b, bob.id, 0);
      shuffleMembers(b, () => 0.5);
      removeMember(b, bob.id);
    },
    'add, edit, reorder and remove tasks': (b) => {
      const x = addTask(b, { title: 'Invoices', criteria: ['one', 'two'] }, 3);
      const y = addTask(b, { title: 'Refunds' }, 4);
      editTask(b, x, { title: 'Invoices v2', why: 'finance asked' });
      moveTask(b, y, 0);
      removeTask(b, x);
    },
    'type into a title and a why, character by character, and delete': (b, { task }) => {
      const title = taskText(b, task, 'title') as Y.Text;
      for (const ch of ' flow') title.insert(title.length, ch);
      title.delete(0, 3);
      const why = taskText(b, task, 'why') as Y.Text;
      why.insert(0, '🚀 ');
    },
    'add, edit, tick, reorder and remove criteria': (b, { task }) => {
      const c = addCriterion(b, task, 'shows a receipt');
      if (!c.ok) throw new Error(c.error);
      criterionText(b, task, c.id)?.insert(0, 'always ');
      setCriterionDone(b, task, c.id, true);
      moveCriterion(b, task, c.id, 0);
      const first = addCriterion(b, task, 'temporary');
      if (first.ok) removeCriterion(b, task, first.id);
    },
  };
  for (const [name, edit] of Object.entries(edits)) {
    it(name, () => {
      const { server, browser, sent, ada, task } = setup();
      edit(browser, { ada: ada.id, task });
      expect(sent.length).toBeGreaterThan(0);
      expectAllAccepted(server, sent);
      expect(Y.encodeStateAsUpdate(server.shared)).toEqual(Y.encodeStateAsUpdate(browser.shared));
    });
  }

  it('undoing a removed task or criterion (Y.UndoManager) restores it under the same id, and passes', () => {
    const { server, browser, sent, task } = setup();
    const extra = addTask(browser, { title: 'Refunds', why: 'money back', criteria: ['by card'] }, 3);
    const origin = { undoable: true };
    const um = new Y.UndoManager(browser.shared.getMap('tasks'), { trackedOrigins: new Set([origin]) });
    browser.shared.transact(() => removeTask(browser, extra), origin);
    expect(taskText(browser, extra, 'title')).toBeNull();
    um.undo();
    expect(taskText(browser, extra, 'title')?.toString()).toBe('Refunds');
    const c = addCriterion(browser, task, 'to remove');
    if (!c.ok) throw new Error(c.error);
    const crit = new Y.UndoManager(browser.shared.getMap('tasks'), { trackedOrigins: new Set([origin]) });
    browser.shared.transact(() => removeCriterion(browser, task, c.id), origin);
    crit.undo();
    expect(criterionText(browser, task, c.id)?.toString()).toBe('to remove');
    expectAllAccepted(server, sent);
    // (The byte encodings differ: an UndoManager keeps deleted items from being collected.)
    expect(server.shared.getMap('tasks').toJSON()).toEqual(browser.shared.getMap('tasks').toJSON());
  });

  it('a reconnect’s sync step 2 that overlaps what the server already has (merged items)', () => {
    const { server, browser, task } = setup();
    const title = taskText(browser, task, 'title') as Y.Text;
    const before = Y.encodeStateVector(browser.shared);
    title.insert(title.length, ' A');
    const first = Y.encodeStateAsUpdate(browser.shared, before);
    expect(offer(server, first)).toEqual({ ok: true });
    const mid = Y.encodeStateVector(browser.shared);
    title.insert(title.length, 'BC'); // merges with the previous item on the browser
    // The browser answers an old sync step 1 (from before `first` arrived): its slice starts inside what the server has.
    const overlapping = Y.encodeStateAsUpdate(browser.shared, before);
    expect(Y.decodeUpdate(overlapping).structs[0]?.length).toBeGreaterThan(2);
    expect(mid).not.toEqual(before);
    expect(offer(server, overlapping)).toEqual({ ok: true });
    expect(taskText(server, task, 'title')?.toString()).toBe('Checkout ABC');
  });

  it('many concurrent edits from three browsers, in every arrival order the server sees', () => {
    const { server } = setup();
    const browsers = [replica(server), replica(server), replica(server)];
    const outbox = browsers.map((b) => recordUpdates(b.shared));
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let step = 0; step < 300; step++) {
      const i = Math.floor(rnd() * 3);
      const b = browsers[i] as SessionDocs;
      randomEdit(b, rnd);
      if (rnd() < 0.3) {
        // Deliver some of this browser's updates to the server, and the server's state to it.
        for (const u of (outbox[i] as Uint8Array[]).splice(0)) expect(offer(server, u)).toEqual({ ok: true });
        Y.applyUpdate(b.shared, Y.encodeStateAsUpdate(server.shared, Y.encodeStateVector(b.shared)));
      }
    }
    for (const [i, out] of outbox.entries()) {
      for (const u of out.splice(0)) expect(offer(server, u), `browser ${i}`).toEqual({ ok: true });
    }
    expect(server.shared.store.pendingStructs).toBeNull();
    expect(validateShared(server)).toEqual([]);
  });
});

function randomEdit(b: SessionDocs, rnd: () => number) {
  const tasks = [...tasksOf(b).keys()] as TaskId[];
  const members = listMembers(b);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  switch (Math.floor(rnd() * 8)) {
    case 0:
      joinMember(b, `P${Math.floor(rnd() * 100)}`, 1);
      return;
    case 1: {
      const m = pick(members);
      if (m) renameMember(b, m.id, `R${Math.floor(rnd() * 100)}`);
      return;
    }
    case 2:
      addTask(b, { title: `T${Math.floor(rnd() * 100)}` }, 1);
      return;
    case 3: {
      const t = pick(tasks);
      const text = t ? taskText(b, t, rnd() < 0.5 ? 'title' : 'why') : null;
      if (text && text.length < 150) text.insert(Math.floor(rnd() * (text.length + 1)), 'xy');
      else if (text && text.length > 0) text.delete(0, 1);
      return;
    }
    case 4: {
      const t = pick(tasks);
      if (t) addCriterion(b, t, `c${Math.floor(rnd() * 10)}`);
      return;
    }
    case 5: {
      const t = pick(tasks);
      if (t && tasks.length > 2) removeTask(b, t);
      return;
    }
    case 6: {
      const m = pick(members);
      if (m && members.length > 2) removeMember(b, m.id);
      return;
    }
    default: {
      const m = pick(members);
      if (m) moveMember(b, m.id, Math.floor(rnd() * members.length));
    }
  }
}

/** A browser's doc whose next edit is made by `write`, returning the update it sends. */
function sendFrom(server: SessionDocs, write: (shared: Y.Doc) => void): Uint8Array {
  const b = replica(server);
  const sv = Y.encodeStateVector(b.shared);
  write(b.shared);
  return Y.encodeStateAsUpdate(b.shared, sv);
}

describe('writes outside the schema are refused before they apply', () => {
  it('refuses every root a client has no business writing', () => {
    const { server } = setup();
    for (const write of [
      (d: Y.Doc) => d.getMap('meta').set('settings', { turnSeconds: 1 }),
      (d: Y.Doc) => d.getMap('rotation').set('state', { turn: 99 }),
      (d: Y.Doc) => d.getArray('decisions').push([{ title: 'forged' }]),
      (d: Y.Doc) => d.getArray('turns').push([{ turn: 1 }]),
      (d: Y.Doc) => d.getMap('board').set('current', 'x'),
      (d: Y.Doc) => d.getText('notes').insert(0, 'hi'),
      (d: Y.Doc) => d.getMap('bench').set('m', 1),
    ]) {
      const before = Y.encodeStateVector(server.shared);
      expect(offer(server, sendFrom(server, write))).toMatchObject({ ok: false, reason: 'schema' });
      expect(Y.encodeStateVector(server.shared)).toEqual(before);
    }
  });

  it('refuses every value kind that is not a member in the roster (the five that bricked a session, and more)', () => {
    const { server } = setup();
    const values: [string, () => unknown][] = [
      ['number', () => 1],
      ['string', () => 'junk'],
      ['null', () => null],
      ['Y.Text', () => new Y.Text('x')],
      ['object', () => ({ name: 'plain' })],
      ['Y.Array', () => new Y.Array()],
      ['boolean', () => true],
      ['Y.Map without a name', () => new Y.Map()],
      ['Uint8Array', () => new Uint8Array([1])],
    ];
    for (const [what, make] of values) {
      for (const key of ['junk', 'AAAAAAAAAAAA']) {
        const u = sendFrom(server, (d) => d.getMap(SHARED_ROOT.members).set(key, make()));
        expect(offer(server, u), `${what} at ${key}`).toMatchObject({ ok: false, reason: 'schema' });
      }
    }
    expect(validateShared(server)).toEqual([]);
  });

  it('refuses bad member fields: too long, not normalised, wrong kind, unknown, or a name deleted alone', () => {
    const { server, ada } = setup();
    const field = (key: string, value: unknown) => sendFrom(server, (d) => (d.getMap(SHARED_ROOT.members).get(ada.id) as Y.Map<unknown>).set(key, value));
    expect(offer(server, field('name', 'x'.repeat(LIMITS.memberName + 1)))).toMatchObject({ ok: false });
    expect(offer(server, field('name', '  Ada  '))).toMatchObject({ ok: false });
    expect(offer(server, field('name', ''))).toMatchObject({ ok: false });
    expect(offer(server, field('rank', 'first'))).toMatchObject({ ok: false });
    expect(offer(server, field('away', 1))).toMatchObject({ ok: false });
    expect(offer(server, field('isAdmin', true))).toMatchObject({ ok: false });
    expect(offer(server, sendFrom(server, (d) => (d.getMap(SHARED_ROOT.members).get(ada.id) as Y.Map<unknown>).delete('name')))).toMatchObject({ ok: false });
    expect(offer(server, field('name', 'Ada Lovelace'))).toEqual({ ok: true });
  });

  it('holds the same text limits as the HTTP API, counted in characters', () => {
    const { server, task } = setup();
    const title = (t: (x: Y.Text) => void) => sendFrom(server, (d) => t((d.getMap(SHARED_ROOT.tasks).get(task) as Y.Map<Y.Text>).get('title') as Y.Text));
    const room = LIMITS.taskTitle - 'Checkout'.length;
    expect(offer(server, title((x) => x.insert(0, 'x'.repeat(room + 1))))).toMatchObject({ ok: false, detail: /longer than 200/ });
    expect(offer(server, title((x) => x.insert(0, '😀'.repeat(room))))).toEqual({ ok: true }); // 2 UTF-16 units each, one character
    expect(offer(server, title((x) => x.insert(0, 'y')))).toMatchObject({ ok: false });
    // Replacing text at the limit is fine: what counts is the result (4 emoji are 8 UTF-16 units).
    expect(offer(server, title((x) => { x.delete(0, 8); x.insert(0, 'abcd'); }))).toEqual({ ok: true });
    expect(offer(server, title((x) => x.format(0, 2, { bold: true })))).toMatchObject({ ok: false });
    expect(offer(server, title((x) => x.insertEmbed(0, { image: 'x' })))).toMatchObject({ ok: false });
  });

  it('holds at most 50 criteria, and a new task must come with its fields', () => {
    const { server, task } = setup();
    const b = replica(server);
    const sent = recordUpdates(b.shared);
    for (let i = 0; i < LIMITS.criteria - 1; i++) addCriterion(b, task, `c${i}`);
    expectAllAccepted(server, sent.splice(0));
    const crit = (b.shared.getMap(SHARED_ROOT.tasks).get(task) as Y.Map<Y.Array<unknown>>).get('criteria') as Y.Array<unknown>;
    const m = new Y.Map<unknown>();
    m.set('id', 'ZZZZZZZZZZZZ');
    m.set('text', new Y.Text('one too many'));
    crit.push([m]);
    expect(offer(server, sent.splice(0)[0] as Uint8Array)).toMatchObject({ ok: false, detail: /more than 50/ });
    expect(offer(server, sendFrom(server, (d) => d.getMap(SHARED_ROOT.tasks).set('QQQQQQQQQQQQ', new Y.Map())))).toMatchObject({ ok: false, detail: /must have a title/ });
  });
});

describe('updates that would be parked are refused (never applied later, unchecked)', () => {
  it('refuses an update that depends on another client’s update the server never got', () => {
    const { server, task } = setup();
    const a = replica(server);
    const b = replica(server);
    const text = taskText(a, task, 'why') as Y.Text;
    text.insert(0, 'A: ');
    Y.applyUpdate(b.shared, Y.encodeStateAsUpdate(a.shared)); // b got a's edit; the server did not
    const sv = Y.encodeStateVector(b.shared);
    (taskText(b, task, 'why') as Y.Text).insert(2, '+');
    expect(offer(server, Y.encodeStateAsUpdate(b.shared, sv))).toMatchObject({ ok: false, reason: 'unresolved' });
    expect(server.shared.store.pendingStructs).toBeNull();
  });

  it('refuses a client’s later update without its earlier one, and deletions past the state', () => {
    const { server, task } = setup();
    const b = replica(server);
    const sv0 = Y.encodeStateVector(b.shared);
    (taskText(b, task, 'why') as Y.Text).insert(0, 'one ');
    const sv1 = Y.encodeStateVector(b.shared);
    (taskText(b, task, 'why') as Y.Text).insert(0, 'two ');
    expect(offer(server, Y.encodeStateAsUpdate(b.shared, sv1))).toMatchObject({ ok: false, reason: 'unresolved' });
    const sv2 = Y.encodeStateVector(b.shared);
    (taskText(b, task, 'why') as Y.Text).delete(0, 8);
    // Only the deletion (of items the server has never seen).
    expect(offer(server, Y.encodeStateAsUpdate(b.shared, sv2))).toMatchObject({ ok: false, reason: 'unresolved' });
    expect(offer(server, Y.encodeStateAsUpdate(b.shared, sv0))).toEqual({ ok: true });
    expect(server.shared.store.pendingDs).toBeNull();
  });

  it('refuses an empty delete range at the end of what the session has (Yjs would park it and then throw re-encoding it)', () => {
    const { server } = setup();
    const client = server.shared.clientID;
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0); // no structs
    encoding.writeVarUint(e, 1); // one client in the delete set
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, 1); // one range
    encoding.writeVarUint(e, Y.getState(server.shared.store, client));
    encoding.writeVarUint(e, 0); // of length 0 (found by the fuzz below)
    const u = encoding.toUint8Array(e);
    expect(offer(server, u)).toMatchObject({ ok: false, reason: 'schema' });
    expect(() => Y.applyUpdate(replica(server).shared, u)).toThrow();
  });

  it('refuses a hand-made reference to the same client’s later clock (Yjs would throw half-way)', () => {
    const { server } = setup();
    const u = craftUpdate([[777, [{ clock: 0, origin: [777, 5], content: { kind: 'string', str: 'x' } }]]]);
    expect(Y.decodeUpdate(u).structs).toHaveLength(1);
    expect(offer(server, u)).toMatchObject({ ok: false, reason: 'unresolved' });
  });

  it('refuses an overlapping re-send whose new part Yjs would attach somewhere else than it claims', () => {
    const { server, task } = setup();
    // The newest item of the server's writer is a member field; the forged struct starts on it and
    // claims an anchor in the task's title, where the check would otherwise place it.
    const writer = server.shared.clientID;
    const last = Y.getState(server.shared.store, writer) - 1;
    const title = taskText(server, task, 'title') as Y.Text;
    const anchor = (title._start as Y.Item).id;
    const u = craftUpdate([[writer, [{ clock: last, origin: [anchor.client, anchor.clock], content: { kind: 'string', str: 'zz' } }]]]);
    expect(Y.decodeUpdate(u).structs[0]?.length).toBe(2);
    expect(offer(server, u)).toMatchObject({ ok: false });
    expect(validateShared(server)).toEqual([]);
  });
});

describe('mutated updates (fuzz): whatever passes leaves a valid document with nothing parked', () => {
  // SHARED_FUZZ_SEED and SHARED_FUZZ_ROUNDS run it longer or differently (3,000 rounds in npm test).
  const rounds = Number(process.env.SHARED_FUZZ_ROUNDS ?? 3000);
  it('holds for thousands of byte flips, truncations and splices of real edits', () => {
    let seed = Number(process.env.SHARED_FUZZ_SEED ?? 42);
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const { server } = setup();
    let accepted = 0;
    let refused = 0;
    let malformed = 0;
    let offered = 0;
    // Until `rounds` mutated updates were offered: some random edits change nothing (no update to
    // mutate), and how many depends on the random ids of the run.
    for (let round = 0; offered < rounds && round < rounds * 5; round++) {
      const u = sendFrom(server, (d) => randomEdit({ shared: d, server: server.server }, rnd));
      if (u.length <= 2) continue;
      offered++;
      const m = mutate(u, rnd);
      let r: ReturnType<typeof checkSharedUpdate>;
      try {
        r = checkSharedUpdate(server, m);
      } catch {
        malformed++;
        continue;
      }
      if (!r.ok) {
        refused++;
        continue;
      }
      // Whatever passes the check applies cleanly: a throw half-way would leave a half-applied update.
      expect(() => Y.applyUpdate(server.shared, m), `round ${round}`).not.toThrow();
      accepted++;
      if (server.shared.store.pendingStructs && process.env.SHARED_FUZZ_DUMP) {
        console.log('UPDATE', Buffer.from(m).toString('hex'), 'ORIGINAL', Buffer.from(u).toString('hex'));
        console.log('STRUCTS', Y.decodeUpdate(m).structs.map((x) => ({ id: x.id, len: x.length, o: (x as Y.Item).origin, r: (x as Y.Item).rightOrigin, p: (x as Y.Item).parent, sub: (x as Y.Item).parentSub, c: (x as Y.Item).content?.constructor.name })));
      }
      expect(server.shared.store.pendingStructs, `round ${round}`).toBeNull();
      expect(server.shared.store.pendingDs, `round ${round}`).toBeNull();
    }
    expect(validateShared(server)).toEqual([]);
    expect(offered).toBe(rounds);
    expect(accepted + refused + malformed).toBe(rounds);
    expect(refused).toBeGreaterThan(0);
  }, 120_000);
});

describe('crafted updates (structured fuzz): references into real items, overlaps, every content kind', () => {
  const rounds = Number(process.env.SHARED_FUZZ_ROUNDS ?? 3000);
  it('whatever passes applies cleanly and leaves a valid document with nothing parked', () => {
    let seed = Number(process.env.SHARED_FUZZ_SEED ?? 11);
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const { server } = setup();
    const b = replica(server);
    const sent = recordUpdates(b.shared);
    for (let i = 0; i < 40; i++) randomEdit(b, rnd);
    for (const u of sent.splice(0)) offer(server, u);
    let accepted = 0;
    for (let round = 0; round < rounds; round++) {
      const u = craftRandom(server, rnd);
      let r: ReturnType<typeof checkSharedUpdate>;
      try {
        r = checkSharedUpdate(server, u);
      } catch {
        continue;
      }
      if (!r.ok) continue;
      const snapshotBefore = process.env.SHARED_FUZZ_DUMP ? Y.encodeStateAsUpdate(server.shared) : null;
      expect(() => Y.applyUpdate(server.shared, u), `round ${round}`).not.toThrow();
      accepted++;
      expect(server.shared.store.pendingStructs, `round ${round}`).toBeNull();
      expect(server.shared.store.pendingDs, `round ${round}`).toBeNull();
      if (snapshotBefore && validateShared(server).length > 0) {
        console.log('BEFORE', Buffer.from(snapshotBefore).toString('base64'));
        console.log('UPDATE', Buffer.from(u).toString('base64'));
        console.log('STRUCTS', JSON.stringify(Y.decodeUpdate(u).structs.map((x) => ({ id: x.id, len: x.length, o: (x as Y.Item).origin, r: (x as Y.Item).rightOrigin, p: (x as Y.Item).parent, sub: (x as Y.Item).parentSub, c: (x as Y.Item).content?.constructor.name }))), JSON.stringify(Y.decodeUpdate(u).ds));
      }
      expect(validateShared(server), `round ${round}`).toEqual([]);
    }
    expect(accepted).toBeGreaterThan(0);
  }, 120_000);
});

/** A random hand-made update: items of existing or new clients at clocks around their state. */
function craftRandom(server: SessionDocs, rnd: () => number): Uint8Array {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const items: Y.Item[] = [];
  server.shared.store.clients.forEach((list) => {
    for (const s of list) if (s instanceof Y.Item) items.push(s);
  });
  const anyId = (): [number, number] => {
    const it = pick(items);
    return it && rnd() < 0.9 ? [it.id.client, it.id.clock + Math.floor(rnd() * it.length)] : [Math.floor(rnd() * 1e6), Math.floor(rnd() * 50)];
  };
  const clients = [...server.shared.store.clients.keys()];
  const client = rnd() < 0.6 && clients.length > 0 ? pick(clients) : 900_000 + Math.floor(rnd() * 1000);
  const state = Y.getState(server.shared.store, client);
  let clock = Math.max(0, state - Math.floor(rnd() * 3) + (rnd() < 0.1 ? 2 : 0));
  const n = 1 + Math.floor(rnd() * 3);
  const structs = [];
  for (let i = 0; i < n; i++) {
    const content = pick<import('../helpers/craft').CraftContent>([
      { kind: 'any', values: [pick([1, 'x', true, null, { a: 1 }, 'Ada', 3.5])] },
      { kind: 'any', values: [1, 2] },
      { kind: 'string', str: pick(['a', 'bc', '😀', 'x'.repeat(250)]) },
      { kind: 'type', ref: pick([0, 1, 2] as const) },
      { kind: 'deleted', len: 1 + Math.floor(rnd() * 2) },
      { kind: 'format', key: 'bold', value: true },
    ]);
    const how = Math.floor(rnd() * 4);
    const sub = rnd() < 0.5 ? pick(['name', 'rank', 'away', 'title', 'why', 'criteria', 'text', 'id', 'done', 'junk', 'AAAAAAAAAAAA', 'BBBBBBBBBBBB']) : undefined;
    const item =
      how === 0
        ? { clock, origin: anyId(), content }
        : how === 1
          ? { clock, right: anyId(), content }
          : how === 2
            ? { clock, parent: pick(['members', 'tasks', 'meta', 'junk']), sub: sub ?? 'AAAAAAAAAAAA', content }
            : { clock, parent: anyId(), ...(sub !== undefined ? { sub } : {}), content };
    structs.push(item);
    clock += content.kind === 'any' ? content.values.length : content.kind === 'string' ? content.str.length : content.kind === 'deleted' ? content.len : 1;
  }
  const deletes: [number, number, number][] = rnd() < 0.4 ? [[...anyId(), 1 + Math.floor(rnd() * 3)]] : [];
  return craftUpdate([[client, structs]], deletes);
}

function mutate(u: Uint8Array, rnd: () => number): Uint8Array {
  const out = Uint8Array.from(u);
  switch (Math.floor(rnd() * 4)) {
    case 0: {
      const i = Math.floor(rnd() * out.length);
      out[i] = (out[i] as number) ^ (1 << Math.floor(rnd() * 8));
      return out;
    }
    case 1:
      return out.slice(0, Math.max(1, Math.floor(rnd() * out.length)));
    case 2: {
      const i = Math.floor(rnd() * out.length);
      out[i] = Math.floor(rnd() * 256);
      return out;
    }
    default: {
      const i = Math.floor(rnd() * out.length);
      return Uint8Array.from([...out.slice(0, i), Math.floor(rnd() * 256), ...out.slice(i)]);
    }
  }
}
