/**
 * The update log on its own (server/store/updateLog.ts): the entries it keeps in memory until a
 * snapshot covers them must come back byte for byte and in order, through partial covers, many
 * sessions interleaved and segment seals; what it hands out must not change under later appends;
 * and its segment files must still match what it holds.
 */
import { readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { SessionId } from '../../lib/ids';
import { decodeFrames, segmentPath } from '../../server/store/logFormat';
import { UpdateLog } from '../../server/store/updateLog';
import { tempDir } from '../helpers/server';

const A = 'session-a' as SessionId;
const B = 'session-b' as SessionId;

let dir: string;
beforeEach(() => {
  dir = tempDir('mobflow-log-'); // removed after the file (test/helpers/setup.ts)
});

/** A distinct update for (session, seq): its length and bytes both depend on them. */
function update(id: SessionId, seq: number): Uint8Array {
  const n = 1 + ((seq * 7 + id.length) % 300);
  return Uint8Array.from({ length: n }, (_, i) => (seq * 31 + i + id.charCodeAt(id.length - 1)) & 0xff);
}

/** One record of one update to the shared document. */
const rec = (id: SessionId, seq: number) => [{ doc: 'shared' as const, update: update(id, seq) }];

/** The size of a one-part frame of `updateBytes` for session `id` (logFormat.ts: header, doc and id, seq, update). */
const frameBytes = (id: SessionId, updateBytes: number) => 8 + 2 + id.length + 6 + updateBytes;

function expectEntries(log: UpdateLog, id: SessionId, seqs: number[]): void {
  const got = log.entries(id);
  expect(got.map((e) => e.seq)).toEqual(seqs);
  for (const e of got) expect(Buffer.from(e.update).equals(Buffer.from(update(id, e.seq)))).toBe(true);
}

describe('UpdateLog', () => {
  it('writes a record of several documents in one write, under one sequence number', () => {
    const log = new UpdateLog(dir, 1);
    log.append(A, 1, [
      { doc: 'server', update: Uint8Array.of(1, 2, 3) },
      { doc: 'shared', update: Uint8Array.of(4, 5) },
    ]);
    expect(log.entries(A).map((e) => [e.seq, e.doc, [...e.update]])).toEqual([
      [1, 'server', [1, 2, 3]],
      [1, 'shared', [4, 5]],
    ]);
    const { frames, bad } = decodeFrames(readFileSync(segmentPath(dir, 1)));
    expect(bad).toEqual([]);
    expect(frames.map((f) => [f.seq, f.doc])).toEqual([
      [1, 'server'],
      [1, 'shared'],
    ]);
    log.close();
  });

  it('keeps a record of several documents under one checksum: a flipped byte loses it whole, never half', () => {
    const log = new UpdateLog(dir, 1);
    log.append(A, 1, rec(A, 1));
    log.append(A, 2, [
      { doc: 'server', update: update(A, 2) },
      { doc: 'shared', update: update(B, 2) },
    ]);
    log.append(A, 3, rec(A, 3));
    log.close();
    const bytes = readFileSync(segmentPath(dir, 1));
    const { frames } = decodeFrames(bytes);
    expect(frames.map((f) => [f.seq, f.doc])).toEqual([
      [1, 'shared'],
      [2, 'server'],
      [2, 'shared'],
      [3, 'shared'],
    ]);
    // A byte in the record's second part (the shared document's update, the last bytes before record 3).
    const third = bytes.length - (frameBytes(A, rec(A, 3)[0]?.update.byteLength ?? 0));
    const flipped = Buffer.from(bytes);
    flipped[third - 3] = (flipped[third - 3] as number) ^ 0x10;
    const after = decodeFrames(flipped);
    expect(after.frames.map((f) => [f.seq, f.doc])).toEqual([
      [1, 'shared'],
      [3, 'shared'],
    ]);
    expect(after.bad).toHaveLength(1);
  });

  it('cuts a failed write off the file so the next append goes on cleanly (a disk that was full)', () => {
    let fail = false;
    const log = new UpdateLog(dir, 1, 1 << 20, (fd, buf, off) => {
      if (fail) {
        // Half the record reaches the file, then the disk is full.
        writeSync(fd, buf, off, Math.max(1, Math.floor((buf.length - off) / 2)));
        throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
      }
      return writeSync(fd, buf, off);
    });
    log.append(A, 1, rec(A, 1));
    fail = true;
    expect(() => log.append(A, 2, rec(A, 2))).toThrow(/ENOSPC/);
    fail = false;
    log.append(A, 2, rec(A, 2));
    expectEntries(log, A, [1, 2]);
    const { frames, bad } = decodeFrames(readFileSync(segmentPath(dir, 1)));
    expect(bad).toEqual([]);
    expect(frames.map((f) => f.seq)).toEqual([1, 2]);
    log.close();
  });

  it('gives back every entry byte for byte, per session, in order, across many appends', () => {
    const log = new UpdateLog(dir, 1);
    const seqs: number[] = [];
    for (let seq = 1; seq <= 400; seq++) {
      log.append(A, seq, rec(A, seq));
      if (seq % 3 === 0) log.append(B, seq / 3, rec(B, seq / 3));
      seqs.push(seq);
    }
    expectEntries(log, A, seqs);
    expectEntries(log, B, Array.from({ length: 133 }, (_, i) => i + 1));
    expect(log.lastSeq(A)).toBe(400);
    expect(log.lastSeq(B)).toBe(133);
    expect(log.lastSeq('nobody' as SessionId)).toBeUndefined();
    log.close();
  });

  it('keeps the entries a cover leaves, intact, and goes on appending after them', () => {
    const log = new UpdateLog(dir, 1);
    for (let seq = 1; seq <= 50; seq++) log.append(A, seq, rec(A, seq));
    log.covered(A, 37);
    expectEntries(log, A, [38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50]);
    for (let seq = 51; seq <= 120; seq++) log.append(A, seq, rec(A, seq));
    log.covered(A, 40);
    expectEntries(log, A, Array.from({ length: 80 }, (_, i) => i + 41));
    log.covered(A, 119);
    expectEntries(log, A, [120]);
    expect(log.hasEntries(A)).toBe(true);
    log.covered(A, 120);
    expect(log.hasEntries(A)).toBe(false);
    expect(log.entries(A)).toEqual([]);
    expect(log.lastSeq(A)).toBeUndefined();
    log.append(A, 121, rec(A, 121));
    expectEntries(log, A, [121]);
    log.close();
  });

  it('hands out entries that later appends and covers do not change', () => {
    const log = new UpdateLog(dir, 1);
    for (let seq = 1; seq <= 5; seq++) log.append(A, seq, rec(A, seq));
    const before = log.entries(A);
    const copies = before.map((e) => Uint8Array.from(e.update));
    log.covered(A, 3);
    for (let seq = 6; seq <= 300; seq++) log.append(A, seq, rec(A, seq));
    expect(before.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(before.map((e) => Buffer.from(e.update).toString('hex'))).toEqual(copies.map((c) => Buffer.from(c).toString('hex')));
    log.close();
  });

  it('does not keep a reference to the caller’s buffer', () => {
    const log = new UpdateLog(dir, 1);
    const u = update(A, 1);
    log.append(A, 1, [{ doc: 'shared', update: u }]);
    u.fill(0);
    expectEntries(log, A, [1]);
    log.close();
  });

  it('writes the same frames it keeps, and deletes a sealed segment once every entry in it is covered', () => {
    const log = new UpdateLog(dir, 1, 4096);
    for (let seq = 1; seq <= 60; seq++) {
      log.append(A, seq, rec(A, seq));
      log.append(B, seq, rec(B, seq));
    }
    expect(log.currentSegment).toBeGreaterThan(2);
    const frames = readdirSync(dir)
      .sort()
      .flatMap((name) => decodeFrames(readFileSync(join(dir, name))).frames);
    expect(frames.filter((f) => f.sessionId === A).map((f) => f.seq)).toEqual(log.entries(A).map((e) => e.seq));
    for (const f of frames) expect(Buffer.from(f.update).equals(Buffer.from(update(f.sessionId as SessionId, f.seq)))).toBe(true);

    // Segment 1 holds the first entries of both sessions: it goes once both are covered past it.
    const lastInFirst = Math.max(...log.entries(A).filter((e) => e.segment === 1).map((e) => e.seq));
    log.covered(A, 60);
    expect(readdirSync(dir)).toContain('00000001.log');
    log.covered(B, lastInFirst);
    expect(readdirSync(dir)).not.toContain('00000001.log');
    expect(log.sessions()).toEqual([B]);
    const current = segmentPath(dir, log.currentSegment);
    log.close();
    // B still has entries: the current segment stays for the next open to replay.
    expect(readdirSync(dir).map((name) => join(dir, name))).toContain(current);
  });
});
