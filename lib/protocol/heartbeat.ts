/**
 * Mobflow's second addition to the y-websocket protocol, like the saved acknowledgement only for
 * clients that ask (`?hb=1`): the client sends `[HEARTBEAT_MESSAGE]` every HEARTBEAT.intervalMs and
 * the server answers each with the same one byte. A client that hears nothing back for
 * HEARTBEAT.clientTimeoutMs knows it is offline; the server drops a connection it has not heard from
 * for HEARTBEAT.serverTimeoutMs, so the others see that member go offline within seconds, where the
 * standard protocol takes its 30 s message timeout. Standard clients never see it.
 */
export const HEARTBEAT_MESSAGE = 101;
export const HEARTBEAT_PARAM = 'hb';
export const HEARTBEAT = { intervalMs: 1_000, clientTimeoutMs: 2_500, serverTimeoutMs: 4_000 } as const;

export const HEARTBEAT_FRAME: Uint8Array = new Uint8Array([HEARTBEAT_MESSAGE]);

export const isHeartbeat = (frame: Uint8Array): boolean => frame.length === 1 && frame[0] === HEARTBEAT_MESSAGE;
