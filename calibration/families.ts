/**
 * The non-Wan families against their published time and memory figures (held out, never fitted).
 *   npm run validate:families
 * Cases and sources: calibration/published/families.json; comparison: src/perf/published-families.ts.
 */
import { comparePublishedFamilies, loadPublishedFamilies, summarizeFamilies } from '../src/perf/published-families.ts';

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;
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
