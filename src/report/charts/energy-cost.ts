/**
 * Energy and money per video: energy by component (GPUs, the rest of the nodes, PUE) and the cost per
 * video by TCO component, one bar per run.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { SimulationResult } from '../../serving/simulate.ts';
import { format as d3format } from 'd3-format';
import { barsChart, type BarDatum } from './generic.ts';
import { fmtSeconds } from '../table.ts';
import { EXTRA_COLORS, fitSubtitle, legendColumns } from './units-labels.ts';

/** A simulation result with the name it goes by in a comparison chart. */
export interface LabelledResult {
  label: string;
  result: SimulationResult;
}

function isResult(x: SimulationResult | readonly LabelledResult[]): x is SimulationResult {
  return !Array.isArray(x);
}

const usd = d3format('$,.0f');
const usd3 = d3format('$,.3f');
const share = (part: number, total: number) => (total > 0 ? `${((part / total) * 100).toFixed(0)}%` : '–');

const ENERGY_LABEL: Record<string, string> = { gpus: 'GPUs', node_non_gpu: 'rest of the nodes' };
const ENERGY_COLORS: Record<string, string> = { gpus: '#4c78a8', node_non_gpu: '#9ecae9', facility: '#bab0ac' };

/** Facility energy per completed video, split into GPUs, the rest of the nodes and the PUE overhead; one bar per run. */
export function energyChart(runs: SimulationResult | readonly LabelledResult[]): TopLevelSpec {
  const list = (isResult(runs) ? [{ label: runs.scenario, result: runs }] : [...runs]).filter((r) => r.result.requests.completed > 0);
  if (list.length === 0) throw new Error('energyChart: no run completed a video');
  const single = list.length === 1;
  const keys = [...new Set(list.flatMap((r) => Object.keys(r.result.energy.by_component_kwh)))];
  keys.sort((a, b) => (ENERGY_LABEL[a] ? 0 : 1) - (ENERGY_LABEL[b] ? 0 : 1) || Object.keys(ENERGY_LABEL).indexOf(a) - Object.keys(ENERGY_LABEL).indexOf(b) || a.localeCompare(b));
  const r0 = list[0]!.result;
  const wh = (r: SimulationResult, kwh: number) => (kwh * 1000) / r.requests.completed;
  const overhead = (r: SimulationResult) => wh(r, r.energy.total_kwh * (r.energy.pue - 1));
  const nameOf = (k: string) => {
    const base = k === 'facility' ? `facility (PUE ${list.every((r) => r.result.energy.pue === r0.energy.pue) ? r0.energy.pue : 'of each run'})` : ENERGY_LABEL[k] ?? k.replace(/_/g, ' ');
    if (!single) return base;
    const v = k === 'facility' ? overhead(r0) : wh(r0, r0.energy.by_component_kwh[k] ?? 0);
    return `${base}: ${v.toFixed(0)} Wh (${share(v, r0.energy.per_video_wh)})`;
  };
  const groups = [...keys, 'facility'];
  const data: BarDatum[] = [];
  const totals: Record<string, string> = {};
  for (const { label, result: r } of list) {
    for (const k of keys) data.push({ category: label, group: nameOf(k), value: wh(r, r.energy.by_component_kwh[k] ?? 0) });
    data.push({ category: label, group: nameOf('facility'), value: overhead(r) });
    totals[label] = `${r.energy.per_video_wh.toFixed(0)} Wh/video (${r.energy.per_video_second_wh.toFixed(1)} Wh per second of video)`;
  }
  const colors: Record<string, string> = {};
  groups.forEach((k, i) => (colors[nameOf(k)] = ENERGY_COLORS[k] ?? EXTRA_COLORS[i % EXTRA_COLORS.length]!));
  const spec = fitSubtitle(barsChart({
    title: 'Energy per video, by component',
    subtitle: single
      ? `${r0.energy.total_kwh.toFixed(1)} kWh IT for ${r0.requests.completed} videos over ${fmtSeconds(r0.sim_time_s)} (average ${r0.energy.avg_power_kw.toFixed(2)} kW); facility energy = IT energy (GPUs, and the nodes' CPUs, memory, NICs and fans) × PUE ${r0.energy.pue}`
      : "facility energy per completed video: IT energy (GPUs, and the nodes' CPUs, memory, NICs and fans) × PUE",
    data,
    category: { title: single ? 'run' : 'run' },
    value: { title: 'energy per video (Wh)' },
    group: { title: 'used by', order: groups.map(nameOf), colors },
    totals,
    step: single ? 40 : 32,
  }));
  return single ? legendColumns(spec, 2) : spec;
}

