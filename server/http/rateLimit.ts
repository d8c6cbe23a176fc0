/**
 * Per-address token buckets for HTTP writes (429 past the budget). Bounded: past MAX_TRACKED
 * addresses one is forgotten — among the least recently used, a full bucket (forgetting it changes
 * nothing: a new one starts full), else the one with the most tokens left, so the last to go is an
 * address being limited. A Map keeps insertion order and a hit moves the address to the end. An
 * attacker rotating addresses can neither grow the table nor reset the budget of a limited address.
 */
import { TokenBucket } from '../tokenBucket';

export const MAX_TRACKED = 10_000;
/** How many of the least recently used buckets are looked at for a full one before the oldest goes. */
const EVICTION_SCAN = 64;

export class PerAddressLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  get tracked(): number {
    return this.buckets.size;
  }

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number,
  ) {}

  take(address: string): boolean {
    let bucket = this.buckets.get(address);
    if (bucket) this.buckets.delete(address);
    else {
      if (this.buckets.size >= MAX_TRACKED) this.evictOne();
      bucket = new TokenBucket(this.burst, this.perSecond, this.now);
    }
    this.buckets.set(address, bucket);
    return bucket.take();
  }

  private evictOne(): void {
    let scanned = 0;
    let victim: string | undefined;
    let most = Number.NEGATIVE_INFINITY;
    for (const [address, bucket] of this.buckets) {
      if (bucket.isFull) {
        victim = address;
        break;
      }
      if (bucket.available > most) {
        most = bucket.available;
        victim = address;
      }
      if (++scanned >= EVICTION_SCAN) break;
    }
    if (victim !== undefined) this.buckets.delete(victim);
  }
}
