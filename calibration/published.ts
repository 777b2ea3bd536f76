/**
 * The official Wan2.2 computational-efficiency table through `vgsim estimate`, case by case.
 *   npm run validate:published [-- --json]
 * Every row of calibration/published/wan22-comp-effic.json at 1, 4 and 8 GPUs, with the table footnote's
 * flags as an official launch line (src/parallel/official-flags.ts), compared on total time per video and
 * peak memory (the table's "GB" read as GiB). Prints a Markdown table, then median and max |error|.
 */
import { comparePublished, loadPublishedTable, summarize } from '../src/perf/published.ts';

const table = loadPublishedTable('calibration/published/wan22-comp-effic.json');
const rows = comparePublished(table);
// the same cases with IEEE fp32 matmuls (PyTorch's default) instead of TF32: which the table is consistent with
const ieee = summarize(comparePublished(table, { fp32Matmul: 'ieee' }));
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ rows, summary: summarize(rows), ieee }, null, 2));
} else {
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
  console.log('| GPU | model | size | GPUs | flags | published s | vgsim s | time error | published GiB | vgsim GiB | memory error |');
  console.log('|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.gpu_label} | ${r.task}${r.mode ? ` ${r.mode.toUpperCase()}` : ''} | ${r.size} | ${r.gpus} | \`${r.plan}\` | ${r.published_s.toFixed(1)} | ${r.vgsim_s.toFixed(1)} | ${pct(r.time_error)} | ${r.published_gib.toFixed(1)} | ${r.vgsim_gib.toFixed(1)} | ${pct(r.memory_error)} |`);
  }
  const s = summarize(rows);
  console.log(`\n${rows.length} cases: time median |error| ${(100 * s.time.median).toFixed(1)}%, max ${(100 * s.time.max).toFixed(1)}%; peak memory median |error| ${(100 * s.memory.median).toFixed(1)}%, max ${(100 * s.memory.max).toFixed(1)}%`);
  for (const [gpu, g] of Object.entries(s.byGpu)) console.log(`  ${gpu}: time median ${(100 * g.time.median).toFixed(1)}%, max ${(100 * g.time.max).toFixed(1)}%; memory median ${(100 * g.memory.median).toFixed(1)}%, max ${(100 * g.memory.max).toFixed(1)}%`);
  console.log(`with --fp32-matmul ieee (PyTorch's default) instead: time median ${(100 * ieee.time.median).toFixed(1)}%, max ${(100 * ieee.time.max).toFixed(1)}%`);
}
