/**
 * How the runs of a comparison are priced, and whether their money rows compare. A "$ per video" ranks the
 * clusters only when every run is priced the same way: on one cost basis (owned or cloud), under the same
 * financial assumptions (amortization, maintenance, residual value, electricity, PUE, rent, financing, billing,
 * … — every field of the `cost:` section the basis reads, economics/cost-inputs.ts financialAssumptions), and,
 * in the cloud, with list prices of one kind (GpuSpec.cloudPriceBasis: a RunPod on-demand list price against a
 * median across providers ranks the price sources, not the GPUs). Otherwise compare.ts shows the money rows
 * unranked, with a note naming what differs.
 */
import type { SimulationResult } from '../serving/simulate.ts';
import type { CostSpec } from '../scenario/schema.ts';
import { financialAssumptions } from '../economics/cost-inputs.ts';

/** What this file needs of a run: its label, result and, where known, the scenario it ran. */
export interface PricedRun {
  label: string;
  result: SimulationResult;
  scenario?: unknown;
}

/** "h100-sxm $4.76 RunPod on-demand": each cloud list price of a run with its kind. */
function cloudPrices(r: SimulationResult): string {
  return (r.cost?.cloud_prices ?? []).map((p) => `${p.gpu} $${p.usd_per_gpu_hour.toFixed(2)} ${p.basis}`).join(', ');
}

/** The electricity and rent terms of an owned cost, with the PUE the energy is billed at: colocation bills IT kWh (its rent covers cooling), an owned building IT kWh × its PUE. */
function electricity(c: NonNullable<SimulationResult['cost']>): string {
  const pue = c.billed_pue ?? 1;
  const rent = (c.per_month.colocation ?? 0) > 0;
  return `electricity × PUE ${Number(pue.toFixed(3))}${rent && pue === 1 ? ' (the colocation rent covers cooling)' : ''}${rent ? ' + colocation rent' : ''}`;
}

/** The cost basis of a run in words: what the price includes (owned TCO or cloud hours, with the list prices' kind), or why there is none. */
export function costBasis(r: SimulationResult): string {
  const c = r.cost;
  if (!c) return `no price (${r.warnings.find((w) => /price/i.test(w)) ?? 'a price is missing'})`;
  const gpuOnly = c.warnings.some((w) => /GPUs only/.test(w)) ? '; some servers priced as GPUs only (no chassis)' : '';
  return c.basis === 'owned'
    ? `owned: capex amortized (${c.capex_usd !== null ? `$${Math.round(c.capex_usd).toLocaleString('en-US')}` : 'n/a'}) + maintenance + ${electricity(c)}${gpuOnly}`
    : `cloud: $${c.usd_per_gpu_hour.toFixed(2)} per GPU-hour billed (list price: ${cloudPrices(r)})${gpuOnly}`;
}

const UNRANKED = 'the money rows are shown but not ranked';

/** Why the money rows of these runs do not compare (one note per reason), or [] when they do. */
export function moneyDifferences(runs: readonly PricedRun[]): string[] {
  const bases = new Set(runs.map((x) => x.result.cost?.basis ?? 'none'));
  if (bases.size > 1) return [`the runs are priced on different bases (${[...bases].join(', ')}): ${UNRANKED}`];
  const notes: string[] = [];
  // the financial assumptions, where every run's scenario is known (a library caller may pass results only)
  const sections = runs.map((x) => (x.scenario as { cost?: CostSpec } | undefined)?.cost);
  if (sections.every((c) => c !== undefined)) {
    const fields = sections.map((c) => financialAssumptions(c!));
    const paths = [...new Set(fields.flatMap(Object.keys))].sort();
    const value = (i: number, p: string) => fields[i]![p] ?? 'unset';
    const differ = paths.filter((p) => runs.some((_, i) => value(i, p) !== value(0, p)));
    if (differ.length) {
      const list = differ.map((p) => `cost.${p}: ${runs.map((x, i) => `${x.label} ${value(i, p).replace(/^"|"$/g, '')}`).join(', ')}`).join('; ');
      notes.push(`the runs are priced under different financial assumptions (${list}): ${UNRANKED}; give them one cost section (--set cost.…) to rank them`);
    }
  }
  // colocation rent at peak node power counted on different bases (a PSU nameplate against the estimate)
  const rent = runs.map((x) => x.result.cost?.rented_power ?? []);
  if (new Set(rent.flatMap((r) => r.map((p) => p.basis))).size > 1) {
    const kw = (r: (typeof rent)[number]) => r.map((p) => `${p.node} ${(p.watts / 1000).toFixed(1)} kW ${p.basis === 'nameplate' ? 'nameplate' : 'estimate'}`).join(' + ');
    notes.push(`the runs rent colocation at peak node power counted on different bases (${runs.map((x, i) => `${x.label}: ${kw(rent[i]!)}`).join('; ')}): ${UNRANKED}; set cost.power_basis: estimate in every scenario to rank them`);
  }
  // cloud list prices of different kinds
  const kinds = runs.map((x) => [...new Set((x.result.cost?.cloud_prices ?? []).map((p) => p.basis))].sort().join(' + '));
  if (new Set(kinds).size > 1) {
    notes.push(`the runs' cloud prices are of different kinds (${runs.map((x) => `${x.label}: ${cloudPrices(x.result)}`).join('; ')}): ${UNRANKED}; give each GPU a price from one source (cost.cloud.usd_per_gpu_hour) to rank them`);
  }
  return notes;
}
