/**
 * Where delivery stands, from the log (lib/delivery/log.ts): the latest CI result, the latest
 * deploy per environment, and what is failing. Pure, so the panel, the tab title, the decision
 * stamp and the server's notifications all read the same answer.
 *
 * CI is judged by commit: the newest pipeline or check run names a commit, and every run of that
 * commit counts (a green lint run that finished after a red build must not hide the build). Runs
 * without a commit (some CDEvents senders) stand alone.
 */
import { assertNever } from '../timer';
import type { DeliveryStatus } from './event';
import type { DeliveryEntry } from './log';

export interface DeliveryState {
  /** The CI run to show (a failing one when any run of the newest commit fails), with the commit's overall status. */
  ci: { status: DeliveryStatus; entry: DeliveryEntry; runs: number } | null;
  /** The latest deploy per environment, in the order the environments first reported. */
  environments: DeliveryEntry[];
  lastPush: DeliveryEntry | null;
  /** Failing now: environments first, then CI. Empty when nothing fails. */
  failing: { label: string; entry: DeliveryEntry }[];
}

const TERMINAL_BAD: ReadonlySet<DeliveryStatus> = new Set(['failure']);
const IN_FLIGHT: ReadonlySet<DeliveryStatus> = new Set(['queued', 'running']);

/** Newer first by provider time, then by arrival: the entry that wins for its run. */
const newer = (a: DeliveryEntry, b: DeliveryEntry) => a.occurredAt > b.occurredAt || (a.occurredAt === b.occurredAt && a.receivedAt >= b.receivedAt);

/** The latest entry of every run, in order of each run's first appearance. */
export function latestPerRun(entries: readonly DeliveryEntry[]): DeliveryEntry[] {
  const runs = new Map<string, DeliveryEntry>();
  for (const e of entries) {
    const seen = runs.get(e.runKey);
    // A later arrival at the same provider time wins (the log is in arrival order).
    if (!seen || e.occurredAt >= seen.occurredAt) runs.set(e.runKey, e);
  }
  return [...runs.values()];
}

/** A commit's CI status from its runs: any failure fails it; anything still going keeps it going. */
function combined(runs: readonly DeliveryEntry[]): DeliveryStatus {
  if (runs.some((r) => TERMINAL_BAD.has(r.status))) return 'failure';
  if (runs.some((r) => IN_FLIGHT.has(r.status))) return runs.some((r) => r.status === 'running') ? 'running' : 'queued';
  if (runs.some((r) => r.status === 'success')) return 'success';
  return runs.some((r) => r.status === 'cancelled') ? 'cancelled' : 'skipped';
}

export function deliveryState(entries: readonly DeliveryEntry[]): DeliveryState {
  const runs = latestPerRun(entries);
  let newestCi: DeliveryEntry | null = null;
  let lastPush: DeliveryEntry | null = null;
  const environments = new Map<string, DeliveryEntry>();
  for (const r of runs) {
    switch (r.kind) {
      case 'pipeline':
      case 'check':
        if (!newestCi || newer(r, newestCi)) newestCi = r;
        break;
      case 'deploy': {
        const env = (r.environment ?? 'deploy').toLowerCase();
        const seen = environments.get(env);
        if (!seen || newer(r, seen)) environments.set(env, r);
        break;
      }
      case 'push':
        if (!lastPush || newer(r, lastPush)) lastPush = r;
        break;
      default:
        assertNever(r.kind);
    }
  }
  let ci: DeliveryState['ci'] = null;
  if (newestCi) {
    const sha = newestCi.sha;
    const same = sha ? runs.filter((r) => (r.kind === 'pipeline' || r.kind === 'check') && r.sha === sha) : [newestCi];
    const status = combined(same);
    const shown = status === 'failure' ? (same.find((r) => r.status === 'failure') ?? newestCi) : newestCi;
    ci = { status, entry: shown, runs: same.length };
  }
  const envs = [...environments.values()];
  const failing = [
    ...envs.filter((e) => e.status === 'failure').map((entry) => ({ label: entry.environment ?? 'deploy', entry })),
    ...(ci?.status === 'failure' ? [{ label: 'CI', entry: ci.entry }] : []),
  ];
  return { ci, environments: envs, lastPush, failing };
}

/** Words for a status in running text. */
export const STATUS_WORDS: Readonly<Record<DeliveryStatus, string>> = {
  queued: 'queued',
  running: 'running',
  success: 'passing',
  failure: 'failing',
  cancelled: 'cancelled',
  skipped: 'skipped',
};

/**
 * One line of what delivery shows now, stamped on a decision ("canary: failing (Deploy to canary) ·
 * production: passing · CI: passing"); null when nothing has reported.
 */
export function deliverySummary(state: DeliveryState): string | null {
  const parts = [
    ...state.environments.map((e) => `${e.environment ?? 'deploy'}: ${STATUS_WORDS[e.status]}${e.status === 'failure' ? ` (${e.title})` : ''}`),
    ...(state.ci ? [`CI: ${STATUS_WORDS[state.ci.status]}${state.ci.status === 'failure' ? ` (${state.ci.entry.title})` : ''}`] : []),
  ];
  return parts.length > 0 ? parts.join(' · ') : null;
}

/** The alarm for a tab title or a banner, e.g. "✗ canary failing"; null when nothing fails. */
export function deliveryAlarm(state: DeliveryState): string | null {
  if (state.failing.length === 0) return null;
  const names = state.failing.map((f) => f.label);
  const shown = names.length > 2 ? `${names.slice(0, 2).join(', ')} +${names.length - 2}` : names.join(', ');
  return `✗ ${shown} failing`;
}
