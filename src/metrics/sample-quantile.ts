/** Sample quantiles of a list of numbers, for the summaries that are not simulated runs (replays, held-out errors). */

/** Sample quantile q of ascending `sorted` (type 7: linear between order statistics, as R's default and numpy's). */
export function quantile(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
