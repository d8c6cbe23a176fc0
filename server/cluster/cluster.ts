/**
 * Cluster mode: this instance among its peers. PostgreSQL is the truth (every record, the leases);
 * Redis (bus.ts) only tells peers what happened, so they need not ask.
 *
 * - Records: a room appends to the store (durable), then publishes the record; peers with the room
 *   loaded apply it and broadcast it to their connections. A peer that finds a gap in the sequence
 *   numbers, comes back from a Redis outage, or sees on its periodic check that the store is ahead,
 *   reads what it lacks from the store (readSince): Redis may drop anything, nothing is lost.
 * - Server writes and the timer: one owner per session, by lease (leases.ts); a write asked of
 *   another instance is forwarded to the owner (calls.ts). Every server write is fenced with the
 *   owner's epoch in the store itself.
 * - Presence: each instance publishes its own connections' presence once per batch; peers apply
 *   it and never publish it again. Who is online (for the rotation) travels in heartbeats.
 */
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { MemberId, SessionId } from '../../lib/ids';
import { METRIC } from '../metrics';
import type { DocUpdate } from '../store/types';
import { type Room, type RoomPeers, RoomUnavailable } from '../yjs/room';
import { Bus, type BusMessage, channel } from './bus';
import { Calls } from './calls';
import { CatchUp } from './catchUp';
import { type ClusterBindings, type ClusterDeps, CLUSTER_TIMES, type ClusterTimes } from './contracts';
import { Heartbeats } from './heartbeats';
import { Leases } from './leases';
import { DOC_CODE } from './pgLog';
import type { ClusterStore } from './types';

const decode = (updates: [number, Uint8Array][]): DocUpdate[] => updates.map(([code, update]) => ({ doc: code === DOC_CODE.server ? 'server' : 'shared', update }));
/** Records buffered per room while it loads; past it the room catches up from the store instead. */
const EARLY_LIMIT = 1_000;

export class Cluster implements RoomPeers {
  readonly bus: Bus;
  readonly leases: Leases;
  readonly times: ClusterTimes;
  private b: ClusterBindings | null = null;
  private readonly early = new Map<SessionId, BusMessage[]>();
  private readonly calls: Calls;
  private readonly catchUps: CatchUp;
  private readonly heartbeats: Heartbeats;
  private tickTimer: NodeJS.Timeout | null = null;
  private lastPoll = 0;
  private ticking = false;
  private draining = false;

  constructor(private readonly deps: ClusterDeps) {
    this.times = { ...CLUSTER_TIMES, ...deps.times };
    this.bus = new Bus({
      url: deps.redisUrl,
      logger: deps.logger,
      onMessage: (msg) => this.onMessage(msg),
      onReady: () => this.onBusReady(),
      onError: (err) => this.engineError('redis', err),
    });
    this.leases = new Leases({
      store: deps.store,
      instanceId: deps.instanceId,
      times: this.times.lease,
      monotonic: () => performance.now(),
      metrics: deps.metrics,
      logger: deps.logger,
      onGained: (id) => {
        this.b?.timers.adopt(id).catch((err: unknown) => deps.logger.warn('could not adopt a timer', { room: id, err: String(err) }));
      },
      onLost: (id) => this.b?.timers.forget(id),
    });
    this.catchUps = new CatchUp({ store: deps.store, onError: (err) => this.engineError('postgres', err) });
    this.heartbeats = new Heartbeats(deps.instanceId, this.times.beatLapseMs);
    this.calls = new Calls({
      instanceId: deps.instanceId,
      bus: this.bus,
      leases: this.leases,
      store: deps.store,
      timeoutMs: this.times.callTimeoutMs,
      operations: () => this.bindings.operations,
      loadedRoom: (id) => this.loadedRoom(id),
      catchUp: (room, upTo) => this.catchUps.run(room, upTo),
      draining: () => this.draining,
    });
  }

  get instanceId(): string {
    return this.deps.instanceId;
  }

