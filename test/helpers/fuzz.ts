/**
 * Seeded generators of hostile input: y-websocket frames (valid, mutated, random), socket.io
 * packets and HTTP bodies. Seeded so a failure can be replayed.
 */
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { joinMember } from '../../lib/members';
import { addTask } from '../../lib/task';
import { craftUpdate } from './craft';

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Fuzzer {
  private readonly updates: Uint8Array[] = [];

  constructor(readonly random: () => number) {
    // A pool of real updates to mutate: arbitrary roots (refused) and session edits (accepted).
    for (let i = 0; i < 16; i++) {
      const d = new Y.Doc();
      d.getText('t').insert(0, 'hello fuzz '.repeat(1 + i));
      d.getMap('m').set(`k${i}`, { n: i, s: 'x'.repeat(i) });
      d.getArray('a').push([i, `v${i}`]);
      if (i % 2) d.getText('t').delete(0, 3);
      this.updates.push(Y.encodeStateAsUpdate(d));
      const docs = { shared: new Y.Doc(), server: new Y.Doc() };
      joinMember(docs, `Fuzzy ${i}`, i);
      const task = addTask(docs, { title: `fuzz ${i}`, why: 'because '.repeat(i), criteria: [`c${i}`] }, i);
      if (i % 3 === 0) docs.shared.getMap('tasks').delete(task);
      this.updates.push(Y.encodeStateAsUpdate(docs.shared));
    }
  }

  /**
   * An attack on dependencies or on the sync reply: an update waiting for what never arrives (an
   * unknown neighbour, a later clock, a deletion past the state), or a sync request naming clients
   * the session does not have (a fresh full-state reply each time, before replies were shared).
   */
  attackFrame(): Uint8Array {
    const e = encoding.createEncoder();
    const client = this.int(2 ** 31);
    switch (this.int(5)) {
      case 0:
        return syncFrame(2, craftUpdate([[client, [{ clock: 0, origin: [this.int(2 ** 31), this.int(1000)], content: { kind: 'string', str: 'parked' } }]]]));
      case 1:
        return syncFrame(2, craftUpdate([[client, [{ clock: 5 + this.int(100), parent: 'members', sub: 'AAAAAAAAAAAA', content: { kind: 'type', ref: 1 } }]]]));
      case 2:
        return syncFrame(2, craftUpdate([], [[this.int(2 ** 31), this.int(100), 1 + this.int(1000)]]));
      case 3:
        return syncFrame(2, craftUpdate([[client, [{ clock: 0, origin: [client, 7], content: { kind: 'any', values: [1] } }]]]));
      default: {
        const sv = encoding.createEncoder();
        encoding.writeVarUint(sv, 1);
        encoding.writeVarUint(sv, this.int(2 ** 31));
        encoding.writeVarUint(sv, 1 + this.int(1000));
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint8Array(e, encoding.toUint8Array(sv));
        return encoding.toUint8Array(e);
      }
    }
  }

  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }

  mutate(src: Uint8Array): Uint8Array {
    const b = Uint8Array.from(src);
    switch (this.int(5)) {
      case 0: // flip a few bytes
        for (let i = 0, n = 1 + this.int(4); i < n && b.length > 0; i++) b[this.int(b.length)] = this.int(256);
        return b;
      case 1: // truncate
        return b.slice(0, this.int(b.length + 1));
      case 2: // append garbage
        return Uint8Array.from([...b, ...this.bytes(1 + this.int(32))]);
      case 3: // a huge varuint where a length belongs
        return Uint8Array.from([...b.slice(0, 2), 0xff, 0xff, 0xff, 0xff, 0x0f, ...b.slice(2)]);
      default: // splice two updates
        return Uint8Array.from([...b.slice(0, this.int(b.length)), ...(this.updates[this.int(this.updates.length)] ?? [])]);
    }
  }

  private update(): Uint8Array {
    return this.updates[this.int(this.updates.length)] as Uint8Array;
  }

  /** One y-websocket frame: mostly protocol-shaped, some valid, some pure noise. */
  yjsFrame(): Uint8Array {
    const e = encoding.createEncoder();
    switch (this.int(8)) {
      case 0:
        return this.bytes(this.int(256));
      case 1:
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint8Array(e, this.int(2) ? Y.encodeStateVector(new Y.Doc()) : this.bytes(this.int(40)));
        return encoding.toUint8Array(e);
      case 2:
      case 3:
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint(e, 1 + this.int(2));
        encoding.writeVarUint8Array(e, this.int(3) ? this.mutate(this.update()) : this.update());
        return encoding.toUint8Array(e);
      case 4: {
        const inner = encoding.createEncoder();
        const n = this.int(4);
        encoding.writeVarUint(inner, n);
        for (let i = 0; i < n; i++) {
          encoding.writeVarUint(inner, this.int(2 ** 31));
          encoding.writeVarUint(inner, this.int(1000));
          encoding.writeVarString(inner, this.int(3) ? JSON.stringify({ user: { name: `n${this.int(99)}`, memberId: null, watching: false } }) : '{"broken');
        }
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint8Array(e, this.int(4) ? encoding.toUint8Array(inner) : this.mutate(encoding.toUint8Array(inner)));
        return encoding.toUint8Array(e);
      }
      case 5:
        encoding.writeVarUint(e, this.int(2 ** 20));
        encoding.writeUint8Array(e, this.bytes(this.int(64)));
        return encoding.toUint8Array(e);
      case 6:
        return new Uint8Array([3]);
      default:
        return this.mutate(Uint8Array.from([0, 2, ...this.update()]));
    }
  }

  /** One socket.io / engine.io text packet. */
  socketIoPacket(room: string): string {
    const junk = () => Array.from({ length: this.int(40) }, () => String.fromCharCode(this.int(128))).join('');
    switch (this.int(7)) {
      case 0:
        return `40${JSON.stringify({ room })}`;
      case 1:
        return `42${JSON.stringify(['clock:ping'])}`;
      case 2:
        return `42${this.int(999)}${JSON.stringify([['timer', 'decision:log', 'task', 'x'][this.int(4)], { action: junk(), title: junk() }])}`;
      case 3:
        return `4${this.int(10)}${junk()}`;
      case 4:
        return `${this.int(10)}${junk()}`;
      case 5:
        return `42[${'['.repeat(this.int(200))}`;
      default:
        return junk();
    }
  }

  /** One HTTP request body for a POST endpoint. */
  httpBody(): string {
    switch (this.int(6)) {
      case 0:
        return JSON.stringify({ name: 'x'.repeat(this.int(100)), turnSeconds: [1, -1, 0.5, 1e12, 'ten', null][this.int(6)] });
      case 1:
        return JSON.stringify({ title: this.int(2) ? '' : '<script>alert(1)</script>', rationale: '# heading', alternatives: [1, 2] });
      case 2:
        return JSON.stringify({ action: ['start', 'pause', 'nope', '', 42][this.int(5)] });
      case 3:
        return '{"a":'.repeat(this.int(50));
      case 4:
        return Buffer.from(this.bytes(this.int(200))).toString('latin1');
      default:
        return JSON.stringify([this.int(5), { __proto__: { polluted: true } }, 'constructor']);
    }
  }
}

function syncFrame(sub: number, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, sub);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
}
