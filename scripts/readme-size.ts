/**
 * Redraws the README's cost-vs-p95 chart (npm run readme:size, a few seconds) from the hardware comparison
 *
 *   vgsim size scenarios/default.yaml --slo 'p95<=45m' --rate 120/h --set duration=24h
 *
 * into docs/images/size-pareto.svg|png. The README's `size-hardware` table is not stored: `npm run readme`
 * runs the same search (src/docs/readme-size.ts) and test/readme.test.ts fails when the table is stale.
 */
import { writeFileSync } from 'node:fs';
import { paretoChart } from '../src/report/charts/size.ts';
import { renderPng, renderSvg } from '../src/report/charts.ts';
import { runSizeHardware } from '../src/docs/readme-size.ts';

const started = performance.now();
const res = runSizeHardware((label, nodes) => process.stderr.write(`${label}: ${nodes ?? '-'} nodes\n`));
const svg = await renderSvg(paretoChart(res));
writeFileSync('docs/images/size-pareto.svg', svg);
const width = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1] ?? 900);
writeFileSync('docs/images/size-pareto.png', renderPng(svg, { scale: 900 / width }));
console.log(`wrote docs/images/size-pareto.svg|png (${res.simulations} simulations, ${((performance.now() - started) / 1000).toFixed(0)} s)`);