  get store(): ClusterStore {
    return this.deps.store;
  }

  /** socket.io across instances: the Redis streams adapter (a stream, so a short outage replays). */
  socketAdapter(): ReturnType<typeof createAdapter> {
    return createAdapter(this.bus.adapterClient(), { streamName: 'mf:socket.io', maxLen: 10_000 });
  }

  bind(bindings: ClusterBindings): void {
    this.b = bindings;
  }

  private get bindings(): ClusterBindings {
    if (!this.b) throw new Error('cluster used before bind()');
    return this.b;
  }

  async start(): Promise<void> {
    await this.bus.connect();
    await this.bus.subscribe(channel.instance(this.deps.instanceId));
    await this.bus.subscribe(channel.all);
    this.tickTimer = setInterval(() => void this.tick(), this.times.tickMs);
    this.tickTimer.unref();
    void this.tick();
  }

  /** Readiness: Redis may be away (edits still converge through the store, later) but it is said. */
  health(): { ok: boolean; reason?: string } {
    if (this.draining) return { ok: false, reason: 'draining: this instance is shutting down' };
    if (!this.bus.isConnected) return { ok: false, reason: 'Redis: unreachable, reconnecting (edits still reach every instance through PostgreSQL, seconds later)' };
    return { ok: true };
  }

  // --- RoomPeers ---------------------------------------------------------------------------

  fence(id: SessionId) {
    const epoch = this.leases.epoch(id);
    if (epoch === null) throw new RoomUnavailable('this instance no longer owns the session: try again');
    return { epoch };
  }

  published(room: Room, seq: number, updates: readonly DocUpdate[]): void {
    const msg: BusMessage = { k: 'record', from: this.deps.instanceId, session: room.id, seq, updates: updates.map((u) => [DOC_CODE[u.doc], u.update]), at: Date.now() };
    void this.bus.publish(channel.session(room.id), msg);
  }

  awareness(room: Room, update: Uint8Array): void {
    void this.bus.publish(channel.session(room.id), { k: 'awareness', from: this.deps.instanceId, session: room.id, update });
  }

  behind(room: Room): void {
    this.catchUps.behind(room);
  }

  remoteOnline(id: SessionId): Iterable<MemberId> {
    return this.heartbeats.remoteOnline(id);
  }

  // --- Rooms' lifecycle ----------------------------------------------------------------------

  /** Before a room loads: subscribe first, so nothing committed after the load's read is missed. */
  async beforeLoad(id: SessionId): Promise<void> {
    this.early.set(id, []);
    await this.bus.subscribe(channel.session(id));
  }

  afterLoad(room: Room): void {
    const early = this.early.get(room.id) ?? [];
    this.early.delete(room.id);
    for (const msg of early) this.onMessage(msg);
    if (early.length >= EARLY_LIMIT) void this.catchUps.run(room);
  }

  afterUnload(id: SessionId): void {
    this.early.delete(id);
    void this.bus.unsubscribe(channel.session(id));
    if (this.leases.owns(id) && !this.bindings.rooms.inUse(id) && !this.bindings.timers.hasWakeup(id)) void this.giveUp(id);
  }

  // --- Server writes -------------------------------------------------------------------------

  /** Runs a server write on the session's owner (calls.ts). */
  run(id: SessionId, op: string, args: unknown[]): Promise<unknown> {
    return this.calls.run(id, op, args);
  }

  // --- The bus -------------------------------------------------------------------------------

