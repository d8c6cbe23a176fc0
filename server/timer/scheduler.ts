/**
 * The server-side turn timer. The server alone decides when a turn ends: each transition is
 * computed and written inside one room transaction (so concurrent commands and a firing timer
 * cannot both rotate), and the due time of every running timer is kept in the store, so a turn
 * that ended while the server was down is resolved exactly once when it starts again, with or
 * without any browser open.
 */
import { type RotationState, readRotation, type SessionSettings } from '../../lib/doc/schema';
import type { SessionId } from '../../lib/ids';
import { onlineMemberIds } from '../../lib/presence';
import type { SettingsPatch, TimerApplied } from '../../lib/protocol/timer';
import { applyTimerAction, expire, readRotationContext, type TimerAction, type Transition, writeSettings, writeTransition } from '../../lib/rotation';
import { endsAt } from '../../lib/timer';
import type { Clock, Logger } from '../logger';
import type { Rooms } from '../rooms';
import type { Store } from '../store/types';
import type { Room } from '../yjs/room';

export interface TimerDeps {
  rooms: Rooms;
  store: Store;
  clock: Clock;
  logger: Logger;
}

export type TimerOutcome = { ok: true; value: TimerApplied } | { ok: false; reason: string };

/** setTimeout cannot wait longer than this (2^31-1 ms); longer waits are re-armed. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export class TimerService {
  private readonly wakeups = new Map<SessionId, { at: number; handle: NodeJS.Timeout }>();
  private closed = false;

  constructor(private readonly deps: TimerDeps) {}

  /**
   * Arms a wake-up for every stored due time; past ones are resolved right away (once). Sessions
   * the store replayed after a crash are read again: the process may have died between a timer
   * write reaching the doc and its due time reaching the store, and the doc is the truth.
   */
  async start(): Promise<void> {
    const due = await this.deps.store.listTimersDue();
    for (const { sessionId, dueAt } of due) this.arm(sessionId, dueAt);
    if (due.length > 0) this.deps.logger.info('timers restored', { count: due.length });
    for (const id of this.deps.store.replayedSessions()) {
      try {
        await this.deps.rooms.with(id, (room) => this.track(id, readRotation(room.doc)));
      } catch (err) {
        this.deps.logger.error('could not check the timer of a replayed session', { room: id, err: String(err) });
      }
    }
  }

  /** Applies a user command; `ok: false` explains an impossible transition (nothing changed). */
  command(id: SessionId, action: TimerAction): Promise<TimerOutcome> {
    return this.transition(id, 'timer', (ctx) => applyTimerAction(action, ctx));
  }

  /** Replaces some timer settings; they apply from the next turn on. */
  async updateSettings(id: SessionId, patch: SettingsPatch): Promise<{ ok: true; value: SessionSettings }> {
    return this.deps.rooms.with(id, async (room) => ({ ok: true, value: await room.transact('timer', (doc) => writeSettings(doc, patch)) }));
  }

  /** The expiry check a wake-up runs: rotates only when the running phase is due. */
  expireIfDue(id: SessionId): Promise<TimerOutcome> {
    return this.transition(id, 'expire', expire);
  }

  /** Sessions with an armed wake-up (for tests and metrics). */
  get armed(): number {
    return this.wakeups.size;
  }

  close(): void {
    this.closed = true;
    for (const w of this.wakeups.values()) clearTimeout(w.handle);
    this.wakeups.clear();
  }

  private async transition(id: SessionId, reason: 'timer' | 'expire', step: (ctx: ReturnType<typeof readRotationContext>) => Transition): Promise<TimerOutcome> {
    return this.deps.rooms.with(id, async (room) => {
      // The check and the write happen in one synchronous transaction: nothing can interleave.
      const done = await room.transact(reason, (doc) => {
        const result = step(readRotationContext(doc, onlineOf(room), this.deps.clock.now()));
        if (result.ok) writeTransition(doc, result);
        return result;
      });
      await this.track(id, readRotation(room.doc));
      if (!done.ok) return { ok: false, reason: done.reason };
      // Report the state this command produced, not a later one (concurrent commands interleave here).
      const { turn, timer } = done.state;
      if (reason === 'expire') this.deps.logger.info('turn ended', { room: id, turn });
      return { ok: true, value: { turn, status: timer.status } };
    });
  }

  /** Keeps the stored due time and the in-memory wake-up in line with the doc's timer. */
  private async track(id: SessionId, state: RotationState): Promise<void> {
    const due = endsAt(state.timer);
    await this.deps.store.setTimerDue(id, due);
    if (due === null) this.disarm(id);
    else this.arm(id, due);
  }

  private arm(id: SessionId, at: number): void {
    if (this.closed) return;
    const current = this.wakeups.get(id);
    if (current?.at === at) return;
    if (current) clearTimeout(current.handle);
    const delay = Math.min(MAX_TIMEOUT_MS, Math.max(0, at - this.deps.clock.now()));
    const handle = setTimeout(() => {
      if (this.wakeups.get(id)?.handle === handle) this.wakeups.delete(id);
      this.expireIfDue(id).catch((err: unknown) => {
        this.deps.logger.error('timer expiry failed', { room: id, err: String(err) });
      });
    }, delay);
    this.wakeups.set(id, { at, handle });
  }

  private disarm(id: SessionId): void {
    const w = this.wakeups.get(id);
    if (w) clearTimeout(w.handle);
    this.wakeups.delete(id);
  }
}

function onlineOf(room: Room): Set<string> {
  return onlineMemberIds(room.awareness.getStates());
}
