/**
 * The Store contract: what every implementation (server/store/types.ts) must do, as one suite run
 * against each — the embedded SQLite store (test/integration/storeContract.test.ts) and the cluster
 * store. Sessions and tokens, the log (one sequence per session, records over both documents),
 * compaction that never goes back and never drops what no snapshot holds, reopening, timers.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { SessionId } from '../../lib/ids';
import type { DocUpdate, SessionRecord, Store } from '../../server/store/types';

export interface StoreFactory {
  /** A store on fresh, empty storage. */
  open(): Promise<Store>;
  /** Closes `store` and opens the same storage again. */
  reopen(store: Store): Promise<Store>;
}

let n = 0;
export function record(): SessionRecord {
  n++;
  const id = `S${String(n).padStart(3, '0')}-${Math.random().toString(36).slice(2, 8)}`.padEnd(22, 'x').slice(0, 22) as SessionId;
  return { id, editToken: id, viewToken: `V${id.slice(1)}`, createdAt: 1_000 + n, memberKey: new Uint8Array(32).fill(n), mobKey: `M${id.slice(1)}` };
}

/** An edit to both documents of a session, kept in plain docs the test reads back. */
export class Writer {
  readonly shared = new Y.Doc();
  readonly server = new Y.Doc();
  private i = 0;

  next(alsoServer = this.i % 3 === 0): DocUpdate[] {
    const a = Y.encodeStateVector(this.shared);
    const b = Y.encodeStateVector(this.server);
    this.shared.getText('t').insert(this.shared.getText('t').length, `${this.i};`);
    if (alsoServer) this.server.getArray('log').push([this.i]);
    this.i++;
    return [{ doc: 'shared', update: Y.encodeStateAsUpdate(this.shared, a) }, ...(alsoServer ? [{ doc: 'server' as const, update: Y.encodeStateAsUpdate(this.server, b) }] : [])];
  }
}

export function contentOf(docs: Record<'shared' | 'server', Uint8Array[]>) {
  const shared = new Y.Doc();
  const server = new Y.Doc();
  for (const u of docs.shared) Y.applyUpdate(shared, u);
  for (const u of docs.server) Y.applyUpdate(server, u);
  return { text: shared.getText('t').toString(), log: server.getArray('log').toArray(), pending: shared.store.pendingStructs !== null || server.store.pendingStructs !== null };
}

const expected = (w: Writer) => ({ text: w.shared.getText('t').toString(), log: w.server.getArray('log').toArray(), pending: false });

