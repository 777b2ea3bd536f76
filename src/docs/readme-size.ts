/**
 * The README's hardware comparison (`vgsim size` over the catalog): the `size-hardware` block runs the search now
 * (a few seconds: about 50 simulations) and tabulates the cheapest option of each node type, so a change to the
 * model, a price or the search moves the README's table (test/readme.test.ts) until `npm run readme` rewrites it.
 * It used to render a stored run (docs/data/size-hardware.json) checked only for its prices, so a model change
 * left it stale; scripts/readme-size.ts now only redraws the chart (docs/images/size-pareto.svg|png).
 */
import { dirname, resolve } from 'node:path';
import { packagePath } from '../package-files.ts';
import { sizeCluster, type SizeResult } from '../studies/size.ts';
import { parseSlo } from '../studies/capacity.ts';
import { loadScenario } from '../scenario/load.ts';
import { MissingPriceError } from '../economics/index.ts';
import { nodePriceOf } from '../economics/cost-inputs.ts';
import { CostSchema } from '../scenario/schema.ts';
import { priceAsOf } from '../report/prices.ts';

export const SIZE_HARDWARE_RUN = { scenario: 'scenarios/default.yaml', set: ['duration=24h'], slo: 'p95<=45m', ratePerH: 120 } as const;
const COMMAND = `vgsim size ${SIZE_HARDWARE_RUN.scenario} --slo '${SIZE_HARDWARE_RUN.slo}' --rate ${SIZE_HARDWARE_RUN.ratePerH}/h ${SIZE_HARDWARE_RUN.set.map((s) => `--set ${s}`).join(' ')}`;

/** `vgsim size` as the block's command line runs it (its default --layouts 3, --max-nodes 64, --max-sims 300). */
export function runSizeHardware(onOption?: (label: string, nodes: number | null) => void): SizeResult {
  const file = resolve(packagePath(SIZE_HARDWARE_RUN.scenario));
  const loaded = loadScenario(file, { set: [...SIZE_HARDWARE_RUN.set] });
  return sizeCluster(loaded.scenario, {
    terms: parseSlo(SIZE_HARDWARE_RUN.slo), ratePerH: SIZE_HARDWARE_RUN.ratePerH, layouts: 3, maxNodes: 64, maxSims: 300,
    sim: { baseDir: dirname(file), locate: loaded.locate },
    ...(onOption ? { onOption: (r) => onOption(r.label, r.nodes ?? null) } : {}),
  });
}

interface HardwareOption {
  node: string;
  parallel: string;
  /** The attention kernel the layout runs on that GPU. */
  attention: string;
  gpus_per_replica: number;
  nodes: number;
  gpus: number;
  p95_s: number;
  kwh_per_video: number | null;
  usd_per_video: number;
  usd_per_month: number;
  node_price_usd: number;
  price_basis: string;
  /** When the node price was quoted (report/prices.ts priceAsOf). */
  price_as_of: string;
  /** Why the price is only a lower bound; empty when it is not. */
  price_lower_bound: string[];
  price: string;
}

export interface SizeHardware {
  command: string;
  simulations: number;
  /** The cheapest option of each node type, cheapest first. */
  options: HardwareOption[];
  /** Node types without a price (the fields to give) or without a passing option. */
  skipped: { node: string; reason: string; fields?: string[] }[];
  /** What the options were not priced alike on (SizeResult.notes: attention kernels, borrowed non-GPU power). */
  notes: string[];
}

/** A size result as the block shows it: one option per node type. */
export function sizeHardwareOf(res: SizeResult): SizeHardware {
  const options: HardwareOption[] = [];
  for (const r of res.rows) {
    if (r.rank === null || !r.price || options.some((o) => o.node === r.node)) continue;
    options.push({
      node: r.node, parallel: r.parallel, attention: r.attention, gpus_per_replica: r.gpus_per_replica, nodes: r.nodes!, gpus: r.gpus!, p95_s: r.latency_s!.p95, kwh_per_video: r.kwh_per_video,
      usd_per_video: r.usd_per_video!, usd_per_month: r.usd_per_month!, node_price_usd: r.price.usd, price_basis: r.price.basis, price_as_of: priceAsOf(r.price), price_lower_bound: r.price.lower_bound, price: r.price.summary,
    });
  }
  const cost = CostSchema.parse({});
  const skipped = res.skipped.filter((s) => !s.parallel && !options.some((o) => o.node === s.node)).map((s) => {
    try {
      nodePriceOf(cost, s.node);
      return { node: s.node, reason: s.reason };
    } catch (e) {
      if (!(e instanceof MissingPriceError)) throw e;
      return { node: s.node, reason: 'no price', fields: e.fields };
    }
  });
  const notes = res.notes.filter((n) => /attention kernels|non-GPU power/.test(n));
  return { command: COMMAND, simulations: res.simulations, options, skipped, notes };
}

const usd = (x: number, d = 0) => `$${x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })}`;

/** The README block, from a size run (default: run now). */
export function sizeHardwareBlock(res: SizeResult = runSizeHardware()): string {
  const data = sizeHardwareOf(res);
  const out = [
    `\`${data.command}\` (${data.simulations} simulations): the cheapest cluster of each node type that serves 120 A14B videos/h (70% 720P) with p95 ≤ 45 min, owned, in colocation, every node priced as a whole system:`,
    '',
    '| node type | node price (basis), as of | layout per replica | attention | nodes | GPUs | p95 | facility kWh/video | $/video | $/month |',
    '|---|---:|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const o of data.options) {
    out.push(`| \`${o.node}\` | ${o.price_lower_bound.length ? '≥ ' : ''}${usd(o.node_price_usd)} (${o.price_basis === 'whole-server' ? 'whole server' : 'GPUs + host'}), ${o.price_as_of} | ${o.gpus_per_replica} GPU${o.gpus_per_replica === 1 ? '' : 's'}${o.parallel === 'none' ? '' : `, \`${o.parallel}\``} | ${o.attention} | ${o.nodes} | ${o.gpus} | ${(o.p95_s / 60).toFixed(1)} min | ${o.kwh_per_video === null ? '–' : o.kwh_per_video.toFixed(2)} | ${usd(o.usd_per_video, 3)} | ${usd(o.usd_per_month)} |`);
  }
  const unpriced = data.skipped.filter((s) => s.fields);
  if (unpriced.length) out.push('', `Not priced, so not sized (the catalog lacks a part: see *Prices*, and give it with \`--set\`): ${unpriced.map((s) => `\`${s.node}\``).join(', ')}.`);
  const others = data.skipped.filter((s) => !s.fields);
  if (others.length) out.push('', `No passing option: ${others.map((s) => `\`${s.node}\` (${s.reason})`).join('; ')}.`);
  for (const n of data.notes) out.push('', `Note: ${n}.`);
  const bounds = data.options.filter((o) => o.price_lower_bound.length);
  if (bounds.length) out.push('', `≥: the price is a lower bound (${bounds.map((o) => `\`${o.node}\`: ${o.price_lower_bound.join('; ')}`).join('; ')}).`);
  return out.join('\n');
}
