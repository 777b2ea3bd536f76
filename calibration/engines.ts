/**
 * Published end-to-end (and stage) timings of Wan on serving engines through `vgsim estimate`, row by row.
 *   npm run validate:engines [-- --json]
 * Rows: calibration/published/engines-e2e.json (held out: nothing is fitted to them; the rows used for TeaCache's
 * schedule are excluded there, with every other row that cannot be expressed and why). Prints a Markdown table,
 * then the median |error| and how many rows land within 10% and 25%, overall and by confidence.
 */
import { compareEngines, loadEngineValidation, summarizeEngines } from '../src/perf/engine-validation.ts';

const file = loadEngineValidation('calibration/published/engines-e2e.json');
const rows = compareEngines(file.rows);
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ rows, summary: summarizeEngines(rows), excluded: file.excluded }, null, 2));
} else {
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
  const num = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  console.log('| id | engine | model | GPU | settings | metric | published | vgsim | error | confidence |');
  console.log('|---|---|---|---|---|---|---:|---:|---:|---|');
  for (const r of rows) console.log(`| ${r.id} | ${r.engine} | ${r.model} | ${r.gpus}x ${r.gpu} | ${r.settings} | ${r.metric} | ${num(r.published)} | ${num(r.vgsim)} | ${pct(r.error)} | ${r.confidence} |`);
  for (const c of [undefined, 'stated', 'inferred', 'low'] as const) {
    const s = summarizeEngines(c ? rows.filter((r) => r.confidence === c) : rows);
    console.log(`${c ?? 'all'}: ${s.n} rows, median |error| ${(100 * s.median).toFixed(1)}%, within 10%: ${s.within10}, within 25%: ${s.within25}`);
  }
  console.log(`excluded: ${file.excluded.map((x) => `${x.ids.join(', ')} (${x.reason})`).join('; ')}`);
}
