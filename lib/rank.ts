/**
 * Fractional ranks: an item moves by taking a rank between its new neighbours, so concurrent
 * moves and inserts from several replicas merge instead of rewriting a shared list.
 */

/** The rank for slot `index` in `ranks` (sorted ascending, the moving item already left out). */
export function rankAt(ranks: readonly number[], index: number): number {
  const i = Math.max(0, Math.min(ranks.length, Math.trunc(index)));
  const before = ranks[i - 1];
  const after = ranks[i];
  if (before === undefined && after === undefined) return 1;
  if (before === undefined) return (after as number) - 1;
  if (after === undefined) return before + 1;
  return (before + after) / 2;
}

/** One past the largest rank (1 for an empty list). */
export function rankAfterAll(ranks: Iterable<number>): number {
  let max = 0;
  for (const r of ranks) if (r > max) max = r;
  return max + 1;
}
