/**
 * How the README's generated prose writes the figures its blocks compute, one spelling each: a duration in minutes
 * to a tenth ("18.0 min"), a cost per video to a tenth of a cent ("$0.870").
 */

/** Seconds as minutes to a tenth: "18.0 min". */
export const minutes = (s: number) => `${(s / 60).toFixed(1)} min`;

/** Dollars to a tenth of a cent: "$0.870". */
export const usdPerVideo = (x: number) => `$${x.toFixed(3)}`;

/** Percent of a relative error, rounded to a whole percent: 0.259 → 26. */
const wholePct = (e: number) => Math.round(Math.abs(e) * 100);

/**
 * Errors (model / measured − 1) as the prose says them: one direction word for a set of one sign ("26% slow",
 * "11–13% fast"; negative = the model comes out faster than measured), a signed span for a mixed set
 * ("−5%…+2%").
 */
export function errorRange(errors: readonly number[]): string {
  if (errors.length === 0) throw new Error('errorRange: no errors');
  const lo = Math.min(...errors);
  const hi = Math.max(...errors);
  if (lo < 0 && hi > 0) return `−${wholePct(lo)}%…+${wholePct(hi)}%`;
  const a = Math.min(wholePct(lo), wholePct(hi));
  const b = Math.max(wholePct(lo), wholePct(hi));
  return `${a === b ? `${a}` : `${a}–${b}`}% ${hi > 0 ? 'slow' : 'fast'}`;
}

/** "within 6.6%": the largest |error|, rounded up to a tenth of a percent. */
export function within(errors: readonly number[]): string {
  if (errors.length === 0) throw new Error('within: no errors');
  const m = Math.max(...errors.map(Math.abs));
  return `within ${(Math.ceil(m * 1000 - 1e-9) / 10).toFixed(1)}%`;
}

const WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

/** A count in prose: "seven" up to twelve, digits beyond. */
export const countWord = (n: number) => WORDS[n] ?? String(n);