const COST_LABEL: Record<string, string> = {
  depreciation: 'depreciation', financing: 'financing', maintenance: 'maintenance', electricity: 'electricity', colocation: 'colocation',
  compute: 'GPU rental', egress: 'egress', storage: 'storage',
};
const COST_COLORS: Record<string, string> = {
  depreciation: '#4c78a8', financing: '#9ecae9', maintenance: '#72b7b2', electricity: '#f58518', colocation: '#eeca3b',
  compute: '#b279a2', egress: '#ff9da6', storage: '#9d755d',
};

function costBasisLabel(r: SimulationResult): string {
  const c = r.cost!;
  const billing = c.notes.map((n) => /^billing (\w+)/.exec(n)?.[1]).find((b) => b !== undefined);
  return c.basis === 'cloud' ? `cloud${billing ? `, ${billing} billing` : ''}` : 'owned';
}

/**
 * Total cost of ownership per completed video, stacked by cost component (owned: depreciation, financing,
 * maintenance, electricity, colocation; cloud: GPU rental, egress, storage); one bar per run. Runs
 * without a cost (a missing price) are left out; per month instead when a run completed no video.
 */
export function costChart(runs: SimulationResult | readonly LabelledResult[]): TopLevelSpec {
  const list = (isResult(runs) ? [{ label: '', result: runs }] : [...runs]).filter((r) => r.result.cost !== null);
  if (list.length === 0) throw new Error('costChart: no run has a cost (a price is missing: see the run warnings)');
  for (const r of list) if (r.label === '') r.label = costBasisLabel(r.result);
  const single = list.length === 1;
  const perVideo = list.every((r) => (r.result.cost!.usd_per_video ?? 0) > 0);
  const factor = (r: SimulationResult) => (perVideo ? r.cost!.usd_per_video! / r.cost!.usd_per_month : 1);
  const keys = Object.keys(COST_LABEL).filter((k) => list.some((r) => (r.result.cost!.per_month[k] ?? 0) > 0));
  for (const r of list) for (const k of Object.keys(r.result.cost!.per_month)) if (!keys.includes(k) && r.result.cost!.per_month[k]! > 0) keys.push(k);
  const c0 = list[0]!.result.cost!;
  const fmt = (v: number) => (perVideo ? usd3(v) : usd(v));
  const nameOf = (k: string) => {
    const base = COST_LABEL[k] ?? k.replace(/_/g, ' ');
    if (!single) return base;
    const v = (c0.per_month[k] ?? 0) * factor(list[0]!.result);
    return `${base}: ${fmt(v)} (${share(c0.per_month[k] ?? 0, c0.usd_per_month)})`;
  };
  const data: BarDatum[] = [];
  const totals: Record<string, string> = {};
  for (const { label, result: r } of list) {
    const c = r.cost!;
    for (const k of keys) data.push({ category: label, group: nameOf(k), value: (c.per_month[k] ?? 0) * factor(r) });
    totals[label] = perVideo ? `${usd3(c.usd_per_video!)}/video (${usd(c.usd_per_month)}/month)` : `${usd(c.usd_per_month)}/month`;
  }
  const colors: Record<string, string> = {};
  keys.forEach((k, i) => (colors[nameOf(k)] = COST_COLORS[k] ?? EXTRA_COLORS[i % EXTRA_COLORS.length]!));
  const r0 = list[0]!.result;
  const spec = fitSubtitle(barsChart({
    title: perVideo ? 'Cost per video, by component' : 'Cost per month, by component',
    subtitle: single
      ? `${costBasisLabel(r0)}: ${usd(c0.usd_per_month)} per month for ${d3format(',.0f')(c0.videos_per_month)} videos at the simulated rate${c0.capex_usd ? `; capex ${usd(c0.capex_usd)}` : ''}; ${d3format('$.2f')(c0.usd_per_gpu_hour)} per GPU-hour equivalent`
      : new Set(list.map((r) => Math.round(r.result.cost!.videos_per_month))).size === 1
        ? `monthly cost ÷ videos per month at the simulated rate (${d3format(',.0f')(c0.videos_per_month)} videos/month)`
        : `monthly cost ÷ videos per month at each run's simulated rate (${list.map((r) => `${r.label}: ${d3format(',.0f')(r.result.cost!.videos_per_month)} videos/month`).join('; ')})`,
    data,
    category: { title: single ? 'cost basis' : 'run' },
    value: { title: perVideo ? 'cost per video ($)' : 'cost per month ($)', format: perVideo ? '$.2f' : '$,.0f' },
    group: { title: 'cost', order: keys.map(nameOf), colors },
    totals,
    step: single ? 40 : 32,
  }));
  return single ? legendColumns(spec, 2) : spec;
}
