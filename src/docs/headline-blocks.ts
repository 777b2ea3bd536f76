/**
 * README blocks for the figures a reader meets first: the headline validation errors, the two-GPU
 * sequence-parallel validation table, what one default video costs and the default run's latency caption.
 * Each is computed from the code and the committed measurements, never copied (src/docs/readme-blocks.ts).
 */
import { readFileSync } from 'node:fs';
import { compareSpValidation, compareValidation, loadValidation, type ValidationRow } from '../perf/validation.ts';
import { estimate } from '../api/estimate.ts';
import { packagePath } from '../package-files.ts';
import { loadScenario } from '../scenario/load.ts';
import { simulate } from '../serving/simulate.ts';
import { summaryOf } from '../serving/result.ts';

const maxAbs = (rows: ValidationRow[], key: 'time_error' | 'memory_error') => Math.max(...rows.map((r) => Math.abs(r[key])));
const pctUp = (x: number) => `${Math.ceil(x * 1000) / 10}%`;

function spRows(): ValidationRow[] {
  return ['h100-sxm-x2-ulysses.json', 'h100-sxm-x2-ulysses-fsdp.json'].flatMap((f) => {
    const d = JSON.parse(readFileSync(packagePath(`calibration/validation/${f}`), 'utf8'));
    return compareSpValidation(d.gpu, d.node, d.cases);
  });
}

const timed = (rows: ValidationRow[]) => rows.filter((r) => r.kind !== 'text_encode');

/** The intro's claim: the worst time error on each validation set the model was not fitted to. */
export function headline(): string {
  const h100 = timed(compareValidation('h100-sxm', loadValidation(packagePath('calibration/validation/h100-sxm.json')).cases));
  const h200 = timed(compareValidation('h200', loadValidation(packagePath('calibration/validation/h200.json')).cases));
  return `It is a discrete-event simulator driven by YAML scenario files, with a cost model calibrated on measured H100 kernels\nand validated against whole-model measurements it was not fitted to (DiT forwards and VAE decodes: single H100 within ${pctUp(maxAbs(h100, 'time_error'))}, an unprofiled H200 within ${pctUp(maxAbs(h200, 'time_error'))},\nUlysses-2 ± FSDP on two H100s within ${pctUp(maxAbs(spRows(), 'time_error'))}).`;
}

/** Whole Ulysses-2 forwards on two H100s (calibration/validation/h100-sxm-x2-ulysses*.json). */
export function validateSp(): string {
  const sign = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)}%`;
  const out = ['| forward (one CFG branch) | measured | vgsim | error | measured memory | vgsim | error |', '|---|---:|---:|---:|---:|---:|---:|'];
  for (const r of spRows()) {
    const m = /(\d+)x(\d+)x(\d+) \w+, Ulysses (\d+) GPUs( \+ FSDP)?/.exec(r.case)!;
    out.push(`| ${m[2]}P ${m[3]} frames, Ulysses ${m[4]}${m[5] ?? ''} | ${r.measured_s.toFixed(3)} s | ${r.predicted_s.toFixed(3)} s | ${sign(r.time_error)} | ${r.measured_gb.toFixed(1)} GB | ${r.predicted_gb.toFixed(1)} GB | ${sign(r.memory_error)} |`);
  }
  return out.join('\n');
}

/** What one 720P video of the default scenario costs on its replica (one H100, official offload path). */
export function defaultVideo(): string {
  const e = estimate({ model: 'wan2.2-t2v-a14b', gpu: 'h100-sxm', resolution: '1280x720', inference: { offload: true } });
  return `A 720P video takes ${(e.total_s / 60).toFixed(1)} minutes on one H100 (one DiT forward is ${e.forward_s.toFixed(1)} s).`;
}

/** The caption under the default run's latency CDF. */
export function defaultCaption(): string {
  const { scenario } = loadScenario(packagePath('scenarios/default.yaml'));
  const r = summaryOf(simulate(scenario));
  const min = (s: number) => `${(s / 60).toFixed(1)} min`;
  const cls = r.classes.map((c) => `${c.name} ${c.slo_attainment === 1 ? `meets its ${min(c.slo_s!)} SLO every time` : `meets its ${min(c.slo_s!)} SLO ${(100 * (c.slo_attainment ?? 0)).toFixed(1)}% of the time`}`);
  return `*Default scenario, ${r.requests.completed} videos: p50 ${min(r.latency_s.p50)}, p95 ${min(r.latency_s.p95)}; ${cls.join(', ')}.*`;
}
