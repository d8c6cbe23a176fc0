/**
 * Which records of a session this instance has applied, by sequence number: every one up to
 * `floor`, and some past it (a record can arrive before an earlier one). A gap is a record the
 * store has that never came over the bus; the cluster reads gaps back from the store.
 */
export class SeqTracker {
  private ahead = new Set<number>();
  private max: number;

  constructor(private floorSeq: number) {
    this.max = floorSeq;
  }

  /** Every record up to here is applied. */
  get floor(): number {
    return this.floorSeq;
  }

  /** The highest record known to exist (applied, or announced by a peer). */
  get highest(): number {
    return this.max;
  }

  /** Records known to exist but not applied. */
  get missing(): number {
    return this.max - this.floorSeq - this.ahead.size;
  }

  /** Marks `seq` applied; false when it already was (a duplicate to skip). */
  mark(seq: number): boolean {
    if (seq <= this.floorSeq || this.ahead.has(seq)) return false;
    this.ahead.add(seq);
    if (seq > this.max) this.max = seq;
    while (this.ahead.delete(this.floorSeq + 1)) this.floorSeq++;
    return true;
  }

  /** A record up to `seq` exists (the store said so): what is below it and unapplied is a gap. */
  saw(seq: number): void {
    if (seq > this.max) this.max = seq;
  }

  /** Records up to `seq` were applied in bulk (a snapshot from the store covers them). */
  coverUpTo(seq: number): void {
    if (seq <= this.floorSeq) return;
    this.floorSeq = seq;
    for (const s of this.ahead) if (s <= seq) this.ahead.delete(s);
    while (this.ahead.delete(this.floorSeq + 1)) this.floorSeq++;
    if (seq > this.max) this.max = seq;
  }
}
