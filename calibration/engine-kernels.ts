/**
 * Serving-engine kernels measured by calibration/engines_bench.py against vgsim's prices of the same work
 * (src/perf/engine-kernels.ts): GEMMs (bf16, FP8, INT8), attention and its FP8 input passes, activation
 * quantisation, RoPE chains and one Wan 14B block eager vs compiled.
 *   npm run validate:engine-kernels [-- --json] [-- --file calibration/engines/h100-sxm.json]
 * Every row says whether it is a held-out check or was used to set a rate (calibration).
 */
import { compareEngineKernels, engineKernelsMarkdown, LEFT_OUT, loadEngineBench, summarizeKernelRows } from '../src/perf/engine-kernels.ts';

const at = process.argv.indexOf('--file');
const file = at > 0 ? process.argv[at + 1]! : 'calibration/engines/h100-sxm.json';
if (process.argv.includes('--json')) {
  const rows = compareEngineKernels(loadEngineBench(file));
  console.log(JSON.stringify({ file, rows, checks: summarizeKernelRows(rows.filter((r) => r.role === 'check')), left_out: LEFT_OUT }, null, 2));
} else {
  console.log(engineKernelsMarkdown(file));
}
