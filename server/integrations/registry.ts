/**
 * A session's integrations as the store keeps them (IntegrationRecord): creating one with its
 * secret, listing them without secrets, revoking, the chat destinations the notifications go to,
 * and the mob.sh room key. The record's `config` is JSON written and read only here.
 *
 * What `secret` holds depends on how the sender proves itself (verify.ts): the HMAC key in clear
 * for GitHub and Standard Webhooks signatures; only a hash for tokens sent in clear (GitLab token,
 * bearer). Whatever it holds, it is answered once, when it is created.
 */
import { z } from 'zod';
import { newIntegrationId, newMobKey, type SessionId } from '../../lib/ids';
import {
  type CreatedIntegration,
  type CreateIntegrationBody,
  CHAT_FORMATS,
  DEFAULT_LABELS,
  HOOK_AUTHS,
  type HookAuth,
  INTEGRATION_LIMITS,
  type IntegrationView,
  type MobKeyView,
} from '../../lib/protocol/integrations';
import type { Clock } from '../logger';
import type { IntegrationRecord, SessionRecord, Store } from '../store/types';
import { type Destination, parseDestination } from './destination';
import { hashSecret, newIntegrationSecret, newSigningSecret } from './verify';

/** The endpoint CI providers post to: /api/hooks/<integration id>. */
export const HOOK_PATH = '/api/hooks/';
/** mob.sh's MOB_TIMER_URL path: /mob/<room>. */
export const MOB_PATH = '/mob/';

const StoredConfig = z.union([
  z.object({ kind: z.literal('hook'), auth: z.enum(HOOK_AUTHS) }),
  z.object({ kind: z.literal('chat'), format: z.enum(CHAT_FORMATS), url: z.string() }),
]);
export type StoredConfig = z.infer<typeof StoredConfig>;

export type CreateResult = { ok: true; created: CreatedIntegration } | { ok: false; error: string };

/** The record's config, or null when it is not one this version wrote (such a record does nothing). */
export function readConfig(record: IntegrationRecord): StoredConfig | null {
  try {
    const parsed = StoredConfig.safeParse(JSON.parse(record.config));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export class Integrations {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      /** Chat URLs on private addresses allowed (config.chatAllowPrivate). */
      allowPrivate: boolean;
    },
  ) {}

  async create(sessionId: SessionId, body: CreateIntegrationBody, baseUrl: string): Promise<CreateResult> {
    const existing = await this.deps.store.listIntegrations(sessionId);
    if (existing.length >= INTEGRATION_LIMITS.perSession) return { ok: false, error: `a session has at most ${INTEGRATION_LIMITS.perSession} integrations: revoke one first` };
    const base = { id: newIntegrationId(), sessionId, provider: body.provider, label: body.label || DEFAULT_LABELS[body.provider], createdAt: this.deps.clock.now() };
    if (body.provider === 'chat') {
      const dest = parseDestination({ format: body.format, url: body.url }, { allowPrivate: this.deps.allowPrivate });
      if (!dest.ok) return { ok: false, error: dest.error };
      const record: IntegrationRecord = { ...base, secret: '', config: JSON.stringify({ kind: 'chat', format: dest.destination.format, url: dest.destination.url } satisfies StoredConfig) };
      await this.deps.store.createIntegration(record);
      return { ok: true, created: { ...view(record, baseUrl), secret: null } };
    }
    const auth: HookAuth = body.provider === 'github' ? 'hmac' : (body.auth ?? 'token');
    const secret = auth === 'signing' ? newSigningSecret() : newIntegrationSecret();
    const record: IntegrationRecord = { ...base, secret: auth === 'token' ? hashSecret(secret) : secret, config: JSON.stringify({ kind: 'hook', auth } satisfies StoredConfig) };
    await this.deps.store.createIntegration(record);
    return { ok: true, created: { ...view(record, baseUrl), secret } };
  }

  async list(sessionId: SessionId, baseUrl: string): Promise<IntegrationView[]> {
    return (await this.deps.store.listIntegrations(sessionId)).map((r) => view(r, baseUrl));
  }

  /** Revokes one: its endpoint answers 404 from now on (and its remembered delivery ids go). */
  revoke(sessionId: SessionId, integrationId: string): Promise<boolean> {
    return this.deps.store.deleteIntegration(sessionId, integrationId);
  }

  /** The webhook integration an endpoint id names, with its config; null for anything else. */
  async hook(integrationId: string): Promise<{ record: IntegrationRecord; auth: HookAuth } | null> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(integrationId)) return null;
    const record = await this.deps.store.getIntegration(integrationId);
    const config = record ? readConfig(record) : null;
    return record && config?.kind === 'hook' && record.provider !== 'chat' ? { record, auth: config.auth } : null;
  }

  /** Where the session's chat notifications go (parsed again: a record is only trusted through parseDestination). */
  async destinations(sessionId: SessionId): Promise<Destination[]> {
    const out: Destination[] = [];
    for (const r of await this.deps.store.listIntegrations(sessionId)) {
      const config = readConfig(r);
      if (config?.kind !== 'chat') continue;
      const dest = parseDestination({ format: config.format, url: config.url }, { allowPrivate: this.deps.allowPrivate });
      if (dest.ok) out.push(dest.destination);
    }
    return out;
  }

  /** A new room key: the old one reaches nothing from now on. */
  async rotateMobKey(session: SessionRecord, baseUrl: string): Promise<MobKeyView> {
    const key = newMobKey();
    await this.deps.store.replaceMobKey(session.id, key);
    return mobKeyView(key, baseUrl);
  }
}

export function mobKeyView(room: string, baseUrl: string): MobKeyView {
  const timerUrl = `${baseUrl}${MOB_PATH}`;
  return { room, timerUrl, env: [`MOB_TIMER_URL=${timerUrl}`, `MOB_TIMER_ROOM=${room}`] };
}

function view(r: IntegrationRecord, baseUrl: string): IntegrationView {
  const config = readConfig(r);
  const hook = config?.kind === 'hook' ? config : null;
  const chat = config?.kind === 'chat' ? config : null;
  let host = '';
  try {
    host = chat ? new URL(chat.url).host : '';
  } catch {
    host = '';
  }
  return {
    id: r.id,
    provider: r.provider,
    label: r.label,
    createdAt: r.createdAt,
    url: hook ? `${baseUrl}${HOOK_PATH}${r.id}` : null,
    auth: hook?.auth ?? null,
    destination: chat ? { format: chat.format, host } : null,
  };
}
