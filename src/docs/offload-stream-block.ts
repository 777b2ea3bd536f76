/**
 * The README's streamed-weights block: every run in calibration/offload/ (calibration/offload_stream.py on a GPU)
 * against vgsim's rule for streamed weights (src/perf/offload-stream-validation.ts), tabulated with its summary,
 * so the README's numbers are the committed measurements' (test/offload-stream.test.ts).
 */
import { existsSync, readdirSync } from 'node:fs';
import { compareOffloadStream, loadOffloadStreamRun } from '../perf/offload-stream-validation.ts';
import { packagePath } from '../package-files.ts';

export const OFFLOAD_DIR = 'calibration/offload';

export function offloadStreamBlock(): string {
  const dir = packagePath(OFFLOAD_DIR);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
  if (!files.length) return 'No measured run yet (`bash calibration/device_offload_call.sh` on the GPU).';
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
  const ms = (x: number) => (x * 1e3).toFixed(1);
  const out: string[] = [];
  for (const f of files) {
    const run = loadOffloadStreamRun(`${dir}/${f}`);
    const rows = compareOffloadStream(run);
    const errs = rows.map((r) => Math.abs(r.error)).sort((a, b) => a - b);
    out.push(`\`${OFFLOAD_DIR}/${f}\` (${run.gpuName}): ${run.layers} blocks of ${run.model}, ${(run.blockBytes / 1e9).toFixed(2)} GB each; the run's own pinned copy ${run.measuredH2dGBs?.toFixed(1) ?? '–'} GB/s.`, '');
    out.push('| video | tokens | streamed as | resident ms | copy ms | measured ms | vgsim ms | error | longer |', '|---|---:|---|---:|---:|---:|---:|---:|---|');
    for (const r of rows) out.push(`| ${r.shape} | ${r.tokens} | ${r.mode} | ${ms(r.residentS)} | ${ms(r.copyS)} | ${ms(r.measuredS)} | ${ms(r.modelS)} | ${pct(r.error)} | ${r.longer} |`);
    if (errs.length) out.push('', `${errs.length} streamed runs: median |error| **${(100 * errs[Math.floor(errs.length / 2)]!).toFixed(1)}%**, max ${(100 * errs[errs.length - 1]!).toFixed(1)}%; every eager streamed output equal to the resident one: ${rows.filter((r) => !r.mode.endsWith('-compiled')).every((r) => r.maxAbsDiff === 0) ? 'yes' : 'no'}.`, '');
  }
  return out.join('\n').trimEnd();
}
