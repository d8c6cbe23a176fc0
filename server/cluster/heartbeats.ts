/**
 * Who is online on the other instances, for the rotation: every instance publishes, every tick, a
 * heartbeat with the members online in each of its rooms; a peer whose last beat is older than the
 * lapse is gone, and its members with it.
 */
import type { MemberId, SessionId } from '../../lib/ids';
import type { Room } from '../yjs/room';

export class Heartbeats {
  private readonly beats = new Map<string, { at: number; online: Record<string, string[]> }>();

  constructor(
    private readonly instanceId: string,
    private readonly lapseMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** This instance's beat: the members online in each of its rooms that has any. */
  own(rooms: Iterable<Room>): Record<string, string[]> {
    const online: Record<string, string[]> = {};
    for (const room of rooms) {
      const members = room.localOnlineMembers();
      if (members.length > 0) online[room.id] = members;
    }
    return online;
  }

  /** A peer's beat arrived; beats of peers long gone are forgotten. */
  received(from: string, online: Record<string, string[]>): void {
    const now = this.now();
    this.beats.set(from, { at: now, online });
    const forgotten = now - 10 * this.lapseMs;
    for (const [peer, b] of this.beats) if (b.at < forgotten) this.beats.delete(peer);
  }

  /** Members online in the session on live peers. */
  remoteOnline(id: SessionId): Set<MemberId> {
    const since = this.now() - this.lapseMs;
    const out = new Set<MemberId>();
    for (const [from, beat] of this.beats) {
      if (from === this.instanceId || beat.at < since) continue;
      for (const m of beat.online[id] ?? []) out.add(m as MemberId);
    }
    return out;
  }
}
