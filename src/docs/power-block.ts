/**
 * The README's *Power and energy* figures: the default run's power caption, the "10.2 kW per DGX H100"
 * paragraph (scenarios/dgx-power.yaml run now) and the scenario library's line on it — computed, so a model
 * change that moves them fails test/readme.test.ts until `npm run readme` rewrites them.
 */
import { getGpu, getNode } from '../hardware/catalog.ts';
import { runScenario } from './scenario-runs.ts';

export const DGX_POWER_SCENARIO = 'scenarios/dgx-power.yaml';
const NODE = 'hgx-h100-sxm-8';
/** Latif et al. (src/hardware/refs.ts R.latif): the most an 8×H100 DGX drew in training, measured at the wall; kW. */
const MEASURED_TRAINING_MAX_KW = 8.48;
/** arXiv 2506.14551 (src/hardware/refs.ts R.bnl): compute-intensive training at ~76% of the 10.2 kW nameplate. */
const BNL_TRAINING_SHARE = 0.76;

/** The caption under the default run's power chart. */
export function powerCaption(r = runScenario('scenarios/default.yaml')): string {
  const e = r.energy;
  return `*Default run: ${e.avg_power_kw.toFixed(2)} kW average, ${e.peak_power_kw.toFixed(2)} kW peak; ${e.total_kwh.toFixed(1)} kWh IT over ${(r.sim_time_s / 3600).toFixed(2)} h.*`;
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

/** The saturated DGX H100 against its nameplate. */
export function dgxPower(r = runScenario(DGX_POWER_SCENARIO)): string {
  const node = getNode(NODE);
  const gpu = getGpu(node.gpu);
  const nameplate = node.maxPowerW! / 1000;
  const e = r.energy;
  const gpuW = (1000 * e.by_component_kwh.gpus!) / (r.gpus * (r.sim_time_s / 3600));
  return `**The "${nameplate} kW per DGX H100" claim** (\`${DGX_POWER_SCENARIO}\`, \`vgsim run ${DGX_POWER_SCENARIO}\`): one 8×H100 node kept saturated with 720P A14B requests ` +
    `(${r.pools[0]!.parallel}, ${(100 * r.gpu_utilization).toFixed(1)}% busy for ${(r.sim_time_s / 3600).toFixed(0)} h) draws **${e.avg_power_kw.toFixed(2)} kW on average and ${e.peak_power_kw.toFixed(2)} kW at peak** — ` +
    `${pct(e.avg_power_kw / nameplate)} and ${pct(e.peak_power_kw / nameplate)} of the ${nameplate} kW nameplate, which is the PSU rating, not a draw. ` +
    `GPUs average ${Math.round(gpuW)} W (attention and memory-bound phases sit below the ${gpu.tdpW} W cap). ` +
    `The peak is anchored on the measured ${MEASURED_TRAINING_MAX_KW} kW training maximum the node overhead comes from; ` +
    `an independent report puts compute-intensive training at ~${pct(BNL_TRAINING_SHARE)} of nameplate (${(BNL_TRAINING_SHARE * nameplate).toFixed(2)} kW). ` +
    `Size PDUs for ~${MEASURED_TRAINING_MAX_KW.toFixed(1)} kW per node, not ${nameplate}.`;
}

/** The scenario library's one line on it. */
export function dgxPowerLibrary(r = runScenario(DGX_POWER_SCENARIO)): string {
  return `**10. The ${getNode(NODE).maxPowerW! / 1000} kW claim** (\`dgx-power.yaml\`): ${r.energy.avg_power_kw.toFixed(2)} kW average, ${r.energy.peak_power_kw.toFixed(2)} kW peak for a saturated node — see *Power and energy*.`;
}
