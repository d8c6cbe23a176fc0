/**
 * Named WebSocket close codes. y-websocket clients (3.x) treat 4400–4499 as permanent ("do not
 * reconnect", like HTTP 4xx) and everything else as transient, so the numbers follow that rule.
 * The reason string carries the readable message.
 */
export const CloseCode = {
  /** Server shutting down or restarting: reconnect. */
  GoingAway: 1001,
  /** The frame is not a valid y-websocket message (transient: a fresh sync may recover). */
  MalformedMessage: 4000,
  /** The client sent messages or bytes faster than its budget (transient). */
  RateLimited: 4008,
  /** The client did not read its messages fast enough (transient). */
  SlowConsumer: 4009,
  /** Too many connections from one address (transient). */
  TooManyConnections: 4029,
  /** The room in the URL is not a well-formed session id or view token. */
  BadRoom: 4400,
  /** Forbidden: a disallowed Origin or Host, a write outside the schema, or any write to the server document. */
  Forbidden: 4403,
  /** No session with this id or view token. */
  UnknownSession: 4404,
  /** A member replaced this link (revoked it): ask the team for the new one. */
  LinkReplaced: 4410,
  /** An update that depends on changes the server does not have: refused, never parked (reload to recover). */
  UnresolvedUpdate: 4412,
  /** A frame larger than the configured maximum. */
  MessageTooBig: 4413,
  /** The document would grow past the per-session cap. */
  DocumentTooLarge: 4414,
  /** The server could not load or persist the room (transient). */
  ServerError: 4500,
} as const;

export type CloseCodeName = keyof typeof CloseCode;
export type CloseCodeValue = (typeof CloseCode)[CloseCodeName];

/** Codes after which reconnecting cannot help (the y-websocket client stops by itself). */
export const isPermanentClose = (code: number): boolean => code >= 4400 && code < 4500;
