/**
 * Per-address token buckets for HTTP writes (429 past the budget). Bounded: idle addresses are
 * forgotten once the table passes MAX_TRACKED, so an attacker rotating addresses cannot grow it.
 */
import { TokenBucket } from '../tokenBucket';

const MAX_TRACKED = 10_000;

export class PerAddressLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number,
  ) {}

  take(address: string): boolean {
    let bucket = this.buckets.get(address);
    if (!bucket) {
      if (this.buckets.size >= MAX_TRACKED) this.buckets.clear();
      bucket = new TokenBucket(this.burst, this.perSecond, this.now);
      this.buckets.set(address, bucket);
    }
    return bucket.take();
  }
}
