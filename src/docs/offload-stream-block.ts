/**
 * The streamed-weights tables: every run in calibration/offload/ (calibration/offload_stream.py on a GPU) against
 * vgsim's rule for streamed weights (src/perf/offload-stream-validation.ts), tabulated with its summary — the
 * README's block and `npm run validate:offload-stream` print the same tables, so the README's numbers are the
 * committed measurements' (test/offload-stream.test.ts).
 */
import { existsSync, readdirSync } from 'node:fs';
import { compareOffloadStream, loadOffloadStreamRun, type OffloadStreamRow } from '../perf/offload-stream-validation.ts';
import { packagePath } from '../package-files.ts';

export const OFFLOAD_DIR = 'calibration/offload';

/** The committed runs, as paths under the package (sorted). */
export function offloadRunFiles(): string[] {
  const dir = packagePath(OFFLOAD_DIR);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => `${dir}/${f}`) : [];
}

/** One run's table and summary (Markdown); `label` names the file. */
export function offloadRunMarkdown(file: string, label = file): { rows: OffloadStreamRow[]; markdown: string } {
  const run = loadOffloadStreamRun(file);
  const rows = compareOffloadStream(run);
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
  const ms = (x: number) => (x * 1e3).toFixed(1);
  const errs = rows.map((r) => Math.abs(r.error)).sort((a, b) => a - b);
  const out = [`\`${label}\` (${run.gpuName}): ${run.layers} blocks of ${run.model}, ${(run.blockBytes / 1e9).toFixed(2)} GB each; the run's own pinned copy ${run.measuredH2dGBs?.toFixed(1) ?? '–'} GB/s.`, ''];
  out.push('| video | tokens | streamed as | resident ms | copy ms | measured ms | vgsim ms | error | longer |', '|---|---:|---|---:|---:|---:|---:|---:|---|');
  for (const r of rows) out.push(`| ${r.shape} | ${r.tokens} | ${r.mode} | ${ms(r.residentS)} | ${ms(r.copyS)} | ${ms(r.measuredS)} | ${ms(r.modelS)} | ${pct(r.error)} | ${r.longer} |`);
  if (errs.length) out.push('', `${errs.length} streamed runs: median |error| **${(100 * errs[Math.floor(errs.length / 2)]!).toFixed(1)}%**, max ${(100 * errs[errs.length - 1]!).toFixed(1)}%; every eager streamed output equal to the resident one: ${rows.filter((r) => !r.mode.endsWith('-compiled')).every((r) => r.maxAbsDiff === 0) ? 'yes' : 'no'}.`);
  return { rows, markdown: out.join('\n') };
}

export function offloadStreamBlock(): string {
  const files = offloadRunFiles();
  if (!files.length) return 'No measured run yet (`bash calibration/device_offload_call.sh` on the GPU).';
  return files.map((f) => offloadRunMarkdown(f, `${OFFLOAD_DIR}/${f.split('/').pop()}`).markdown).join('\n\n');
}
