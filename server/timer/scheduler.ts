/**
 * The server-side turn timer. The server alone decides when a turn ends: each transition is
 * computed and written inside one room transaction (lib/rotation.ts applyTransition), so concurrent
 * commands and a firing timer cannot both rotate, and the due time of every running timer is kept in
 * the store, so a turn that ended while the server was down is resolved exactly once when it starts
 * again, with or without any browser open.
 *
 * Time and timers are injected (a Clock and a TimerSource): tests run turns on a fake clock.
 * "Online" for the rotation is who has a connection open, never what a client claims.
 */
import { readRotation, type RotationState, type SessionDocs, type SessionSettings } from '../../lib/doc/schema';
import type { SessionId } from '../../lib/ids';
import type { TimerPut } from '../../lib/mobsh';
import { applyMobTimer, type MobTimerResult } from '../../lib/mobshTimer';
import type { SettingsPatch, TimerApplied } from '../../lib/protocol/timer';
import { applyTimerAction, applyTransition, expire, type RotationContext, type TimerAction, type Transition, writeSettings } from '../../lib/rotation';
import { endsAt } from '../../lib/timer';
import type { Clock, Logger } from '../logger';
import type { Rooms } from '../rooms';
import type { Store } from '../store/types';
import type { TimerSource } from './timerSource';

export interface TimerDeps {
  rooms: Rooms;
  store: Store;
  clock: Clock;
  timers: TimerSource;
  logger: Logger;
  /**
   * Called after every rotation change the server applied (a command, an expiry, a mob.sh timer),
   * with the documents to read names from; for notifications. It must return at once.
   */
  onTransition?(id: SessionId, change: { before: RotationState; after: RotationState; reason: TransitionReason; docs: SessionDocs }): void;
  /**
   * Cluster: whether this instance owns the session (server/cluster/leases.ts). Only the owner arms
   * and fires a session's timer; the cluster adopts timers as it takes leases. Absent: owns all.
   */
  owns?(id: SessionId): boolean;
}

/** What commands and routes may ask of the timer (in a cluster, the session's owner runs them). */
export type TimerControl = Pick<TimerService, 'command' | 'updateSettings' | 'mobTimer'>;

export type TransitionReason = 'timer' | 'expire' | 'mobsh';

export type TimerOutcome = { ok: true; value: TimerApplied } | { ok: false; reason: string };

