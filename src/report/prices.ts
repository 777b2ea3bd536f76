/**
 * Node prices as every output shows them: each node type's price per node, its basis (a whole-server quote, or
 * GPUs + host platform) and each component with its date, the sources numbered once as footnotes (text) or
 * listed in a table (HTML). Used by `vgsim run`, `size` and `tco`.
 */
import type { PriceComponent, SystemPrice } from '../economics/index.ts';

const usd = (x: number) => `$${Math.round(x).toLocaleString('en-US')}`;

/** "whole server" or "GPUs + host" (the basis of a node price), for a table column. */
export function priceBasisLabel(p: SystemPrice | null | undefined): string {
  if (!p) return '-';
  return p.basis === 'whole-server' ? 'whole server' : 'GPUs + host';
}

/** "$310k whole server" for a narrow table cell; ">= $239k" where the price is only a lower bound (SystemPrice.lower_bound). */
export function nodePriceCell(p: SystemPrice | null | undefined): string {
  if (!p) return '-';
  return `${p.lower_bound.length ? '>= ' : ''}$${Math.round(p.usd / 1000).toLocaleString('en-US')}k ${priceBasisLabel(p)}`;
}

/**
 * When a node price was quoted: the dates of its server, or GPUs and host, quotes ("2023-05", "2026 + 2023-05"),
 * the fabric share left out (one figure for every node). Prices from different years sit side by side in a
 * comparison; this says which.
 */
export function priceAsOf(p: SystemPrice | null | undefined): string {
  if (!p) return '-';
  return [...new Set(p.components.filter((c) => c.part !== 'fabric').map((c) => c.date))].join(' + ');
}

const partLabel: Record<PriceComponent['part'], string> = { server: 'whole server', gpus: 'GPUs', host: 'host', fabric: 'fabric' };

function componentText(c: PriceComponent, ref: number): string {
  const amount = c.quantity === 1 ? usd(c.usd) : `${c.quantity} x ${usd(c.unit_usd)}`;
  return `${partLabel[c.part]} ${amount} [${ref}] (${c.date})`;
}

/** Unique node prices, in order of first appearance. */
export function uniquePrices(prices: readonly (SystemPrice | null | undefined)[]): SystemPrice[] {
  const seen = new Map<string, SystemPrice>();
  for (const p of prices) if (p && !seen.has(p.node)) seen.set(p.node, p);
  return [...seen.values()];
}

/**
 * Text lines: one per node type ("hgx-h100-sxm-8 $310,000 per node (whole server): whole server $270,000 [1]
 * (2023-05) + fabric 8 x $5,000 [2] (2024-08)"), then the numbered sources with what each figure is and covers.
 */
export function priceLines(prices: readonly SystemPrice[], indent = '  '): string[] {
  const refs = new Map<string, number>();
  const notes: string[] = [];
  const refOf = (c: PriceComponent) => {
    const label = c.part === 'fabric' ? 'scale-out fabric share per NIC port' : c.item;
    const key = `${label}|${c.source}|${c.includes ?? ''}`;
    let n = refs.get(key);
    if (n === undefined) {
      n = refs.size + 1;
      refs.set(key, n);
      notes.push(`${indent}[${n}] ${label}${c.includes ? ` (covers: ${c.includes})` : ''}: ${c.source}`);
    }
    return n;
  };
  const lines = prices.map((p) => `${indent}${p.node} ${p.lower_bound.length ? 'at least ' : ''}${usd(p.usd)} per node (${priceBasisLabel(p)}): ${p.components.map((c) => componentText(c, refOf(c))).join(' + ')}${p.lower_bound.length ? ` (lower bound: ${p.lower_bound.join('; ')})` : ''}`);
  return [...lines, ...notes];
}

export const PRICES_CAPTION = 'One node of each type as a whole system: a whole-server quote, or its GPUs plus the server without its GPUs; plus the scale-out fabric share per NIC port. Never GPUs alone.';

/** The node prices as a table (HTML pages): one row per component, with its date, what it covers and its source. */
export function pricesTable(prices: readonly SystemPrice[]): { headers: string[]; rows: string[][]; numeric: boolean[]; wrap: number[] } {
  const rows = prices.flatMap((p) =>
    p.components.map((c, i) => [i === 0 ? p.node : '', i === 0 ? `${p.lower_bound.length ? '≥ ' : ''}${usd(p.usd)} (${priceBasisLabel(p)})` : '', partLabel[c.part], c.quantity === 1 ? usd(c.usd) : `${c.quantity} × ${usd(c.unit_usd)}`, c.date, c.item + (c.includes ? ` — covers: ${c.includes}` : '') + (c.lower_bound ? ` — a lower bound: ${c.lower_bound}` : ''), c.source]),
  );
  return { headers: ['node type', 'per node', 'part', 'amount', 'date', 'what', 'source'], rows, numeric: [false, true, false, true, false, false, false], wrap: [5, 6] };
}
