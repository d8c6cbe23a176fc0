/**
 * The cluster's bookkeeping on fake time: who is online on other instances (heartbeats), and how
 * often a room reads the store back (catch-up: one read at a time per room, at most one per second
 * for clients that built on what the room lacks, and the periodic check against the last seqs).
 */
import { describe, expect, it } from 'vitest';
import type { MemberId, SessionId } from '../../lib/ids';
import { CatchUp } from '../../server/cluster/catchUp';
import { Heartbeats } from '../../server/cluster/heartbeats';
import type { LoggedRecord } from '../../server/cluster/types';
import type { Room } from '../../server/yjs/room';

const S = 's1' as SessionId;

describe('heartbeats', () => {
  it('counts members online on live peers only, never on this instance, and forgets peers gone long', () => {
    let now = 0;
    const beats = new Heartbeats('me', 6_000, () => now);
    beats.received('a', { [S]: ['alice'], other: ['x'] });
    beats.received('me', { [S]: ['self'] });
    beats.received('b', { [S]: ['bob'] });
    expect([...beats.remoteOnline(S)].sort()).toEqual(['alice', 'bob']);
    now = 5_000;
    beats.received('b', { [S]: ['bob', 'carol'] });
    now = 7_000; // a's beat is 7 s old: lapsed
    expect([...beats.remoteOnline(S)].sort()).toEqual(['bob', 'carol']);
    expect([...beats.remoteOnline('nobody' as SessionId)]).toEqual([]);
  });

  it("builds this instance's beat from its rooms' local members, leaving empty rooms out", () => {
    const beats = new Heartbeats('me', 6_000);
    const room = (id: string, members: string[]) => ({ id, localOnlineMembers: () => members as MemberId[] }) as unknown as Room;
    expect(beats.own([room('a', ['m1']), room('b', [])])).toEqual({ a: ['m1'] });
  });
});

/** A room stand-in with the sequence bookkeeping catch-up reads and writes. */
function fakeRoom(floor = 0) {
  const applied: number[] = [];
  const seqs = {
    floor,
    saw(seq: number) {
      this.seen = Math.max(this.seen, seq);
    },
    seen: floor,
  };
  const room = {
    id: S,
    isBroken: false,
    seqs,
    applyCatchUp(records: readonly LoggedRecord[]) {
      for (const r of records) {
        applied.push(r.seq);
        seqs.floor = Math.max(seqs.floor, r.seq);
      }
    },
  };
  return { room: room as unknown as Room, applied, seqs };
}

function fakeStore(lastSeq: () => number) {
  const reads: number[] = [];
  return {
    reads,
    store: {
      async readSince(_id: SessionId, after: number): Promise<LoggedRecord[]> {
        reads.push(after);
        const out: LoggedRecord[] = [];
        const upTo = lastSeq();
        for (let seq = after + 1; seq <= upTo; seq++) out.push({ seq, updates: [] });
        return out;
      },
      async lastSeqs(ids: readonly SessionId[]) {
        return new Map(ids.map((id) => [id, lastSeq()] as const));
      },
    },
  };
}

describe('catch-up', () => {
  it('shares one read between callers and applies what the store has past the floor', async () => {
    const { store, reads } = fakeStore(() => 3);
    const up = new CatchUp({ store, onError: () => undefined });
    const { room, applied } = fakeRoom(1);
    await Promise.all([up.run(room), up.run(room)]);
    expect(reads).toEqual([1]); // the second caller waited for the first read instead of making its own
    expect(applied).toEqual([2, 3]);
  });

  it('reads again when a record committed while the first read ran is still missing', async () => {
    let last = 3;
    const { store, reads } = fakeStore(() => last++);
    const up = new CatchUp({ store, onError: () => undefined });
    const { room, applied } = fakeRoom(1);
    await up.run(room, 4);
    expect(reads).toEqual([1, 3]);
    expect(applied).toEqual([2, 3, 4]);
  });

  it('reads for a client that is ahead at most once per second per room', async () => {
    let now = 10_000;
    const { store, reads } = fakeStore(() => 0);
    const up = new CatchUp({ store, onError: () => undefined, now: () => now });
    const { room } = fakeRoom();
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    up.behind(room);
    await settle();
    up.behind(room);
    now += 999;
    up.behind(room);
    await settle();
    expect(reads).toHaveLength(1);
    now += 1;
    up.behind(room);
    await settle();
    expect(reads).toHaveLength(2);
  });

  it('the periodic check reads only for rooms behind the store, and a store error is reported, not thrown', async () => {
    let last = 2;
    const { store, reads } = fakeStore(() => last);
    const errors: unknown[] = [];
    const up = new CatchUp({ store, onError: (err) => errors.push(err) });
    const { room, applied } = fakeRoom(2);
    await up.poll([room]);
    expect(reads).toEqual([]);
    last = 4;
    await up.poll([room]);
    expect(applied).toEqual([3, 4]);
    const failing = new CatchUp({ store: { ...store, lastSeqs: () => Promise.reject(new Error('db down')) }, onError: (err) => errors.push(err) });
    await failing.poll([room]);
    expect(errors).toHaveLength(1);
  });
});
