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
  if (s < 1e-3) return `${(s * 1e6).toFixed(0)} us`;
  if (s < 1) return `${(s * 1e3).toFixed(1)} ms`;
  if (s < 120) return `${s.toFixed(2)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(2)} h`;
}

export function pct(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '-' : `${(x * 100).toFixed(1)}%`;
}
