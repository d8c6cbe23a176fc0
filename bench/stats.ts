/**
 * Latency summaries: percentiles by nearest rank over the raw samples.
 */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  if (samples.length === 0) return { count: 0, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN);
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: round(sorted[sorted.length - 1] ?? Number.NaN) };
}

/** Milliseconds to 0.1 ms: finer is noise on a shared machine. */
export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

export const MB = 1024 * 1024;

export function toMb(bytes: number): number {
  return Math.round((bytes / MB) * 10) / 10;
}

/** Resolves after `ms`; the benchmark paces load and lets the server settle, tests never use this. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every few ms until it is true or `timeoutMs` passed; returns whether it became true. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await check()) return true;
    await delay(everyMs);
  }
  return check();
}
