/**
 * Load for cluster fault tests: sessions x clients spread round robin over a cluster's instances,
 * each client writing one key per tick while it is connected, and the bookkeeping that proves
 * nothing was lost.
 *
 * When an instance dies, its clients are replaced by fresh ones on the surviving instances (what a
 * browser reload behind a load balancer does), never reconnected with their old documents: a
 * client that kept its document would send its writes again and hide a loss. What those clients
 * had been told was saved, and what any client had received from another, must survive.
 */
import * as Y from 'yjs';
import { type AckClient, ackClient, writtenKeys } from './ackClient';

interface Seat {
  session: number;
  seat: number;
  gen: number;
  n: number;
  instance: number;
  client: AckClient;
}

export interface FleetOptions {
  /** ws URLs of the instances (index = instance number). */
  wsUrls: readonly string[];
  sessions: readonly string[];
  perSession: number;
  /** One write per connected client per tick. */
  tickMs: number;
  /** A client stops writing after this many keys (bounded load). */
  maxWritesPerClient: number;
  /**
   * true: a client whose connection drops reconnects to the next instance with its document (a
   * drain: its unsaved writes are sent again, as they must be). false (default): it stays on its
   * instance, and instanceDown() replaces it with a fresh client (a crash: nothing may hide a loss).
   */
  follow?: boolean;
}

export class Fleet {
  readonly seats: Seat[] = [];
  /** Keys that must be in every client and in the store at the end. */
  readonly mustSurvive = new Set<string>();
  /** Every key written by a client that is still alive (its unsaved writes are resent, so they must arrive too). */
  private timer: NodeJS.Timeout | null = null;
  private readonly live = new Set<number>();

  constructor(private readonly opts: FleetOptions) {
    for (let i = 0; i < opts.wsUrls.length; i++) this.live.add(i);
    let k = 0;
    opts.sessions.forEach((_, si) => {
      for (let seat = 0; seat < opts.perSession; seat++) this.seats.push(this.seat(si, seat, 0, k++ % opts.wsUrls.length));
    });
  }

  private seat(session: number, seat: number, gen: number, instance: number): Seat {
    const count = this.opts.wsUrls.length;
    // Following clients know every instance, starting with their own (the load balancer's pick).
    const order = this.opts.follow ? this.opts.wsUrls.map((_, k) => (instance + k) % count) : [instance];
    const urls = order.map((i) => this.opts.wsUrls[i] as string);
    return { session, seat, gen, n: 0, instance, client: ackClient(urls, this.opts.sessions[session] as string) };
  }

  get clients(): AckClient[] {
    return this.seats.map((s) => s.client);
  }

  allSynced(): boolean {
    return this.seats.every((s) => s.client.provider.synced);
  }

  start(): void {
    this.timer = setInterval(() => {
      for (const s of this.seats) {
        if (s.n >= this.opts.maxWritesPerClient || !s.client.provider.wsconnected) continue;
        s.client.write(`s${s.session}-c${s.seat}-g${s.gen}-${s.n}`, s.n);
        s.n++;
      }
    }, this.opts.tickMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Instance `i` went down: its clients are replaced by fresh ones on the others; what they knew must survive. */
  instanceDown(i: number): number {
    this.live.delete(i);
    let moved = 0;
    for (const [k, s] of this.seats.entries()) {
      if (s.instance !== i) continue;
      this.remember(s);
      s.client.destroy();
      const others = [...this.live];
      this.seats[k] = this.seat(s.session, s.seat, s.gen + 1, others[(k + moved) % others.length] as number);
      moved++;
    }
    return moved;
  }

  /** Every client is replaced by a fresh one (after a store crash): what they knew must survive. */
  replaceAll(): void {
    for (const [k, s] of this.seats.entries()) {
      this.remember(s);
      s.client.destroy();
      this.seats[k] = this.seat(s.session, s.seat, s.gen + 1, s.instance);
    }
  }

  /** Close codes after which a client would have given up (4400–4499), across every client. */
  permanentCloses(): number[] {
    return this.seats.flatMap((s) => s.client.closes.filter((c) => c >= 4400 && c < 4500));
  }

  instanceUp(i: number): void {
    this.live.add(i);
  }

  /** What a client was told is saved, and what it received from others, must survive. */
  private remember(s: Seat): void {
    for (const key of s.client.saved()) this.mustSurvive.add(key);
    const own = `s${s.session}-c${s.seat}-g${s.gen}-`;
    for (const key of writtenKeys(s.client.doc)) if (!key.startsWith(own)) this.mustSurvive.add(key);
  }

  /** Everything every live client wrote, plus what must survive from replaced ones, per session. */
  expected(): Map<number, Set<string>> {
    const out = new Map<number, Set<string>>();
    for (const key of this.mustSurvive) {
      const si = Number(key.slice(1, key.indexOf('-')));
      if (!out.has(si)) out.set(si, new Set());
      out.get(si)?.add(key);
    }
    for (const s of this.seats) {
      if (!out.has(s.session)) out.set(s.session, new Set());
      for (let n = 0; n < s.n; n++) out.get(s.session)?.add(`s${s.session}-c${s.seat}-g${s.gen}-${n}`);
    }
    return out;
  }

  /** Keys expected but missing in some client, and sessions whose clients' states differ. */
  check(): { missing: string[]; diverged: number[] } {
    const expected = this.expected();
    const missing: string[] = [];
    const diverged: number[] = [];
    const bySession = new Map<number, Seat[]>();
    for (const s of this.seats) bySession.set(s.session, [...(bySession.get(s.session) ?? []), s]);
    for (const [si, seats] of bySession) {
      for (const s of seats) {
        const have = writtenKeys(s.client.doc);
        for (const key of expected.get(si) ?? []) if (!have.has(key)) missing.push(key);
      }
      if (new Set(seats.map((s) => Buffer.from(Y.encodeStateVector(s.client.doc)).toString('hex'))).size > 1) diverged.push(si);
    }
    return { missing: [...new Set(missing)], diverged };
  }

  destroy(): void {
    this.stop();
    for (const s of this.seats) s.client.destroy();
  }
}
