/**
 * The README's measured-thermal block: every calibration/thermal.py run committed in calibration/thermal/, fitted
 * (src/calibration/thermal-fit.ts) and set against what vgsim's default cooling (the reference air path: 25 °C
 * inlet, the GPU's air-path R) predicts at the same power — so the README's thermal error figures come from the
 * committed traces, not from hand-copied numbers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkTrajectory, fitThermalFile } from '../calibration/thermal-fit.ts';
import { gpuThermal, REFERENCE_COOLANT_C } from '../hardware/cooling.ts';
import { packagePath } from '../package-files.ts';

const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;

/** "GPU T.Limit Temp : 48 C" with "GPU Current Temp : 39 C" → the T.Limit threshold (°C), when the dump reports margins. */
export function tLimitC(thresholds: string): number | undefined {
  const cur = /GPU Current Temp\s*:\s*(-?\d+)\s*C/.exec(thresholds);
  const margin = /GPU T\.Limit Temp\s*:\s*(-?\d+)\s*C/.exec(thresholds);
  return cur && margin ? Number(cur[1]) + Number(margin[1]) : undefined;
}

export function thermalMeasuredBlock(dir = packagePath('calibration/thermal')): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  if (!files.length) return 'No `calibration/thermal.py` run is committed yet.';
  const out: string[] = [];
  for (const file of files) {
    const gpuId = file.replace(/\.json$/, '');
    const raw = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { env?: { gpu_name?: string; software?: { driver?: string } }; hold_s?: number; thresholds_text?: string; steps: unknown[] };
    const fit = fitThermalFile(join(dir, file));
    const rAir = gpuThermal(gpuId).air.resistanceKPerW;
    if (out.length) out.push('');
    out.push(`\`calibration/thermal/${file}\`: ${raw.env?.gpu_name ?? gpuId}, driver ${raw.env?.software?.driver ?? '?'}, ${raw.hold_s ?? '?'} s per level.`, '');
    out.push('| level | mean power | measured T∞ (fit) | τ (fit) | vgsim default (25 °C inlet, R ' + rAir.toFixed(3) + ' K/W) | error |', '|---|---:|---:|---:|---:|---:|');
    for (const s of fit.steps) {
      const model = REFERENCE_COOLANT_C + rAir * s.powerW;
      out.push(`| ${s.duty === 0 ? 'idle' : `${Math.round(s.duty * 100)}% duty`} | ${s.powerW.toFixed(0)} W | ${s.tInf.toFixed(1)} °C | ${s.tau.toFixed(1)} s | ${model.toFixed(1)} °C | ${signed(model - s.tInf)} °C |`);
    }
    for (const r of fit.rejected) out.push(`| ${Math.round(r.duty * 100)}% duty (left out) | ${r.powerW.toFixed(0)} W | – | – | – | ${r.why} |`);
    const lim = raw.thresholds_text ? tLimitC(raw.thresholds_text) : undefined;
    out.push('', `Fitted over the accepted levels: R = ${fit.resistanceKPerW.toFixed(3)} K/W with an effective inlet of ${fit.inletC.toFixed(1)} °C` +
      (lim !== undefined ? `; the driver reports thresholds as margins to T.Limit = ${lim} °C (vgsim's max operating temperature: ${gpuThermal(gpuId).maxOperatingC} °C)` : '') + '.');
    // calibrate on every level but the last (R and inlet from their plateaus, the die step and τ from vgsim's
    // H100 constants), validate on the last level's whole trajectory (the cool-down), held out of both
    const held = fitThermalFile(join(dir, file), { firstLevels: raw.steps.length - 1 });
    const spec = gpuThermal(gpuId);
    const traj = checkTrajectory(join(dir, file), { resistanceKPerW: held.resistanceKPerW, inletC: held.inletC, tauS: spec.air.timeConstantS, dieStepKPerW: spec.dieStepKPerW });
    const last = traj[traj.length - 1]!;
    out.push(`vgsim's model (die step ${spec.dieStepKPerW.toFixed(3)} K/W on a heat sink of τ = ${spec.air.timeConstantS} s) with R = ${held.resistanceKPerW.toFixed(3)} K/W and inlet ${held.inletC.toFixed(1)} °C ` +
      `fitted on every level but the last, run through every sample: ` +
      traj.slice(0, -1).map((c) => `${c.duty === 0 ? 'idle' : `${Math.round(c.duty * 100)}%`} RMS ${c.rmsC.toFixed(1)} °C, max ${c.maxC.toFixed(1)} °C`).join('; ') +
      `; **held-out ${last.duty === 0 ? 'cool-down' : 'last level'}: RMS ${last.rmsC.toFixed(1)} °C, max ${last.maxC.toFixed(1)} °C**.`);
  }
  return out.join('\n');
}
