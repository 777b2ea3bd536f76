/**
 * Serving-engine kernels measured by calibration/engines_bench.py against vgsim's prices of the same work
 * (src/perf/engine-kernels.ts): GEMMs (bf16, FP8, INT8), attention (SDPA cuDNN and flash) and its FP8 input
 * passes, activation quantisation and its full-tensor reduction, RoPE chains and one Wan 14B block eager vs
 * compiled, over every committed run (ENGINE_BENCH_FILES).
 *   npm run validate:engine-kernels [-- --json] [-- --file calibration/engines/<run>.json [--gpu h200] [--sdpa-backend-applied]]
 * Every row says whether it is a held-out check or was used to set a rate (calibration).
 */
import { compareEngineBenchFiles, ENGINE_BENCH_FILES, engineKernelsMarkdown, LEFT_OUT, loadEngineBench, summarizeKernelRows, type EngineBenchRun } from '../src/perf/engine-kernels.ts';

const at = process.argv.indexOf('--file');
const g = process.argv.indexOf('--gpu');
const files: readonly EngineBenchRun[] = at > 0
  ? [{ file: process.argv[at + 1]!, gpu: g > 0 ? process.argv[g + 1]! : 'h100-sxm', sdpaBackendApplied: process.argv.includes('--sdpa-backend-applied') }]
  : ENGINE_BENCH_FILES;
if (process.argv.includes('--json')) {
  const rows = compareEngineBenchFiles(loadEngineBench, files);
  console.log(JSON.stringify({ files: files.map((f) => ({ file: f.file, gpu: f.gpu })), rows, checks: summarizeKernelRows(rows.filter((r) => r.role === 'check')), left_out: LEFT_OUT }, null, 2));
} else {
  console.log(engineKernelsMarkdown(loadEngineBench, files));
}
