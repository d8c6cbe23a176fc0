/**
 * Server writes across a cluster: `run` executes a write here when this instance owns the session
 * (taking a free lease first), else forwards it to the owner over the bus and waits for its reply.
 * The owner answers with its last record's sequence number, and the caller's copy of the room
 * catches up to it before the call returns, so whoever asked reads their own write.
 */
import type { SessionId } from '../../lib/ids';
import type { Room } from '../yjs/room';
import { RoomUnavailable, SessionFull } from '../yjs/room';
import type { Bus, BusMessage } from './bus';
import { channel } from './bus';
import type { Operation } from './contracts';
import type { Leases } from './leases';
import type { ClusterStore } from './types';

const NOT_OWNER = Symbol('not the owner');
/** Errors that keep their class across the bus (the HTTP API answers 503 and 413 for them). */
const ERRORS: Record<string, new (message: string) => Error> = { RoomUnavailable, SessionFull };

export interface CallsDeps {
  instanceId: string;
  bus: Bus;
  leases: Leases;
  store: ClusterStore;
  timeoutMs: number;
  operations(): Record<string, Operation>;
  loadedRoom(id: SessionId): Room | null;
  catchUp(room: Room, upTo: number): Promise<void>;
  draining(): boolean;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
  session: SessionId;
}

export class Calls {
  private readonly pending = new Map<number, Pending>();
  private next = 0;

  constructor(private readonly deps: CallsDeps) {}

  /** Runs a server write on the session's owner: here when this instance owns it or can take it. */
  async run(id: SessionId, op: string, args: unknown[]): Promise<unknown> {
    const { leases } = this.deps;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (leases.owns(id) || (!this.deps.draining() && (await leases.acquire(id)))) {
        try {
          return await this.local(id, op, args);
        } catch (err) {
          // The lease went while it ran (given up, or expired): nothing was stored; ask the new owner.
          if (err instanceof RoomUnavailable && !leases.owns(id)) continue;
          throw err;
        }
      }
      const lease = await this.deps.store.currentLease(id);
      if (!lease || lease.owner === this.deps.instanceId) continue; // freed meanwhile: try to take it
      const reply = await this.forward(lease.owner, id, op, args);
      if (reply !== NOT_OWNER) return reply;
    }
    throw new RoomUnavailable('the session is changing hands between servers: try again');
  }

  /** A peer's forwarded write: run it if this instance still owns the session, and reply. */
  async answer(msg: Extract<BusMessage, { k: 'call' }>): Promise<void> {
    const to = channel.instance(msg.from);
    const base = { k: 'reply' as const, from: this.deps.instanceId, id: msg.id };
    if (!this.deps.leases.owns(msg.session) || this.deps.draining()) {
      await this.deps.bus.publish(to, { ...base, ok: false, error: { name: 'NotOwner', message: 'not the owner' }, notOwner: true });
      return;
    }
    try {
      const value = await this.local(msg.session, msg.op, msg.args);
      const seq = this.deps.loadedRoom(msg.session)?.seqs.highest ?? 0;
      await this.deps.bus.publish(to, { ...base, ok: true, value, seq });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      await this.deps.bus.publish(to, { ...base, ok: false, error: { name: e.constructor.name, message: e.message } });
    }
  }

  /** The owner's reply to a call of ours. */
  replied(msg: Extract<BusMessage, { k: 'reply' }>): void {
    const call = this.pending.get(msg.id);
    if (!call) return;
    this.pending.delete(msg.id);
    clearTimeout(call.timer);
    if (msg.ok) {
      // Read your own write: this instance's copy of the room gets up to the owner's record first.
      const room = this.deps.loadedRoom(call.session);
      if (room && room.seqs.floor < msg.seq) void this.deps.catchUp(room, msg.seq).then(() => call.resolve(msg.value));
      else call.resolve(msg.value);
    } else if (msg.notOwner) call.resolve(NOT_OWNER);
    else call.reject(new (ERRORS[msg.error.name] ?? Error)(msg.error.message));
  }

  /** Every call still waiting fails (shutdown). */
  cancelAll(): void {
    for (const call of this.pending.values()) {
      clearTimeout(call.timer);
      call.reject(new RoomUnavailable('this server is shutting down: try again'));
    }
    this.pending.clear();
  }

  private local(id: SessionId, op: string, args: unknown[]): Promise<unknown> {
    const fn = this.deps.operations()[op];
    if (!fn) throw new Error(`unknown operation ${op}`);
    return (fn as (id: SessionId, ...a: unknown[]) => Promise<unknown>)(id, ...args);
  }

  private forward(owner: string, id: SessionId, op: string, args: unknown[]): Promise<unknown> {
    const callId = ++this.next;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(callId);
        reject(new RoomUnavailable('the server that owns this session did not answer: try again'));
      }, this.deps.timeoutMs);
      this.pending.set(callId, { resolve, reject, timer, session: id });
      void this.deps.bus.publish(channel.instance(owner), { k: 'call', from: this.deps.instanceId, id: callId, session: id, op, args }).then((sent) => {
        if (sent) return;
        clearTimeout(timer);
        this.pending.delete(callId);
        reject(new RoomUnavailable('the servers cannot reach each other right now (Redis): try again'));
      });
    });
  }
}
