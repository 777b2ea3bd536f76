/**
 * Prints the cost model's errors against a validation set, as a Markdown table.
 *   npm run validate:model [-- --gpu h100-sxm --validation calibration/validation/h100-sxm.json [--profile P.json]]
 */
import { compareValidation, loadValidation } from '../src/perf/validation.ts';
import { GpuProfile } from '../src/perf/profile.ts';

const arg = (name: string, dflt?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const gpu = arg('gpu', 'h100-sxm')!;
const file = arg('validation', `calibration/validation/${gpu}.json`)!;
const profile = arg('profile');
const rows = compareValidation(gpu, loadValidation(file).cases, profile ? { profile: GpuProfile.load(profile) } : {});
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
console.log('| case | measured s | predicted s | time error | measured GB | predicted GB | memory error |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.case} | ${r.measured_s.toFixed(3)} | ${r.predicted_s.toFixed(3)} | ${pct(r.time_error)} | ${r.measured_gb.toFixed(2)} | ${r.predicted_gb.toFixed(2)} | ${pct(r.memory_error)} |`);
}
console.log('\n| case (≥ 1 s) | measured W | predicted W | error |');
console.log('|---|---:|---:|---:|');
for (const r of rows.filter((x) => x.measured_w !== undefined)) {
  console.log(`| ${r.case} | ${r.measured_w!.toFixed(0)} | ${r.predicted_w!.toFixed(0)} | ${pct(r.predicted_w! / r.measured_w! - 1)} |`);
}
const abs = (xs: number[]) => xs.map(Math.abs);
const t = abs(rows.filter((r) => r.kind !== 'text_encode').map((r) => r.time_error));
const m = abs(rows.map((r) => r.memory_error));
console.log(`\nDiT/VAE time: mean |error| ${(100 * t.reduce((a, b) => a + b, 0) / t.length).toFixed(1)}%, max ${(100 * Math.max(...t)).toFixed(1)}%; peak memory: mean |error| ${(100 * m.reduce((a, b) => a + b, 0) / m.length).toFixed(1)}%, max ${(100 * Math.max(...m)).toFixed(1)}%`);
