/**
 * Re-runs the README's hardware comparison (npm run readme:size, a few minutes):
 *
 *   vgsim size scenarios/default.yaml --slo 'p95<=45m' --rate 120/h --set duration=24h
 *
 * and writes docs/data/size-hardware.json (the cheapest option of each node type, with its node price, and the
 * node types skipped with the reason) and docs/images/size-pareto.svg|png. The README's `size-hardware` block is
 * rendered from the JSON (npm run readme); test/readme.test.ts fails when a node price in it is no longer the
 * catalog's, so a price change forces this script to run again.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { parseSlo } from '../src/studies/capacity.ts';
import { sizeCluster } from '../src/studies/size.ts';
import { paretoChart } from '../src/report/charts/size.ts';
import { renderPng, renderSvg } from '../src/report/charts.ts';
import { SIZE_HARDWARE_FILE, SIZE_HARDWARE_RUN, sizeHardwareOf } from '../src/docs/readme-size.ts';

const started = performance.now();
const file = SIZE_HARDWARE_RUN.scenario;
const loaded = loadScenario(file, { set: [...SIZE_HARDWARE_RUN.set] });
const res = sizeCluster(loaded.scenario, {
  terms: parseSlo(SIZE_HARDWARE_RUN.slo), ratePerH: SIZE_HARDWARE_RUN.ratePerH, layouts: 3, maxNodes: 64, maxSims: 300,
  sim: { baseDir: dirname(resolve(file)), locate: loaded.locate },
  onOption: (r) => process.stderr.write(`${r.label}: ${r.nodes ?? '-'} nodes\n`),
});
mkdirSync(dirname(SIZE_HARDWARE_FILE), { recursive: true });
writeFileSync(SIZE_HARDWARE_FILE, `${JSON.stringify(sizeHardwareOf(res), null, 2)}\n`);
const svg = await renderSvg(paretoChart(res));
writeFileSync('docs/images/size-pareto.svg', svg);
const width = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1] ?? 900);
writeFileSync('docs/images/size-pareto.png', renderPng(svg, { scale: 900 / width }));
console.log(`wrote ${SIZE_HARDWARE_FILE} and docs/images/size-pareto.svg|png (${res.simulations} simulations, ${((performance.now() - started) / 1000).toFixed(0)} s); now run npm run readme`);
