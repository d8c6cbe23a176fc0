/**
 * Sessions: creation (capability ids) and lookup of an id or view token from untrusted input.
 */
import { DEFAULT_SETTINGS, initSession } from '../lib/doc/schema';
import { newSessionId, newViewToken, parseSessionId, type SessionId, type ViewToken } from '../lib/ids';
import type { Clock } from './logger';
import type { Rooms } from './rooms';
import type { SessionLookup, Store } from './store/types';

export interface NewSession {
  name?: string;
  turnSeconds?: number;
}

export class Sessions {
  constructor(
    private readonly store: Store,
    private readonly rooms: Rooms,
    private readonly clock: Clock,
  ) {}

  async create(input: NewSession): Promise<{ id: SessionId; viewToken: ViewToken }> {
    const id = newSessionId();
    const viewToken = newViewToken();
    const now = this.clock.now();
    await this.store.createSession({ id, viewToken, createdAt: now });
    await this.rooms.with(id, (room) =>
      room.transact('create', (doc) =>
        initSession(doc, {
          name: input.name ?? 'Mob session',
          createdAt: now,
          settings: { ...DEFAULT_SETTINGS, ...(input.turnSeconds ? { turnSeconds: input.turnSeconds } : {}) },
        }),
      ),
    );
    return { id, viewToken };
  }

  /** Resolves a raw path segment to a session (edit or read-only); null when malformed or unknown. */
  async resolve(raw: string): Promise<SessionLookup | null> {
    // View tokens share the session id's format; the store tells them apart.
    if (!parseSessionId(raw)) return null;
    return this.store.findSession(raw);
  }
}
