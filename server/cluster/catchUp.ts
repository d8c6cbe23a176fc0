/**
 * Reading back from PostgreSQL what a loaded room lacks: the records the bus did not bring (a gap in
 * the sequence numbers, a Redis outage), found by the room itself, by a client that built on them,
 * or by the periodic check of every loaded room against the store's last sequence numbers.
 */
import type { SessionId } from '../../lib/ids';
import type { Room } from '../yjs/room';
import type { ClusterStore } from './types';

/** A room reads the store for a client that built on what it lacks at most this often, ms. */
const BEHIND_READ_EVERY_MS = 1_000;

export interface CatchUpDeps {
  store: Pick<ClusterStore, 'readSince' | 'lastSeqs'>;
  onError(err: unknown): void;
  now?(): number;
}

export class CatchUp {
  /** One read per room at a time; a second caller waits for it. */
  private readonly running = new Map<SessionId, Promise<void>>();
  /** When each room last read the store for a client that was ahead of it (forgotten with the room). */
  private readonly behindAt = new WeakMap<Room, number>();

  constructor(private readonly deps: CatchUpDeps) {}

  /**
   * Reads what the room lacks: one read per room at a time, another after it when the room is still
   * below `upTo` (a record committed while the first read ran).
   */
  async run(room: Room, upTo = 0): Promise<void> {
    for (let i = 0; i < 3 && !room.isBroken; i++) {
      const running = this.running.get(room.id);
      if (running) await running;
      else {
        const read = this.deps.store
          .readSince(room.id, room.seqs.floor)
          .then((records) => room.applyCatchUp(records))
          .catch((err: unknown) => this.deps.onError(err))
          .finally(() => this.running.delete(room.id));
        this.running.set(room.id, read);
        await read;
      }
      if (room.seqs.floor >= upTo) return;
    }
  }

  /**
   * A client sent an edit building on changes the room lacks. At most one store read per room per
   * second for this: a client that keeps sending what cannot apply (a hostile one) must not turn
   * each message into a query.
   */
  behind(room: Room): void {
    const now = this.deps.now?.() ?? Date.now();
    if (now - (this.behindAt.get(room) ?? 0) < BEHIND_READ_EVERY_MS) return;
    this.behindAt.set(room, now);
    void this.run(room);
  }

  /** Every loaded room against the store's last sequence numbers: a room behind catches up. */
  async poll(rooms: readonly Room[]): Promise<void> {
    if (rooms.length === 0) return;
    const last = await this.deps.store.lastSeqs(rooms.map((r) => r.id)).catch((err: unknown) => {
      this.deps.onError(err);
      return new Map<SessionId, number>();
    });
    for (const room of rooms) {
      const seq = last.get(room.id) ?? 0;
      if (seq > room.seqs.floor) {
        room.seqs.saw(seq);
        await this.run(room);
      }
    }
  }
}