  private onMessage(msg: BusMessage): void {
    if (msg.from === this.deps.instanceId) return;
    switch (msg.k) {
      case 'record': {
        const room = this.loadedRoom(msg.session);
        if (!room) {
          const early = this.early.get(msg.session);
          if (early && early.length < EARLY_LIMIT) early.push(msg);
          return;
        }
        room.applyPeerRecord(msg.seq, decode(msg.updates));
        this.deps.metrics.observe(METRIC.fanOut, 'Seconds from a record durable on one instance to its broadcast on another', Math.max(0, Date.now() - msg.at) / 1000);
        if (room.seqs.missing > 0) setTimeout(() => void this.catchUps.run(room), this.times.gapWaitMs).unref();
        return;
      }
      case 'awareness':
        this.loadedRoom(msg.session)?.applyPeerAwareness(msg.update);
        return;
      case 'lease-free':
        if (this.loadedRoom(msg.session) && !this.draining) void this.leases.acquire(msg.session).catch((err: unknown) => this.engineError('postgres', err));
        return;
      case 'beat':
        this.heartbeats.received(msg.from, msg.online);
        return;
      case 'link':
        this.b?.closeLink(msg.session, msg.token);
        return;
      case 'call':
        void this.calls.answer(msg);
        return;
      case 'reply':
        this.calls.replied(msg);
        return;
    }
  }

  /** Tells every other instance to close what a replaced link opened. */
  linkReplaced(id: SessionId, token: string, link: 'edit' | 'view'): void {
    void this.bus.publish(channel.all, { k: 'link', from: this.deps.instanceId, session: id, token, link });
  }

  private onBusReady(): void {
    // Anything published while the subscriber was away is lost: read it from the store.
    for (const room of this.b?.rooms.all() ?? []) void this.catchUps.run(room);
  }

  private loadedRoom(id: SessionId): Room | null {
    return this.b?.rooms.peek(id) ?? null;
  }

  // --- Periodic work -------------------------------------------------------------------------

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.leases.renewAll().catch((err: unknown) => {
        this.engineError('postgres', err);
        this.leases.expireLocal();
      });
      if (this.b && !this.draining) {
        for (const id of this.leases.ids()) if (!this.b.rooms.inUse(id) && !this.b.timers.hasWakeup(id)) await this.giveUp(id);
        await this.adoptOrphans();
      }
      await this.beat();
      if (this.b && Date.now() - this.lastPoll >= this.times.pollMs) {
        this.lastPoll = Date.now();
        await this.catchUps.poll(this.b.rooms.all());
      }
    } catch (err) {
      this.deps.logger.warn('cluster tick failed', { err: String(err) });
    } finally {
      this.ticking = false;
    }
  }

  /** Timers coming due whose owner is gone: take their leases (adopting arms them). */
  private async adoptOrphans(): Promise<void> {
    const orphans = await this.deps.store.orphanedTimers(Date.now() + this.times.horizonMs).catch((err: unknown) => {
      this.engineError('postgres', err);
      return [];
    });
    for (const { sessionId } of orphans.slice(0, 50)) await this.leases.acquire(sessionId).catch((err: unknown) => this.engineError('postgres', err));
  }

  private async beat(): Promise<void> {
    await this.bus.publish(channel.all, { k: 'beat', from: this.deps.instanceId, online: this.heartbeats.own(this.b?.rooms.all() ?? []) });
  }

  private async giveUp(id: SessionId): Promise<void> {
    await this.leases.release(id).catch((err: unknown) => this.engineError('postgres', err));
    await this.bus.publish(channel.session(id), { k: 'lease-free', from: this.deps.instanceId, session: id });
  }

  /** SIGTERM: stop owning anything, flushing each owned room first, and tell peers at once. */
  async drain(): Promise<void> {
    this.draining = true;
    for (const id of this.leases.ids()) {
      await this.b?.rooms
        .peek(id)
        ?.flush()
        .catch(() => undefined);
      await this.giveUp(id);
    }
  }

  async close(): Promise<void> {
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.calls.cancelAll();
    await this.bus.close();
  }

  private engineError(engine: 'redis' | 'postgres', err: unknown): void {
    this.deps.metrics.inc(METRIC.engineErrors, 'Errors from Redis or PostgreSQL', { engine });
    this.deps.logger.warn(`${engine} error`, { err: String((err as Error)?.message ?? err) });
  }
}

