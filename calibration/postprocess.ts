/**
 * The post-processing networks' operator model against calibration/postprocess_bench.py (VALIDATION, not fitted):
 *   npm run validate:postprocess [-- --file calibration/postprocess/h100-sxm.json] [-- --json]
 * Default: every GPU run in calibration/postprocess/ (the H100 file is named even while it is missing), and always
 * the CPU --tiny file's FLOP counts.
 */
import { existsSync, readdirSync } from 'node:fs';
import { comparePostprocess, loadBench } from '../src/perf/postprocess-validation.ts';

const arg = (k: string) => {
  const i = process.argv.indexOf(k);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const gpuRuns = readdirSync('calibration/postprocess').filter((f) => f.endsWith('.json') && !f.startsWith('cpu-')).map((f) => `calibration/postprocess/${f}`);
const files = arg('--file') ? [arg('--file')!] : [...new Set(['calibration/postprocess/h100-sxm.json', ...gpuRuns.sort()]), 'calibration/postprocess/cpu-tiny.json'];
const pct = (x: number | null) => (x === null ? '–' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`);
const num = (x: number | null, d = 2) => (x === null ? '–' : x.toFixed(d));
const all: Record<string, unknown> = {};
for (const f of files) {
  if (!existsSync(f)) {
    console.log(`${f}: not measured yet (python3 calibration/postprocess_bench.py --out ${f} on the GPU)`);
    continue;
  }
  const bench = loadBench(f);
  const rows = comparePostprocess(bench);
  all[f] = rows;
  if (process.argv.includes('--json')) continue;
  console.log(`\n${f}: ${bench.device === 'cuda' ? bench.gpu_name : 'CPU (FLOPs only)'}`);
  console.log('| network | input | dtype | FLOPs (hooks) | FLOPs (model) | measured ms | model ms | time error | measured GB | model GB |');
  console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.network} | ${r.resolution} | ${r.dtype} | ${r.flops_measured ?? '–'} | ${r.flops_model} | ${num(r.measured_ms)} | ${num(r.model_ms)} | ${pct(r.time_error)} | ${num(r.measured_gb)} | ${num(r.model_gb)} |`);
  const errs = rows.map((r) => r.time_error).filter((x): x is number => x !== null).map(Math.abs).sort((a, b) => a - b);
  if (errs.length) console.log(`${errs.length} timed cases: median |time error| ${(100 * errs[Math.floor(errs.length / 2)]!).toFixed(1)}%, max ${(100 * errs[errs.length - 1]!).toFixed(1)}%`);
  const flopsOff = rows.filter((r) => r.flops_measured !== null && r.flops_measured !== r.flops_model);
  console.log(flopsOff.length ? `FLOPs differ in ${flopsOff.length} cases` : 'FLOPs: the operator lists match the hook counts exactly');
}
if (process.argv.includes('--json')) console.log(JSON.stringify(all, null, 2));
