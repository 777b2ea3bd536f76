/**
 * A comparison as terminal tables: the scenarios, then one row per metric with the best value starred.
 */
import { formatRow, type Comparison } from './compare.ts';

/** Columns: the first left-aligned, the others right-aligned. */
function align(headers: readonly string[], rows: readonly string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Side-by-side terminal tables: the scenarios, then one row per metric with the best value starred. */
export function compareText(cmp: Comparison): string {
  const out: string[] = [];
  const s = cmp.scenarios;
  out.push(cmp.unranked ? `compared ${s.length} scenarios, NOT RANKED: they serve different traffic (note below)` : `compared ${s.length} scenarios (* = best value of the row)`);
  out.push('');
  const withFile = s.some((x) => x.file !== null);
  const heads = ['scenario', ...(withFile ? ['file'] : []), 'seed', 'GPUs', 'deployment'];
  const infoRows = s.map((x) => [x.label, ...(withFile ? [x.file ?? '–'] : []), String(x.seed), String(x.gpus), x.deployment.join('; ')]);
  const numericCol = (i: number) => heads[i] === 'seed' || heads[i] === 'GPUs';
  const iw = heads.map((h, i) => Math.max(h.length, ...infoRows.map((r) => r[i]!.length)));
  const infoLine = (c: string[]) => c.map((v, i) => (numericCol(i) ? v.padStart(iw[i]!) : v.padEnd(iw[i]!))).join('  ').trimEnd();
  out.push(infoLine(heads), iw.map((w) => '-'.repeat(w)).join('  '));
  for (const r of infoRows) out.push(infoLine(r));
  out.push('');
  out.push('');
  for (const x of s) out.push(`cost basis, ${x.label}: ${x.cost_basis}`);
  out.push('');
  const rows = cmp.rows.map((r) => [r.label, ...formatRow(r).map((v, i) => v + (r.best.includes(i) ? ' *' : '  '))]);
  out.push(align(['metric', ...s.map((x) => x.label + '  ')], rows));
  for (const n of cmp.notes) out.push(`note: ${n}`);
  return out.join('\n');
}
