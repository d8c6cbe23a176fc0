/**
 * A raw y-websocket peer for protocol tests: send hand-made frames, collect what comes back.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import { waitFor } from './yclient';

export interface RawPeer {
  ws: WebSocket;
  frames: Uint8Array[];
  closed: { code: number; reason: string } | null;
  send(frame: Uint8Array): void;
  /** Messages of a y-websocket type received so far (0 sync, 1 awareness, 2 auth, 100 saved). */
  ofType(type: number): Uint8Array[];
  close(): void;
}

export async function rawPeer(url: string, headers: Record<string, string> = {}): Promise<RawPeer> {
  const ws = new WebSocket(url, { headers });
  const peer: RawPeer = {
    ws,
    frames: [],
    closed: null,
    send: (f) => ws.send(f),
    ofType: (type) => peer.frames.filter((f) => decoding.readVarUint(decoding.createDecoder(f)) === type),
    close: () => ws.close(),
  };
  ws.on('message', (d: Buffer) => peer.frames.push(new Uint8Array(d)));
  ws.on('close', (code, reason) => {
    peer.closed = { code, reason: reason.toString() };
  });
  ws.on('error', () => undefined);
  await waitFor(() => ws.readyState === ws.OPEN || peer.closed !== null, 'raw socket open');
  return peer;
}

export function syncFrame(sub: 0 | 1 | 2, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, sub);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
}

export function awarenessFrame(entries: { clientId: number; clock: number; state: unknown }[]): Uint8Array {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, entries.length);
  for (const { clientId, clock, state } of entries) {
    encoding.writeVarUint(inner, clientId);
    encoding.writeVarUint(inner, clock);
    encoding.writeVarString(inner, JSON.stringify(state));
  }
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint8Array(e, encoding.toUint8Array(inner));
  return encoding.toUint8Array(e);
}

/** The reason text of a y-protocols "permission denied" auth message. */
export function deniedReason(frame: Uint8Array): string {
  const d = decoding.createDecoder(frame);
  decoding.readVarUint(d); // message type 2
  decoding.readVarUint(d); // permission denied
  return decoding.readVarString(d);
}
