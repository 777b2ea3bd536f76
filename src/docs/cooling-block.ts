/**
 * The README's cooling block: scenarios/cooling.yaml's variants (air at 25/35/45 °C inlet, a failed fan
 * module, liquid at 25/45 °C) run now, tabulated, and the conclusions stated from the same numbers — so the
 * README's air-vs-liquid statements cannot drift from the model (test/readme.test.ts).
 */
import { loadScenario } from '../scenario/load.ts';
import { simulate, type SimulationResult } from '../serving/simulate.ts';
import { packagePath } from '../package-files.ts';

export const COOLING_SCENARIO = 'scenarios/cooling.yaml';

export interface CoolingRow {
  name: string;
  result: SimulationResult;
}

/** Every variant of the cooling scenario, simulated (a variant's `set` applied like `vgsim sweep` does). */
export function coolingRuns(file = packagePath(COOLING_SCENARIO)): CoolingRow[] {
  const base = loadScenario(file);
  return (base.scenario.sweep?.variants ?? []).map((v) => {
    const set = Object.entries(v.set).map(([k, x]) => `${k}=${JSON.stringify(x)}`);
    const l = loadScenario(file, { set });
    return { name: v.name, result: simulate(l.scenario, { locate: l.locate }) };
  });
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function coolingBlock(rows = coolingRuns()): string {
  const out = [
    '| cooling | GPU temp max | time at 87 °C (throttled) | sustained SM clock | videos/h | IT kWh | of which fans | PUE | facility Wh/video | $/video |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const { name, result: r } of rows) {
    const t = r.thermal!;
    out.push(
      `| ${name} | ${t.max_gpu_temp_c.toFixed(1)} °C | ${pct(t.throttled_share)} | ${Math.round(t.mean_busy_sm_clock_mhz)} MHz | ${r.throughput_per_h.toFixed(2)} | ${r.energy.total_kwh.toFixed(1)} | ${t.fans_kwh.toFixed(1)} | ${r.energy.pue.toFixed(2)} | ${Math.round(r.energy.per_video_wh)} | ${r.cost?.usd_per_video != null ? `$${r.cost.usd_per_video.toFixed(3)}` : '–'} |`,
    );
  }
  const by = (n: string) => rows.find((x) => x.name === n)!.result;
  const air = by('air 25C'), hot = by('air 45C'), fan = by('air 35C, 70% airflow'), liquid = by('liquid 25C'), warm = by('liquid 45C');
  const cool = rows.filter((x) => x.result.thermal!.throttled_gpu_hours === 0).map((x) => x.name);
  const drop = (r: SimulationResult) => pct(1 - r.throughput_per_h / air.throughput_per_h);
  const w = (r: SimulationResult) => r.energy.per_video_wh;
  // the inlet at which the denoise phase's steady state reaches the throttle temperature
  const g = air.thermal!.gpus[0]!;
  const denoiseW = air.estimates![0]!.estimate.power.per_gpu_w.denoise;
  const edge = g.throttle_temp_c - g.thermal_resistance_k_per_w * denoiseW;
  out.push(
    '',
    `Same load, six cooling setups (\`vgsim sweep ${COOLING_SCENARIO}\`, 6 h saturated). ${cool.join(', ')}: the GPUs stay below their 87 °C max operating temperature — same clocks, same ${air.throughput_per_h.toFixed(2)} videos/h. ` +
      `At 45 °C inlet (ASHRAE A4's limit) the H100s sit at 87 °C ${pct(hot.thermal!.throttled_share)} of their busy time, held to ${Math.round(hot.thermal!.gpus[0]!.held_power_w)} W: the sustained clock falls from ${Math.round(air.thermal!.mean_busy_sm_clock_mhz)} to ${Math.round(hot.thermal!.mean_busy_sm_clock_mhz)} MHz and throughput by ${drop(hot)}. ` +
      `A failed fan module at 35 °C (70% airflow) costs ${drop(fan)} (the heat sink's resistance rises to ${fan.thermal!.gpus[0]!.thermal_resistance_k_per_w.toFixed(3)} K/W), while its slower fans save ${(air.thermal!.fans_kwh - fan.thermal!.fans_kwh).toFixed(1)} kWh. ` +
      `Liquid cooling keeps the GPUs at ${liquid.thermal!.max_gpu_temp_c.toFixed(0)} °C with 25 °C water and ${warm.thermal!.max_gpu_temp_c.toFixed(0)} °C with 45 °C warm water, never throttling; it removes the server fans (${air.thermal!.fans_kwh.toFixed(1)} kWh, ${pct(air.thermal!.fans_kwh / air.energy.total_kwh)} of the node's IT energy) and the facility PUE falls from ${air.energy.pue} to ${liquid.energy.pue}: facility energy per video ${Math.round(w(air))} → ${Math.round(w(liquid))} Wh (${pct(w(liquid) / w(air) - 1)}). ` +
      `Cost per video moves only ${air.cost?.usd_per_video != null && liquid.cost?.usd_per_video != null ? pct(liquid.cost.usd_per_video / air.cost.usd_per_video - 1) : 'slightly'} (owned facility; energy is a small part of an H100's cost, and a liquid-cooling capex premium is not priced here). ` +
      `For H100s at this load (denoising at ${Math.round(denoiseW)} W per GPU), air cooling costs throughput only above ${edge.toFixed(1)} °C inlet or with lost airflow; liquid buys energy, not videos.`,
  );
  return out.join('\n');
}
