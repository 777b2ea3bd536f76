/**
 * Wan DiT blocks streamed from pinned host memory (calibration/offload_stream.py on a GPU), against vgsim's rule for
 * streamed weights (VALIDATION, not fitted; src/perf/offload-stream-validation.ts), as the README tabulates them:
 *   npm run validate:offload-stream [-- --file calibration/offload/<gpu>.json] [-- --json]
 * Default: every run in calibration/offload/. Each streamed output's difference from the resident one is in --json.
 */
import { relative } from 'node:path';
import { offloadRunFiles, offloadRunMarkdown } from '../src/docs/offload-stream-block.ts';

const at = process.argv.indexOf('--file');
const files = at > 0 ? [process.argv[at + 1]!] : offloadRunFiles();
const json = process.argv.includes('--json');
const all: Record<string, unknown> = {};
for (const f of files) {
  const { rows, markdown } = offloadRunMarkdown(f, relative(process.cwd(), f));
  all[f] = rows;
  if (!json) console.log(`\n${markdown}`);
}
if (!files.length) console.log('no runs in calibration/offload/ yet (bash calibration/device_offload_call.sh on the GPU)');
if (json) console.log(JSON.stringify(all, null, 2));
