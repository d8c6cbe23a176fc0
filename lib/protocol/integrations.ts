/**
 * The wire contract of a session's integrations (issue 33), shared by the server and the UI: CI/CD
 * webhook endpoints, chat destinations and the mob.sh room key. Only the edit link reaches these
 * calls; nothing here is ever part of a session's documents.
 *
 * A secret is answered once, by the call that creates it; listings never carry one, and a chat
 * destination is listed by its host only (an incoming-webhook URL is itself a credential).
 */
import { z } from 'zod';

export const HOOK_PROVIDERS = ['github', 'gitlab', 'cloudevents'] as const;

/** Chat destinations: a Slack incoming webhook, a Teams Workflows webhook, or any URL taking JSON. */
export const CHAT_FORMATS = ['slack', 'teams', 'json'] as const;
export type ChatFormat = (typeof CHAT_FORMATS)[number];
export type HookProvider = (typeof HOOK_PROVIDERS)[number];
export type IntegrationKind = HookProvider | 'chat';

/**
 * How a webhook proves itself: GitHub's HMAC signature; a token sent in clear (GitLab's
 * X-Gitlab-Token, `Authorization: Bearer`); or a Standard Webhooks signature (GitLab signing
 * tokens, generic senders).
 */
export const HOOK_AUTHS = ['hmac', 'token', 'signing'] as const;
export type HookAuth = (typeof HOOK_AUTHS)[number];

export const INTEGRATION_LIMITS = { label: 60, perSession: 20 } as const;

export const DEFAULT_LABELS: Readonly<Record<IntegrationKind, string>> = {
  github: 'GitHub',
  gitlab: 'GitLab',
  cloudevents: 'CI (CloudEvents)',
  chat: 'Chat',
};

const Label = z
  .string({ error: 'label must be a string' })
  .transform((s) => s.replace(/[\p{Cc}\p{Cf}]/gu, ' ').replace(/\s+/g, ' ').trim())
  .pipe(z.string().max(INTEGRATION_LIMITS.label, `label must be at most ${INTEGRATION_LIMITS.label} characters`))
  .optional();
const SignedAuth = z.enum(['token', 'signing'], { error: 'auth must be "token" or "signing"' }).optional();

export const CreateIntegrationBody = z.discriminatedUnion(
  'provider',
  [
    z.object({ provider: z.literal('github'), label: Label }).strict(),
    z.object({ provider: z.literal('gitlab'), label: Label, auth: SignedAuth }).strict(),
    z.object({ provider: z.literal('cloudevents'), label: Label, auth: SignedAuth }).strict(),
    z
      .object({
        provider: z.literal('chat'),
        label: Label,
        format: z.enum(CHAT_FORMATS, { error: `format must be one of ${CHAT_FORMATS.join(', ')}` }),
        url: z.string({ error: 'url must be a string' }),
      })
      .strict(),
  ],
  { error: 'provider must be one of github, gitlab, cloudevents, chat' },
);
export type CreateIntegrationBody = z.infer<typeof CreateIntegrationBody>;

/** One integration as listed: never its secret. */
export interface IntegrationView {
  id: string;
  provider: IntegrationKind;
  label: string;
  createdAt: number;
  /** Webhooks: the URL to give the CI provider. */
  url: string | null;
  auth: HookAuth | null;
  /** Chat: the format and the host it posts to (the full URL is a credential and is not listed). */
  destination: { format: ChatFormat; host: string } | null;
}

/** The answer to creating one: the only time `secret` is shown (null for chat, which has none). */
export interface CreatedIntegration extends IntegrationView {
  secret: string | null;
}

export interface IntegrationList {
  integrations: IntegrationView[];
}

/** The mob.sh room key and the configuration lines a team copies into its `.mob` file. */
export interface MobKeyView {
  room: string;
  /** MOB_TIMER_URL: ends with '/', since mob.sh appends the room with no separator. */
  timerUrl: string;
  /** The lines to copy, e.g. ["MOB_TIMER_URL=https://…/mob/", "MOB_TIMER_ROOM=…"]. */
  env: string[];
}
