/**
 * The Wan2.1 VAE's fp32 encode and decode, whole-frame and tiled (calibration/wan_vae_tiled.py on a GPU), against
 * vgsim's prices of the same stages (VALIDATION, not fitted; src/perf/vae-tiled-validation.ts):
 *   npm run validate:vae-tiled [-- --file calibration/vae/<gpu>.json] [-- --json]
 * Default: every run in calibration/vae/.
 */
import { existsSync, readdirSync } from 'node:fs';
import { compareVaeTiled, loadVaeTiledRun } from '../src/perf/vae-tiled-validation.ts';

const at = process.argv.indexOf('--file');
const dir = 'calibration/vae';
const files = at > 0 ? [process.argv[at + 1]!] : existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('cpu-')).sort().map((f) => `${dir}/${f}`) : [];
const pct = (x: number | null) => (x === null ? '–' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`);
const num = (x: number | null | undefined, d = 2) => (x === null || x === undefined ? '–' : x.toFixed(d));
const all: Record<string, unknown> = {};
for (const f of files) {
  const run = loadVaeTiledRun(f);
  const rows = compareVaeTiled(run);
  all[f] = rows;
  if (process.argv.includes('--json')) continue;
  console.log(`\n${f}: ${run.gpuName} (vgsim: ${run.gpu})`);
  console.log('| video | stage | measured s | vgsim s | error | tiled / whole, measured | tiled / whole, vgsim |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.case} | ${r.op}${r.skipped ? ` (${r.skipped})` : ''} | ${num(r.measuredS)} | ${num(r.modelS)} | ${pct(r.error)} | ${num(r.tiledRatio?.measured)} | ${num(r.tiledRatio?.model)} |`);
  const errs = rows.map((r) => r.error).filter((x): x is number => x !== null).map(Math.abs).sort((a, b) => a - b);
  if (errs.length) console.log(`${errs.length} timed stages: median |error| ${(100 * errs[Math.floor(errs.length / 2)]!).toFixed(1)}%, max ${(100 * errs[errs.length - 1]!).toFixed(1)}%`);
}
if (!files.length) console.log(`no runs in ${dir}/ yet (python3 calibration/wan_vae_tiled.py --out ${dir}/<gpu>.json on the GPU)`);
if (process.argv.includes('--json')) console.log(JSON.stringify(all, null, 2));
