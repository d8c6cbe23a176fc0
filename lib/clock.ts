/**
 * Server-clock estimation, NTP-style: each sample is (client send time, server time, client
 * receive time). Assuming the reply took half the round trip, the server clock read `serverNow`
 * at `receivedAt - rtt/2`. The sample with the shortest round trip has the smallest possible
 * error (at most rtt/2), so it wins.
 */
export interface ClockSample {
  /** Client clock when the ping was sent. */
  sentAt: number;
  /** Server clock when the ping was handled. */
  serverNow: number;
  /** Client clock when the reply arrived. */
  receivedAt: number;
}

export interface ClockEstimate {
  /** Add to the client clock to get the server clock. */
  offsetMs: number;
  /** Round trip of the winning sample; the offset is within ±rtt/2. */
  rttMs: number;
}

/** Samples worth keeping: finite numbers and a non-negative round trip. */
export function isUsableSample(s: ClockSample): boolean {
  return Number.isFinite(s.sentAt) && Number.isFinite(s.serverNow) && Number.isFinite(s.receivedAt) && s.receivedAt >= s.sentAt;
}

export function offsetOf(s: ClockSample): ClockEstimate {
  const rttMs = s.receivedAt - s.sentAt;
  return { offsetMs: s.serverNow + rttMs / 2 - s.receivedAt, rttMs };
}

/** The estimate from the sample with the best (shortest) round trip; null when none is usable. */
export function estimateOffset(samples: readonly ClockSample[]): ClockEstimate | null {
  let best: ClockEstimate | null = null;
  for (const s of samples) {
    if (!isUsableSample(s)) continue;
    const e = offsetOf(s);
    if (!best || e.rttMs < best.rttMs) best = e;
  }
  return best;
}

/** Keeps the newest `max` samples (clocks drift, so old samples lose value). */
export function keepRecent(samples: readonly ClockSample[], sample: ClockSample, max: number): ClockSample[] {
  return [...samples, sample].slice(-max);
}
