/**
 * A server's WebSocket frame for one binary message (RFC 6455 §5.2: final, unmasked, no
 * extension bits), built once so a broadcast can write the same bytes to every subscriber.
 */
export function binaryFrame(data: Uint8Array): Buffer {
  const n = data.byteLength;
  const head = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + n);
  frame[0] = 0x82; // FIN + opcode 2 (binary)
  if (head === 2) frame[1] = n;
  else if (head === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    frame.writeUInt32BE(n >>> 0, 6);
  }
  frame.set(data, head);
  return frame;
}
