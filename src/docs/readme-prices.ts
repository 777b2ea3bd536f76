/**
 * The README's price blocks, generated from the catalog and the cost model (src/docs/readme-blocks.ts):
 *  - `prices`: every node type's price per node, its basis and each part with its date and source, or the
 *    fields to give where the catalog has no price;
 *  - `tco-iso`: what a $10M budget and 1 MW of facility power buy (`vgsim tco`), each fleet priced the same way.
 */
import { listNodes } from '../hardware/index.ts';
import { MissingPriceError, type PriceComponent, type SystemPrice } from '../economics/index.ts';
import { nodePriceOf } from '../economics/cost-inputs.ts';
import { CostSchema } from '../scenario/schema.ts';
import { isoCompare } from '../studies/fleet.ts';
import { getModel } from '../workload/request.ts';
import { fmtSeconds } from '../report/table.ts';
import { priceAsOf } from '../report/prices.ts';

const usd = (x: number) => `$${Math.round(x).toLocaleString('en-US')}`;
const basisText = (p: SystemPrice) => (p.basis === 'whole-server' ? 'whole server' : 'GPUs + host');

/** The first link of a source string (a URL, or a "github owner/repo" reference). */
function link(source: string): string {
  const url = /https?:\/\/[^\s)"]+/.exec(source)?.[0];
  if (url) return `<${url.replace(/[.,;]+$/, '')}>`;
  const gh = /github ([\w.-]+\/[\w.-]+)/.exec(source)?.[1];
  return gh ? `<https://github.com/${gh}>` : source;
}

const part = (c: PriceComponent) => `${c.part === 'server' ? 'server' : c.part} ${c.quantity === 1 ? usd(c.usd) : `${c.quantity} × ${usd(c.unit_usd)}`} (${c.date})`;

/** Every catalog node type's price, part by part, or what to give where the catalog has none. */
export function pricesBlock(): string {
  const cost = CostSchema.parse({});
  const out = ['| node type | per node | basis | parts (date of the quote) | what the quotes are, with a source |', '|---|---:|---|---|---|'];
  for (const n of listNodes()) {
    try {
      const p = nodePriceOf(cost, n);
      const sources = p.components.filter((c) => c.part !== 'fabric').map((c) => `${c.item.replace(/\|/g, '/')}: ${link(c.source)}`);
      const bound = p.lower_bound.length ? ` **A lower bound:** ${p.lower_bound.join('; ')}.` : '';
      out.push(`| \`${n.id}\` | ${p.lower_bound.length ? '≥ ' : ''}${usd(p.usd)} | ${basisText(p)} | ${p.components.map(part).join(' + ')} | ${sources.join('; ')}${bound} |`);
    } catch (e) {
      if (!(e instanceof MissingPriceError)) throw e;
      out.push(`| \`${n.id}\` | — | no price | — | give ${e.fields.map((f) => `\`${f}\``).join(e.fields.length > 2 ? ', or ' : ' or ').replace(/, or (`[^`]+`)$/, ' and $1')} |`);
    }
  }
  return out.join('\n');
}

const ISO_NODES = ['dgx-b200-8', 'mi300x-8', 'hgx-h100-sxm-8', 'hgx-h200-8', 'hgx-a100-8', 'hgx-h20-8'];

/** $10M and 1 MW across the catalog's priced 8-GPU node types (the cost model's best layout, all GPUs busy). */
export function tcoIsoBlock(): string {
  const res = isoCompare({ model: getModel('wan2.2-t2v-a14b'), request: { width: 1280, height: 720 }, nodes: ISO_NODES, budgetUsd: 10e6, megawatts: 1 });
  const out = [
    '```',
    `$ vgsim tco --model wan2.2-t2v-a14b --resolution 1280x720 --budget 10e6 --megawatts 1 --nodes ${ISO_NODES.join(',')}`,
    '```',
    '',
    '| node type | per node (basis), as of | layout | attention | one request | nodes for $10M | GPUs | videos/h | $/video | nodes in 1 MW | videos/h |',
    '|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const budget = res.rows.filter((r) => r.basis === 'budget');
  const power = res.rows.filter((r) => r.basis === 'power');
  for (const b of budget) {
    const p = power.find((r) => r.node === b.node)!;
    out.push(`| \`${b.node}\` | ${b.price!.lower_bound.length ? '≥ ' : ''}${usd(b.node_price_usd!)} (${basisText(b.price!)}), ${priceAsOf(b.price)} | \`${b.parallel}\` | ${b.attention} | ${fmtSeconds(b.latency_s!)} | ${b.nodes} | ${b.gpus} | ${b.fleet_videos_per_h!.toFixed(0)} | $${b.usd_per_video!.toFixed(3)} | ${p.nodes} | ${p.fleet_videos_per_h!.toFixed(0)} |`);
  }
  const best = [...budget].sort((a, b) => b.fleet_videos_per_h! - a.fleet_videos_per_h!)[0]!;
  const bestMw = [...power].sort((a, b) => b.fleet_videos_per_h! - a.fleet_videos_per_h!)[0]!;
  out.push('', `For $10M, \`${best.node}\` serves the most (${best.fleet_videos_per_h!.toFixed(0)} videos/h at full load); in 1 MW, \`${bestMw.node}\` (${bestMw.fleet_videos_per_h!.toFixed(0)}/h). Every fleet is priced as whole systems plus the same fabric share per NIC port (the *Prices* table above). One request = its latency on an idle replica of the layout: the fleets do not serve the same service level. Peak power, every row: ${res.power_basis.basis === 'nameplate' ? 'the PSU nameplate' : 'the estimate'}, because ${res.power_basis.why}.`);
  for (const n of res.notes) out.push('', `Note: ${n}.`);
  return out.join('\n');
}
