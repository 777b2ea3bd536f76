/**
 * The non-Wan families against their published time and memory figures and, where calibration/families/ holds
 * a families_measure.py run, against our own GPU measurements (held out, never fitted).
 *   npm run validate:families
 * Published cases and sources: calibration/published/families.json (src/perf/published-families.ts).
 * Measurements: calibration/families/<gpu>[-l<N>].json (src/perf/family-measurements.ts); a run with --layers N
 * is compared with the same model cut to N blocks of each kind, built from its diffusers config.
 */
import { comparePublishedFamilies, loadPublishedFamilies, summarizeFamilies } from '../src/perf/published-families.ts';
import { familiesMeasured } from '../src/docs/readme-families.ts';

const pct = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%` : '–');
const rows = comparePublishedFamilies();
console.log('| case | model | GPU | plan | metric | published | vgsim | error | setting |');
console.log('|---|---|---|---|---|---:|---:|---:|---|');
for (const r of rows) {
  console.log(`| ${r.id} | ${r.model} | ${r.gpu} | ${r.plan} | ${r.metric} | ${r.published} ${r.unit} | ${r.vgsim.toFixed(r.vgsim >= 100 ? 0 : 1)} ${r.unit} | ${pct(r.error)} | ${r.well_specified ? 'well specified' : `loose: ${r.setting_gap}`} |`);
}
console.log('');
for (const s of summarizeFamilies(rows)) {
  const part = (what: string, x: { n: number; medianAbs: number; maxAbs: number }, max: boolean) => (x.n ? `${what} ${x.n} cases, median |error| ${(100 * x.medianAbs).toFixed(1)}%${max ? `, max ${(100 * x.maxAbs).toFixed(1)}%` : ''}` : `no ${what} case`);
  console.log(`${s.family}: ${part('well-specified', s.well, true)}; ${part('loose', s.loose, false)}`);
}
for (const n of loadPublishedFamilies().not_comparable) console.log(`not compared: ${n.model}: ${n.why}`);

// our own measurements (calibration/families_measure.py), rendered as the README's families-measured block
console.log(`\n${familiesMeasured()}`);
