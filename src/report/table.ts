/** Plain-text tables for the terminal: aligned columns, numbers right-aligned. */

export type Cell = string | number | null | undefined;

export function table(headers: string[], rows: Cell[][], opts: { title?: string } = {}): string {
  const text = rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : typeof c === 'number' ? fmtNumber(c) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.every((r) => r[i] === null || r[i] === undefined || typeof r[i] === 'number'));
  const line = (cells: string[]) => cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out: string[] = [];
  if (opts.title) out.push(opts.title);
  out.push(line(headers), widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of text) out.push(line(r));
  return out.join('\n');
}

export function fmtNumber(x: number): string {
  if (Number.isNaN(x)) return 'n/a';
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1e6) return x.toExponential(2);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 0.01) return x.toFixed(2);
  return x.toPrecision(2);
}

/** A duration for tables; "n/a" for NaN (e.g. the latency of a run where nothing completed). */
export function fmtSeconds(s: number): string {
  if (Number.isNaN(s)) return 'n/a';
  if (!Number.isFinite(s)) return String(s);
  if (s === 0) return '0 s';
  if (s < 1e-3) return `${(s * 1e6).toFixed(0)} us`;
  if (s < 1) return `${(s * 1e3).toFixed(1)} ms`;
  if (s < 120) return `${s.toFixed(2)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(2)} h`;
}

/** fmtSeconds' units, smallest first: the largest `from` at or below a duration is its unit. */
const SECOND_UNITS = [
  { from: 0, div: 1e-6, name: 'us', digits: 0 },
  { from: 1e-3, div: 1e-3, name: 'ms', digits: 1 },
  { from: 1, div: 1, name: 's', digits: 2 },
  { from: 120, div: 60, name: 'min', digits: 1 },
  { from: 7200, div: 3600, name: 'h', digits: 2 },
] as const;
/** Relative difference under which two durations of a column need not print apart: 0.1%, finer than any model input is known. */
const SAME_SECONDS = 1e-3;
/** Digits beyond a unit's own that a column may add to tell its values apart. */
const EXTRA_DIGITS = 3;

/**
 * Durations that stand in one table column (or one compare row), all in one unit: the unit fmtSeconds gives the
 * column's largest value, so "116.09 s" does not sit beside "3.4 min". Where two different values would print the
 * same, or a non-zero one as zero, the column takes more digits (up to three more). NaN is "n/a", a missing value
 * `missing`.
 */
export function fmtSecondsColumn(values: readonly (number | null | undefined)[], missing = '–'): string[] {
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (finite.length === 0) return values.map((v) => (typeof v === 'number' ? fmtSeconds(v) : missing));
  const top = Math.max(...finite.map(Math.abs));
  const unit = [...SECOND_UNITS].reverse().find((u) => top >= u.from)!;
  const print = (v: number, d: number) => (v / unit.div).toFixed(d);
  // values within 0.1% of each other are the model's ties (its inputs are not known that well) and may print alike
  const distinct = [...finite].sort((a, b) => a - b).filter((v, i, a) => i === 0 || v - a[i - 1]! > SAME_SECONDS * Math.abs(v));
  let d: number = unit.digits;
  const clear = (digits: number) => {
    const printed = distinct.map((v) => print(v, digits));
    return new Set(printed).size === distinct.length && distinct.every((v, i) => v === 0 || Number(printed[i]) !== 0);
  };
  while (d < unit.digits + EXTRA_DIGITS && !clear(d)) d++;
  return values.map((v) => (typeof v !== 'number' ? missing : Number.isFinite(v) ? `${print(v, d)} ${unit.name}` : fmtSeconds(v)));
}

export function pct(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '-' : `${(x * 100).toFixed(1)}%`;
}
