/**
 * The README's *Power caps* table and conclusion: scenarios/power-cap.yaml's sweep (the saturated DGX node with
 * every GPU capped at 700/600/500/400 W) run now, and the scenario library's line on it, from the same runs.
 */
import { getNode } from '../hardware/catalog.ts';
import type { RunSummary } from '../serving/result.ts';
import { sweepRuns } from './scenario-runs.ts';

export const POWER_CAP_SCENARIO = 'scenarios/power-cap.yaml';
const KEY = 'inference.power_limit_w';

interface CapRow {
  capW: number;
  r: RunSummary;
}

/** Each cap's run, highest cap (the default limit) first. */
export function powerCapRuns(): CapRow[] {
  return sweepRuns(POWER_CAP_SCENARIO).map((x) => {
    if (!x.summary) throw new Error(`${POWER_CAP_SCENARIO} point ${x.point.label}: ${x.error}`);
    return { capW: Number(x.point.values[KEY]), r: x.summary };
  }).sort((a, b) => b.capW - a.capW);
}

const itWh = (r: RunSummary) => (1000 * r.energy.total_kwh) / r.requests.completed;
const gpuWh = (r: RunSummary) => (1000 * r.energy.by_component_kwh.gpus!) / r.requests.completed;
const usd = (r: RunSummary) => r.cost?.usd_per_video ?? null;
const pct = (x: number) => `${(100 * Math.abs(x)).toFixed(0)}%`;
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${pct(x)}`;

export function powerCapBlock(rows = powerCapRuns()): string {
  const out = [
    `\`${POWER_CAP_SCENARIO}\` (\`vgsim sweep ${POWER_CAP_SCENARIO}\`): the saturated DGX node above with every GPU capped:`,
    '',
    '| cap per GPU | one 720P video | videos/h | node avg / peak | Wh per video, IT / facility | GPU Wh per video | $ per video |',
    '|---:|---:|---:|---:|---:|---:|---:|',
  ];
  rows.forEach(({ capW, r }, i) => {
    const c = usd(r);
    out.push(`| ${capW} W${i === 0 ? ' (default)' : ''} | ${r.classes[0]!.service_s.toFixed(0)} s | ${r.throughput_per_h.toFixed(1)} | ${r.energy.avg_power_kw.toFixed(2)} / ${r.energy.peak_power_kw.toFixed(2)} kW | ${Math.round(itWh(r))} / ${Math.round(r.energy.per_video_wh)} | ${Math.round(gpuWh(r))} | ${c === null ? '–' : `$${c.toFixed(3)}`} |`);
  });
  const top = rows[0]!, low = rows[rows.length - 1]!;
  const fewer = 1 - low.r.throughput_per_h / top.r.throughput_per_h;
  const longer = top.r.throughput_per_h / low.r.throughput_per_h - 1;
  const dearer = usd(low.r) !== null && usd(top.r) !== null ? usd(low.r)! / usd(top.r)! - 1 : null;
  const overheadKw = getNode('hgx-h100-sxm-8').nonGpuPowerW.busy / 1000;
  out.push(
    '',
    `A cap is a way to fit a node into a rack's power budget (${low.capW} W caps bring a DGX to ${low.r.energy.peak_power_kw.toFixed(2)} kW peak for ${pct(fewer)} fewer videos)` +
      `${dearer !== null && dearer > 0 ? ', not to save money' : ''}: GPU energy per video falls ${pct(1 - gpuWh(low.r) / gpuWh(top.r))} at ${low.capW} W, ` +
      `but the node's own ~${overheadKw.toFixed(1)} kW busy overhead runs ${pct(longer)} longer per video, so IT energy per video falls only ${pct(1 - itWh(low.r) / itWh(top.r))}` +
      `${dearer !== null ? `, while the capital cost is spread over fewer videos (${signed(dearer)} $/video)` : ''}.`,
  );
  return out.join('\n');
}

/** The scenario library's one line on it. */
export function powerCapLibrary(rows = powerCapRuns()): string {
  const top = rows[0]!, low = rows[rows.length - 1]!;
  const c = usd(low.r) !== null && usd(top.r) !== null ? `, ${signed(usd(low.r)! / usd(top.r)! - 1)} $/video` : '';
  return `**11. What does capping the GPUs cost?** (\`power-cap.yaml\`: the saturated DGX node at ${rows.map((x) => x.capW).join('/')} W per GPU): ` +
    `${low.capW} W caps bring the node from ${top.r.energy.peak_power_kw.toFixed(2)} to ${low.r.energy.peak_power_kw.toFixed(2)} kW peak for ${pct(1 - low.r.throughput_per_h / top.r.throughput_per_h)} fewer videos${c} — see *Power caps*.`;
}
