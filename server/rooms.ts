/**
 * The room registry: loads a room on first use (one load per room even when many connections
 * arrive at once), unloads it after the last connection leaves and the store has everything.
 */
import type { SessionId } from '../lib/ids';
import type { Logger } from './logger';
import { METRIC, type Metrics } from './metrics';
import { Room, type RoomDeps } from './yjs/room';

export interface RoomsDeps extends Omit<RoomDeps, 'onEmpty' | 'onBroken'> {
  logger: Logger;
  metrics: Metrics;
  unloadDelayMs: number;
  /** Called whenever the number of loaded rooms changes. */
  onCountChanged?(count: number): void;
  /** Cluster: before a room loads (subscribe to its peers first), after it loaded, after it went. */
  beforeLoad?(id: SessionId): Promise<void>;
  afterLoad?(room: Room): void;
  afterUnload?(id: SessionId): void;
}

export class Rooms {
  private readonly loaded = new Map<SessionId, Room>();
  private readonly loading = new Map<SessionId, Promise<Room>>();
  private readonly unloadTimers = new Map<SessionId, NodeJS.Timeout>();
  /** Holds keep a room loaded without connections (an HTTP write in flight, a running timer). */
  private readonly holds = new Map<SessionId, number>();
  /** Bumped on every get(), so an unload that awaited the store can tell the room was claimed meanwhile. */
  private readonly claims = new Map<SessionId, number>();

  constructor(private readonly deps: RoomsDeps) {}

  get size(): number {
    return this.loaded.size;
  }

  has(id: SessionId): boolean {
    return this.loaded.has(id);
  }

  /** Loaded, loading, or held by a caller (rooms.with) right now. */
  inUse(id: SessionId): boolean {
    return this.loaded.has(id) || this.loading.has(id) || this.holds.has(id);
  }

  /** The room if it is loaded (and not broken); never loads. */
  peek(id: SessionId): Room | null {
    const room = this.loaded.get(id);
    return room && !room.isBroken ? room : null;
  }

  /** The live room, loading it if needed. */
  async get(id: SessionId): Promise<Room> {
    this.cancelUnload(id);
    this.claims.set(id, (this.claims.get(id) ?? 0) + 1);
    const live = this.loaded.get(id);
    if (live && !live.isBroken) return live;
    let pending = this.loading.get(id);
    if (!pending) {
      const before = this.deps.beforeLoad?.(id) ?? Promise.resolve();
      pending = before
        .then(() => Room.load(id, { ...this.deps, onEmpty: (room) => this.onEmpty(room), onBroken: (room) => this.drop(room) }))
        .then((room) => {
          this.loaded.set(id, room);
          this.countChanged();
          this.deps.afterLoad?.(room);
          return room;
        })
        .finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    return pending;
  }

  /** Runs `fn` with the room loaded, keeping it loaded until `fn` settles. */
  async with<T>(id: SessionId, fn: (room: Room) => T | Promise<T>): Promise<T> {
    this.holds.set(id, (this.holds.get(id) ?? 0) + 1);
    try {
      return await fn(await this.get(id));
    } finally {
      const n = (this.holds.get(id) ?? 1) - 1;
      if (n > 0) this.holds.set(id, n);
      else this.holds.delete(id);
      const room = this.loaded.get(id);
      if (room && room.connectionCount === 0) this.onEmpty(room);
    }
  }

  /** For a caller that got a room but never joined it (its socket closed meanwhile). */
  releaseIfUnused(id: SessionId): void {
    const room = this.loaded.get(id);
    if (room && room.connectionCount === 0 && !this.holds.has(id) && !this.unloadTimers.has(id)) this.onEmpty(room);
  }

  private onEmpty(room: Room): void {
    if (room.isBroken) {
      this.drop(room);
      return;
    }
    this.cancelUnload(room.id);
    const timer = setTimeout(() => void this.unload(room), this.deps.unloadDelayMs);
    timer.unref();
    this.unloadTimers.set(room.id, timer);
  }

  private cancelUnload(id: SessionId): void {
    const t = this.unloadTimers.get(id);
    if (t) clearTimeout(t);
    this.unloadTimers.delete(id);
  }

  private async unload(room: Room): Promise<void> {
    this.unloadTimers.delete(room.id);
    if (room.connectionCount > 0 || this.holds.has(room.id) || this.loaded.get(room.id) !== room) return;
    const claim = this.claims.get(room.id);
    await room.flush().catch(() => undefined);
    await room.compact();
    if (this.claims.get(room.id) !== claim) {
      // Someone took the room while we awaited the store; try again once they are done with it.
      if (room.connectionCount === 0 && !this.holds.has(room.id) && !this.unloadTimers.has(room.id)) this.onEmpty(room);
      return;
    }
    if (room.connectionCount > 0 || this.holds.has(room.id) || this.unloadTimers.has(room.id)) return;
    this.claims.delete(room.id);
    // From here a new connection loads a fresh room from the store; this one only finishes its log.
    this.loaded.delete(room.id);
    this.countChanged();
    await room.settle().catch(() => undefined);
    room.destroy();
    if (!this.loaded.has(room.id) && !this.loading.has(room.id)) this.deps.afterUnload?.(room.id);
    this.deps.logger.debug('room unloaded', { room: room.id });
  }

  private drop(room: Room): void {
    if (this.loaded.get(room.id) === room) this.loaded.delete(room.id);
    this.cancelUnload(room.id);
    room.destroy();
    this.countChanged();
    if (!this.loaded.has(room.id) && !this.loading.has(room.id)) this.deps.afterUnload?.(room.id);
  }

  /** Closes the connections a replaced link opened, in a loaded room (none otherwise). */
  closeLink(id: SessionId, token: string, code: number, reason: string): number {
    return this.loaded.get(id)?.closeLink(token, code, reason) ?? 0;
  }

  /** Loaded rooms, for metrics and shutdown. */
  all(): Room[] {
    return [...this.loaded.values()];
  }

  private countChanged(): void {
    this.deps.metrics.set(METRIC.rooms, 'Rooms loaded in memory', this.loaded.size);
    this.deps.onCountChanged?.(this.loaded.size);
  }

  /** Flushes every room to the store and closes all connections (clients reconnect). */
  async closeAll(): Promise<void> {
    for (const t of this.unloadTimers.values()) clearTimeout(t);
    this.unloadTimers.clear();
    await Promise.allSettled([...this.loading.values()]);
    for (const room of [...this.loaded.values()]) {
      await room.settle().catch(() => undefined);
      room.destroy();
    }
    this.loaded.clear();
  }
}
