/**
 * Branded identifiers. Every id that crosses a boundary (URL, WebSocket path, HTTP body,
 * socket.io payload) is parsed once with `parse*` and carried as its brand afterwards.
 */
declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type SessionId = Brand<string, 'SessionId'>;
export type ViewToken = Brand<string, 'ViewToken'>;
export type MemberId = Brand<string, 'MemberId'>;
export type DecisionId = Brand<string, 'DecisionId'>;
export type TaskId = Brand<string, 'TaskId'>;

/** 16 random bytes = 128 bits, base64url without padding = 22 characters. */
export const CAPABILITY_BYTES = 16;
/** Member, task and decision ids only need to be unique within a session. */
export const LOCAL_ID_BYTES = 9;

const CAPABILITY_RE = /^[A-Za-z0-9_-]{22}$/;
const LOCAL_ID_RE = /^[A-Za-z0-9_-]{12}$/;

function randomBase64Url(bytes: number): string {
  const buf = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(buf);
  let bin = '';
  for (const b of buf) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export const newSessionId = (): SessionId => randomBase64Url(CAPABILITY_BYTES) as SessionId;
export const newViewToken = (): ViewToken => randomBase64Url(CAPABILITY_BYTES) as ViewToken;
/** A mob.sh room key (`/mob/<room>`) and an integration's endpoint id: as unguessable as a link. */
export const newMobKey = (): string => randomBase64Url(CAPABILITY_BYTES);
export const newIntegrationId = (): string => randomBase64Url(CAPABILITY_BYTES);
export const newMemberId = (): MemberId => randomBase64Url(LOCAL_ID_BYTES) as MemberId;
export const newDecisionId = (): DecisionId => randomBase64Url(LOCAL_ID_BYTES) as DecisionId;
export const newTaskId = (): TaskId => randomBase64Url(LOCAL_ID_BYTES) as TaskId;

function parser<T>(re: RegExp) {
  return (raw: unknown): T | null => (typeof raw === 'string' && re.test(raw) ? (raw as T) : null);
}

/** Returns the id, or null when `raw` is not a well-formed session id. */
export const parseSessionId = parser<SessionId>(CAPABILITY_RE);
export const parseViewToken = parser<ViewToken>(CAPABILITY_RE);
export const parseMemberId = parser<MemberId>(LOCAL_ID_RE);
export const parseDecisionId = parser<DecisionId>(LOCAL_ID_RE);
export const parseTaskId = parser<TaskId>(LOCAL_ID_RE);