export function storeContract(name: string, factory: StoreFactory) {
  describe(`Store contract: ${name}`, () => {
    it('creates sessions and finds them by edit or view token, never by anything else', async () => {
      const store = await factory.open();
      const r = record();
      await store.createSession(r);
      expect(await store.findSession(r.editToken)).toEqual({ session: r, kind: 'edit' });
      expect(await store.findSession(r.viewToken)).toEqual({ session: r, kind: 'view' });
      expect(await store.getSession(r.id)).toEqual(r);
      expect(await store.findSession('NoSuchTokenAtAllxxxxxx')).toBeNull();
      await store.close();
    });

    it('replaces a link: the old token finds nothing, the new one does, the other link is unaffected', async () => {
      const store = await factory.open();
      const r = record();
      await store.createSession(r);
      await store.replaceToken(r.id, 'view', 'NewViewTokenxxxxxxxxxx');
      expect(await store.findSession(r.viewToken)).toBeNull();
      expect(await store.findSession('NewViewTokenxxxxxxxxxx')).toMatchObject({ kind: 'view', session: { id: r.id } });
      await store.replaceToken(r.id, 'edit', 'NewEditTokenxxxxxxxxxx');
      expect(await store.findSession(r.editToken)).toBeNull();
      expect(await store.findSession(r.id)).toBeNull(); // the internal id is no capability
      expect(await store.findSession('NewEditTokenxxxxxxxxxx')).toMatchObject({ kind: 'edit', session: { id: r.id, editToken: 'NewEditTokenxxxxxxxxxx' } });
      expect(await store.findSession('NewViewTokenxxxxxxxxxx')).toMatchObject({ kind: 'view' });
      await store.close();
    });

    it('numbers records per session from 1, keeps both documents, and reads them back in order', async () => {
      const store = await factory.open();
      const [a, b] = [record(), record()];
      for (const r of [a, b]) await store.createSession(r);
      const wa = new Writer();
      const wb = new Writer();
      const seqs = [];
      for (let i = 0; i < 20; i++) {
        seqs.push(await store.append(a.id, wa.next()));
        if (i % 2 === 0) await store.append(b.id, wb.next());
      }
      expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      const la = await store.loadSession(a.id);
      expect(la).toMatchObject({ lastSeq: 20, pending: 20 });
      expect(contentOf(la.docs)).toEqual(expected(wa));
      expect(contentOf((await store.loadSession(b.id)).docs)).toEqual(expected(wb));
      expect(await store.loadSession(record().id)).toEqual({ docs: { shared: [], server: [] }, lastSeq: 0, pending: 0 });
      await store.close();
    });

    it('pipelines appends: many in flight at once settle in order with consecutive numbers', async () => {
      const store = await factory.open();
      const r = record();
      await store.createSession(r);
      const w = new Writer();
      const seqs = await Promise.all(Array.from({ length: 50 }, () => store.append(r.id, w.next())));
      expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(contentOf((await store.loadSession(r.id)).docs)).toEqual(expected(w));
      await store.close();
    });

    it('compacts into snapshots without changing what loads, and numbers on after it', async () => {
      const store = await factory.open();
      const r = record();
      await store.createSession(r);
      const w = new Writer();
      for (let i = 0; i < 30; i++) await store.append(r.id, w.next());
      await store.compact(r.id, 30);
      const loaded = await store.loadSession(r.id);
      expect(loaded).toMatchObject({ lastSeq: 30, pending: 0 });
      expect(contentOf(loaded.docs)).toEqual(expected(w));
      expect(loaded.docs.shared.length).toBeLessThanOrEqual(1);
      expect(await store.append(r.id, w.next())).toBe(31);
      expect(contentOf((await store.loadSession(r.id)).docs)).toEqual(expected(w));
      await store.close();
    });

    it('keeps records appended while a compaction runs, and never goes back behind a newer snapshot', async () => {
      const store = await factory.open();
      const r = record();
      await store.createSession(r);
      const w = new Writer();
      for (let i = 0; i < 10; i++) await store.append(r.id, w.next());
      const compacting = store.compact(r.id, 10);
      const during = [];
      for (let i = 0; i < 5; i++) during.push(store.append(r.id, w.next()));
      await Promise.all([compacting, ...during]);
      expect(await store.loadSession(r.id)).toMatchObject({ lastSeq: 15, pending: 5 });
      await store.compact(r.id, 15);
      await store.compact(r.id, 8); // late and lower: changes nothing
      const loaded = await store.loadSession(r.id);
      expect(loaded).toMatchObject({ lastSeq: 15, pending: 0 });
      expect(contentOf(loaded.docs)).toEqual(expected(w));
      await store.close();
    });

    it('keeps everything across a close and reopen', async () => {
      let store = await factory.open();
      const r = record();
      await store.createSession(r);
      const w = new Writer();
      for (let i = 0; i < 25; i++) await store.append(r.id, w.next());
      await store.compact(r.id, 10);
      store = await factory.reopen(store);
      expect(await store.findSession(r.viewToken)).toMatchObject({ kind: 'view' });
      const loaded = await store.loadSession(r.id);
      expect(loaded.lastSeq).toBe(25);
      expect(contentOf(loaded.docs)).toEqual(expected(w));
      expect(await store.append(r.id, w.next())).toBe(26);
      await store.close();
    });

    it('keeps timer due times, and clears them', async () => {
      const store = await factory.open();
      const [a, b] = [record(), record()];
      await store.setTimerDue(a.id, 5_000);
      await store.setTimerDue(b.id, 6_000);
      await store.setTimerDue(a.id, 7_000);
      await store.setTimerDue(b.id, null);
      expect(await store.listTimersDue()).toEqual([{ sessionId: a.id, dueAt: 7_000 }]);
      expect(await store.health()).toEqual({ ok: true });
      await store.close();
    });
    it('finds a session by its mob.sh room key until the key is replaced', async () => {
      const store = await factory.open();
      const r = record();
      await store.createSession(r);
      expect(await store.findSessionByMobKey(r.mobKey)).toEqual(r);
      expect(await store.findSession(r.mobKey)).toBeNull(); // not a link
      await store.replaceMobKey(r.id, 'fresh-room-key');
      expect(await store.findSessionByMobKey(r.mobKey)).toBeNull();
      expect((await store.findSessionByMobKey('fresh-room-key'))?.id).toBe(r.id);
      const again = await factory.reopen(store);
      expect((await again.getSession(r.id))?.mobKey).toBe('fresh-room-key');
      await again.close();
    });

    it('keeps integrations per session, revokes them only from their own session, and across a reopen', async () => {
      const store = await factory.open();
      const a = record();
      const b = record();
      await store.createSession(a);
      await store.createSession(b);
      const hook = { id: `I-${a.id}`, sessionId: a.id, provider: 'github' as const, label: 'CI', secret: 's3cret', config: '{}', createdAt: 5 };
      const chat = { ...hook, id: `C-${a.id}`, provider: 'chat' as const, label: 'Team chat', config: '{"url":"https://chat.example/hook"}', createdAt: 6 };
      await store.createIntegration(hook);
      await store.createIntegration(chat);
      expect(await store.listIntegrations(a.id)).toEqual([hook, chat]);
      expect(await store.listIntegrations(b.id)).toEqual([]);
      expect(await store.getIntegration(hook.id)).toEqual(hook);
      expect(await store.deleteIntegration(b.id, hook.id)).toBe(false);
      expect(await store.getIntegration(hook.id)).toEqual(hook);
      const again = await factory.reopen(store);
      expect(await again.deleteIntegration(a.id, hook.id)).toBe(true);
      expect(await again.getIntegration(hook.id)).toBeNull();
      expect(await again.listIntegrations(a.id)).toEqual([chat]);
      await again.close();
    });

    it('remembers delivery ids per integration across a reopen, and forgets old ones', async () => {
      const store = await factory.open();
      expect(await store.rememberDelivery('I1', 'd-1', 1_000, 0)).toBe(true);
      expect(await store.rememberDelivery('I1', 'd-1', 1_001, 0)).toBe(false);
      expect(await store.rememberDelivery('I2', 'd-1', 1_002, 0)).toBe(true); // another endpoint's id space
      const again = await factory.reopen(store);
      expect(await again.rememberDelivery('I1', 'd-1', 2_000, 0)).toBe(false);
      // Far later, ids older than the window may be forgotten; a fresh id is still new.
      const later = 1_000 + 4 * 24 * 3600_000;
      expect(await again.rememberDelivery('I1', 'd-2', later, later - 3 * 24 * 3600_000)).toBe(true);
      expect(await again.rememberDelivery('I1', 'd-1', later + 1, later - 3 * 24 * 3600_000)).toBe(true);
      await again.close();
    });
  });
}
