/**
 * Wan DiT blocks streamed from pinned host memory (calibration/offload_stream.py on a GPU), against vgsim's rule for
 * streamed weights (VALIDATION, not fitted; src/perf/offload-stream-validation.ts):
 *   npm run validate:offload-stream [-- --file calibration/offload/<gpu>.json] [-- --json]
 * Default: every run in calibration/offload/.
 */
import { existsSync, readdirSync } from 'node:fs';
import { compareOffloadStream, loadOffloadStreamRun } from '../src/perf/offload-stream-validation.ts';

const at = process.argv.indexOf('--file');
const dir = 'calibration/offload';
const files = at > 0 ? [process.argv[at + 1]!] : existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => `${dir}/${f}`) : [];
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
const ms = (x: number) => (x * 1e3).toFixed(1);
const all: Record<string, unknown> = {};
for (const f of files) {
  const run = loadOffloadStreamRun(f);
  const rows = compareOffloadStream(run);
  all[f] = rows;
  if (process.argv.includes('--json')) continue;
  console.log(`\n${f}: ${run.gpuName} (vgsim: ${run.gpu}), ${run.layers} blocks of ${run.model}, ${(run.blockBytes / 1e9).toFixed(2)} GB each; pinned H2D measured ${run.measuredH2dGBs?.toFixed(1) ?? '–'} GB/s`);
  console.log('| video | tokens | streamed as | resident ms | copy ms (profile rate) | measured ms | vgsim ms | error | longer | output vs resident |');
  console.log('|---|---:|---|---:|---:|---:|---:|---:|---|---:|');
  for (const r of rows) console.log(`| ${r.shape} | ${r.tokens} | ${r.mode} | ${ms(r.residentS)} | ${ms(r.copyS)} | ${ms(r.measuredS)} | ${ms(r.modelS)} | ${pct(r.error)} | ${r.longer} | ${r.maxAbsDiff ?? '–'} |`);
  const errs = rows.map((r) => Math.abs(r.error)).sort((a, b) => a - b);
  if (errs.length) console.log(`${errs.length} streamed runs: median |error| ${(100 * errs[Math.floor(errs.length / 2)]!).toFixed(1)}%, max ${(100 * errs[errs.length - 1]!).toFixed(1)}%`);
}
if (!files.length) console.log(`no runs in ${dir}/ yet (bash calibration/device_offload_call.sh on the GPU)`);
if (process.argv.includes('--json')) console.log(JSON.stringify(all, null, 2));