/** setTimeout cannot wait longer than this (2^31-1 ms); longer waits are re-armed. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export class TimerService {
  private readonly wakeups = new Map<SessionId, { at: number; handle: unknown }>();
  private closed = false;

  constructor(private readonly deps: TimerDeps) {}

  /**
   * Arms a wake-up for every stored due time; past ones are resolved right away (once). Sessions
   * the store recovered after a crash are read again: the process may have died between a timer
   * write reaching the document and its due time reaching the store, and the document is the truth.
   */
  async start(): Promise<void> {
    if (this.deps.owns) return; // a cluster instance arms the timers of the sessions it takes (adopt)
    const due = await this.deps.store.listTimersDue();
    for (const { sessionId, dueAt } of due) this.arm(sessionId, dueAt);
    if (due.length > 0) this.deps.logger.info('timers restored', { count: due.length });
    for (const id of await this.deps.store.recoveredSessions()) {
      try {
        await this.deps.rooms.with(id, (room) => this.track(id, readRotation(room.docs)));
      } catch (err) {
        this.deps.logger.error('could not check the timer of a recovered session', { room: id, err: String(err) });
      }
    }
  }

  /** Applies a user command; `ok: false` explains an impossible transition (nothing changed). */
  command(id: SessionId, action: TimerAction): Promise<TimerOutcome> {
    return this.transition(id, 'timer', (ctx) => applyTimerAction(action, ctx));
  }

  /**
   * A mob.sh timer request (`mob start N`, `mob break N`; lib/mobshTimer.ts): a turn of N minutes
   * with the named driver (added to the roster when new), or a break; 0 minutes stops. Tracked and
   * announced like every other transition.
   */
  mobTimer(id: SessionId, put: TimerPut): Promise<MobTimerResult> {
    return this.deps.rooms.with(id, async (room) => {
      const before = readRotation(room.docs);
      const { result, after } = await room.transact('timer', (docs) => {
        const result = applyMobTimer(docs, put, room.onlineMembers(), this.deps.clock.now());
        return { result, after: readRotation(docs) };
      });
      await this.track(id, readRotation(room.docs));
      if (result.ok) this.changed(id, before, after, 'mobsh', room.docs);
      return result;
    });
  }

  /** Replaces some timer settings; they apply from the next turn on. */
  async updateSettings(id: SessionId, patch: SettingsPatch): Promise<SessionSettings> {
    return this.deps.rooms.with(id, (room) => room.transact('timer', (docs) => writeSettings(docs, patch)));
  }

  /** The expiry check a wake-up runs: rotates only when the running phase is due. */
  expireIfDue(id: SessionId): Promise<TimerOutcome> {
    return this.transition(id, 'expire', expire);
  }

  /**
   * This instance became the session's owner: its timer is armed from the document, and a turn
   * that came due meanwhile (its owner died) ends now, once — expiry acts only on a due phase, and
   * only the current owner's fenced write is stored.
   */
  async adopt(id: SessionId): Promise<void> {
    const due = await this.deps.rooms.with(id, (room) => endsAt(readRotation(room.docs).timer));
    if (due === null) return this.disarm(id);
    if (due <= this.deps.clock.now()) await this.expireIfDue(id);
    else this.arm(id, due);
  }

  /** Another instance owns the session now: its wake-up is theirs. */
  forget(id: SessionId): void {
    this.disarm(id);
  }

  hasWakeup(id: SessionId): boolean {
    return this.wakeups.has(id);
  }

  /** Sessions with an armed wake-up (for tests and metrics). */
  get armed(): number {
    return this.wakeups.size;
  }

  /** When the session's wake-up is armed for, if it is. */
  wakeupAt(id: SessionId): number | null {
    return this.wakeups.get(id)?.at ?? null;
  }

  close(): void {
    this.closed = true;
    for (const w of this.wakeups.values()) this.deps.timers.clearTimeout(w.handle);
    this.wakeups.clear();
  }

  private async transition(id: SessionId, reason: 'timer' | 'expire', step: (ctx: RotationContext) => Transition): Promise<TimerOutcome> {
    return this.deps.rooms.with(id, async (room) => {
      const before = readRotation(room.docs);
      // The check and the write happen in one synchronous transaction: nothing can interleave.
      const done = await room.transact(reason, (docs) => applyTransition(docs, step, room.onlineMembers(), this.deps.clock.now()));
      await this.track(id, readRotation(room.docs));
      if (!done.ok) return { ok: false, reason: done.reason };
      if (done.ok) this.changed(id, before, done.state, reason, room.docs);
      // Report the state this command produced, not a later one (concurrent commands interleave here).
      const { turn, timer } = done.state;
      if (reason === 'expire') this.deps.logger.info('turn ended', { room: id, turn });
      return { ok: true, value: { turn, status: timer.status } };
    });
  }

  private changed(id: SessionId, before: RotationState, after: RotationState, reason: TransitionReason, docs: SessionDocs): void {
    try {
      this.deps.onTransition?.(id, { before, after, reason, docs });
    } catch (err) {
      // A listener's failure is its own: the transition happened and stays.
      this.deps.logger.warn('transition listener failed', { room: id, err: String(err) });
    }
  }

  /** Keeps the stored due time and the wake-up in line with the document's timer. */
  private async track(id: SessionId, state: RotationState): Promise<void> {
    const due = endsAt(state.timer);
    await this.deps.store.setTimerDue(id, due);
    if (due === null) this.disarm(id);
    else this.arm(id, due);
  }

  private arm(id: SessionId, at: number): void {
    if (this.closed || (this.deps.owns && !this.deps.owns(id))) return;
    const current = this.wakeups.get(id);
    if (current?.at === at) return;
    if (current) this.deps.timers.clearTimeout(current.handle);
    const delay = Math.min(MAX_TIMEOUT_MS, Math.max(0, at - this.deps.clock.now()));
    const handle = this.deps.timers.setTimeout(() => {
      if (this.wakeups.get(id)?.handle === handle) this.wakeups.delete(id);
      if (this.deps.owns && !this.deps.owns(id)) return; // the session changed hands: its new owner fires it
      // Not due yet (a wait longer than setTimeout allows): transition() re-arms it from the document.
      this.expireIfDue(id).catch((err: unknown) => this.deps.logger.error('timer expiry failed', { room: id, err: String(err) }));
    }, delay);
    this.wakeups.set(id, { at, handle });
  }

  private disarm(id: SessionId): void {
    const w = this.wakeups.get(id);
    if (w) this.deps.timers.clearTimeout(w.handle);
    this.wakeups.delete(id);
  }
}
