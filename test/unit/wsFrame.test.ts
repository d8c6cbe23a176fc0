import type { EventEmitter } from 'node:events';
import * as ws from 'ws';
import { describe, expect, it } from 'vitest';
import { binaryFrame } from '../../server/yjs/wsFrame';

// ws exports its frame writer and reader, but @types/ws does not declare them.
const { Receiver, Sender } = ws as unknown as {
  Receiver: new (opts: { isServer: boolean; binaryType: string }) => EventEmitter & { write(b: Buffer, cb: () => void): void };
  Sender: { frame(data: Buffer, opts: Record<string, unknown>): Buffer[] };
};

// Every length class of RFC 6455 §5.2: 7-bit, 16-bit (126) and 64-bit (127) payload lengths.
const SIZES = [0, 1, 125, 126, 127, 65_535, 65_536, 70_000];

function payload(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
}

/** What a ws client reads out of `bytes`, as one message per frame. */
function receive(bytes: Uint8Array): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const got: Buffer[] = [];
    const r = new Receiver({ isServer: false, binaryType: 'nodebuffer' });
    r.on('message', (data: Buffer, isBinary: boolean) => {
      expect(isBinary).toBe(true);
      got.push(data);
    });
    r.on('error', reject);
    r.write(Buffer.from(bytes), () => resolve(got));
  });
}

describe('binaryFrame', () => {
  it.each(SIZES)('encodes a %i-byte message exactly as ws frames a server send', (n) => {
    const data = payload(n);
    const viaWs = Sender.frame(Buffer.from(data), { fin: true, opcode: 2, mask: false, readOnly: false, rsv1: false });
    expect(binaryFrame(data)).toEqual(Buffer.concat(viaWs));
  });

  it('is read back by a ws client, message for message, when frames arrive back to back', async () => {
    const frames = SIZES.map((n) => binaryFrame(payload(n)));
    const got = await receive(Buffer.concat(frames));
    expect(got.map((b) => b.byteLength)).toEqual(SIZES);
    for (const [i, n] of SIZES.entries()) expect(new Uint8Array(got[i] as Buffer)).toEqual(payload(n));
  });

  it('copies a view of a larger buffer, not the buffer around it', async () => {
    const backing = payload(300);
    const view = backing.subarray(100, 230);
    const [got] = await receive(binaryFrame(view));
    expect(new Uint8Array(got as Buffer)).toEqual(view);
  });
});
