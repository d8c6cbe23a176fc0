/**
 * Session transitions to chat: where a transition happens (the timer service's transition path,
 * an Actions method) it calls `send`, which returns at once; the destinations are looked up and
 * the Notifier (outbound.ts) takes it from there, with its queues, retries and counted drops. A
 * session never waits on chat, and a chat failure never reaches it.
 *
 * Messages of one session are handed to the Notifier in the order `send` was called (lookups are
 * chained per session), so "Ana drives" never arrives after "Bo drives".
 */
import type { RotationState } from '../../lib/doc/schema';
import type { MemberId, SessionId } from '../../lib/ids';
import type { Logger } from '../logger';
import type { Store } from '../store/types';
import type { NotifyEvent } from './chatMessage';
import type { Integrations } from './registry';
import type { Notifier } from './outbound';

/** A notification without its session reference (the sender adds name and watch link). */
export type Notice = NotifyEvent extends infer E ? (E extends NotifyEvent ? Omit<E, 'session'> : never) : never;

/** What the places where transitions happen call. */
export interface SessionNotices {
  /** Queues `notice` for the session's chat destinations; returns at once and never throws. */
  send(id: SessionId, sessionName: string, notice: Notice): void;
}

export const NO_NOTICES: SessionNotices = { send: () => undefined };

const MS_PER_MINUTE = 60_000;

/**
 * What a rotation change announces: a phase that started (a turn with its driver and navigator, or
 * a break). A resume, a pause or a settings change starts nothing and announces nothing.
 */
export function rotationNotice(before: RotationState, after: RotationState, nameOf: (id: MemberId | null) => string | null): Notice | null {
  const t = after.timer;
  if (t.status !== 'running') return null;
  const b = before.timer;
  const started = b.status === 'idle' || b.startedAt !== t.startedAt || b.phase !== t.phase;
  if (!started) return null;
  const minutes = Math.max(1, Math.round(t.durationMs / MS_PER_MINUTE));
  if (t.phase === 'break') return { type: 'break-started', minutes };
  const driver = nameOf(after.driver);
  return driver ? { type: 'turn-started', driver, next: nameOf(after.navigator), minutes } : null;
}

export class ChatNotices implements SessionNotices {
  /** Per session, the end of its chain of lookups (removed once it settles). */
  private readonly chains = new Map<SessionId, Promise<void>>();

  constructor(
    private readonly deps: {
      store: Store;
      integrations: Integrations;
      notifier: Notifier;
      logger: Logger;
      /** PUBLIC_URL: the watch link goes into messages only when the server knows its own address. */
      publicUrl?: string;
    },
  ) {}

  send(id: SessionId, sessionName: string, notice: Notice): void {
    const prev = this.chains.get(id) ?? Promise.resolve();
    const next = prev
      .then(() => this.deliver(id, sessionName, notice))
      .catch((err: unknown) => this.deps.logger.warn('chat notification not sent', { room: id, err: String(err) }));
    this.chains.set(id, next);
    void next.then(() => {
      if (this.chains.get(id) === next) this.chains.delete(id);
    });
  }

  /** Resolves once every lookup started so far has handed its messages to the Notifier (tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  private async deliver(id: SessionId, sessionName: string, notice: Notice): Promise<void> {
    const destinations = await this.deps.integrations.destinations(id);
    if (destinations.length === 0) return;
    const base = this.deps.publicUrl?.replace(/\/+$/, '');
    const record = base ? await this.deps.store.getSession(id) : null;
    const session = { name: sessionName, viewUrl: base && record ? `${base}/v/${record.viewToken}` : null };
    for (const dest of destinations) this.deps.notifier.notify(dest, { ...notice, session } as NotifyEvent);
  }
}
