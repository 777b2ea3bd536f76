/**
 * The non-Wan families against their published time and memory figures and, where calibration/families/ holds
 * a families_measure.py run, against our own GPU measurements (held out, never fitted).
 *   npm run validate:families
 * Published cases and sources: calibration/published/families.json (src/perf/published-families.ts).
 * Measurements: calibration/families/<gpu>[-l<N>].json (src/perf/family-measurements.ts); a run with --layers N
 * is compared with the same model cut to N blocks of each kind, built from its diffusers config.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { comparePublishedFamilies, loadPublishedFamilies, summarizeFamilies } from '../src/perf/published-families.ts';
import { compareFamilyMeasurements, gpuOfMeasurementFile, loadFamilyMeasurements } from '../src/perf/family-measurements.ts';
import { packagePath } from '../src/package-files.ts';

const pct = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%` : '–');
const rows = comparePublishedFamilies();
console.log('| case | model | GPU | plan | metric | published | vgsim | error | setting |');
console.log('|---|---|---|---|---|---:|---:|---:|---|');
for (const r of rows) {
  console.log(`| ${r.id} | ${r.model} | ${r.gpu} | ${r.plan} | ${r.metric} | ${r.published} ${r.unit} | ${r.vgsim.toFixed(r.vgsim >= 100 ? 0 : 1)} ${r.unit} | ${pct(r.error)} | ${r.well_specified ? 'well specified' : `loose: ${r.setting_gap}`} |`);
}
console.log('');
for (const s of summarizeFamilies(rows)) {
  console.log(`${s.family}: well-specified ${s.well.n} cases, median |error| ${(100 * s.well.medianAbs).toFixed(1)}%, max ${(100 * s.well.maxAbs).toFixed(1)}%; loose ${s.loose.n} cases, median ${(100 * s.loose.medianAbs).toFixed(1)}%`);
}
for (const n of loadPublishedFamilies().not_comparable) console.log(`not compared: ${n.model}: ${n.why}`);

// our own measurements (calibration/families_measure.py), when a run is there
const dir = packagePath('calibration/families');
const runs = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'reference-counts.json').sort();
if (runs.length === 0) console.log('\nno families_measure.py run in calibration/families/ yet (see calibration/README.md)');
for (const file of runs) {
  const f = loadFamilyMeasurements(join(dir, file));
  const gpu = gpuOfMeasurementFile(file);
  const measured = compareFamilyMeasurements(gpu, f);
  const setting = [f.layers !== null && f.layers !== undefined ? `${f.layers} blocks of each kind` : 'full depth', f.quick ? 'quick (small latents)' : 'full-size latents', f.tiny ? 'TINY (code-path check, not a measurement)' : ''].filter(Boolean).join(', ');
  console.log(`\n${file}: ${f.device}, torch ${f.torch}, ${setting}; vgsim on ${gpu}`);
  console.log('| case | blocks | measured | vgsim | time error | measured peak GB | vgsim peak GB | memory error | weights error |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of measured) {
    console.log(`| ${r.case} | ${r.depth ?? '–'} | ${r.measured_s.toFixed(3)} s | ${r.predicted_s.toFixed(3)} s | ${pct(r.time_error)} | ${r.measured_gb.toFixed(2)} | ${r.predicted_gb.toFixed(2)} | ${pct(r.memory_error)} | ${r.weights_error === undefined ? '–' : pct(r.weights_error)} |`);
  }
  const errored = f.cases.filter((c) => c.error);
  for (const c of errored) console.log(`not compared: ${c.kind} ${c.model ?? c.vae}: ${c.error}`);
  const abs = (xs: number[]) => xs.filter(Number.isFinite).map(Math.abs).sort((a, b) => a - b);
  const med = (xs: number[]) => (xs.length ? xs[Math.floor(xs.length / 2)]! : NaN);
  const t = abs(measured.map((r) => r.time_error));
  const m = abs(measured.map((r) => r.memory_error));
  console.log(`${measured.length} cases: time median |error| ${pct(med(t))}, max ${pct(t[t.length - 1] ?? NaN)}; peak memory median |error| ${pct(med(m))}, max ${pct(m[m.length - 1] ?? NaN)}`);
}
