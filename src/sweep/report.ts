/**
 * What a sweep shows, one concern per file: the terminal table (text.ts), the charts of each metric against
 * each parameter (charts.ts), the table columns (columns.ts), and here sweep.html and the files `--out`
 * writes — with, for sweeps of up to 12 runs, the side-by-side compare.html of report/compare-html.ts.
 *
 *   sweepText(plan, records)             the table printed at the end (points by id, best marked)
 *   sweepCharts(plan, records)           Vega-Lite specs: metrics vs every numeric parameter, bars per value
 *                                        of the others (categorical parameters, variants)
 *   writeSweepReport(dir, plan, records) sweep.html, charts/sweep-*.svg|png (+ compare.* for ≤ 12 runs)
 *
 * Deterministic: a pure function of the plan and the records (no wall time, worker count or shard layout).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { SimulationResult } from '../serving/simulate.ts';
import { escapeHtml, inlineSvg, htmlHead, REPORT_CSS } from '../report/html.ts';
import { renderPng, renderSvg, type NamedChart } from '../report/charts.ts';
import { runLabels, type CompareRun } from '../report/compare.ts';
import { writeCompareOutput } from '../report/compare-html.ts';
import type { SweepPlan } from './spec.ts';
import { METRICS, bestPoints, metric, pointSummaries, type SweepRecord } from './output.ts';
import { TABLE_HEADS, TABLE_METRICS, formatMetricValue, parameterCells } from './columns.ts';
import { sweepCharts } from './charts.ts';

export { sweepText } from './text.ts';
export { sweepCharts } from './charts.ts';
export { formatMetricValue } from './columns.ts';

/** Sweeps of at most this many runs also get compare.html (every run side by side). */
export const COMPARE_MAX_RUNS = 12;

// ---------------------------------------------------------------------------------------------------
// HTML

/** report.html's stylesheet (rendered from a result with no chart, so it costs nothing): one look for every page. */
interface RenderedChart extends NamedChart {
  svg: string;
}

const EXTRA_CSS = `
td.best { font-weight: bold; color: #2e7d32; }
tr.error td { color: #c0392b; }
.files a { margin-right: 12px; }
`;

function figure(c: RenderedChart): string {
  return `<figure id="fig-${escapeHtml(c.id)}">
<div class="chart">${inlineSvg(c.svg, c.id)}</div>
<figcaption>${escapeHtml(c.caption)} <span class="files"><a href="charts/${escapeHtml(c.id)}.svg">SVG</a> · <a href="charts/${escapeHtml(c.id)}.png">PNG</a></span></figcaption>
</figure>`;
}

function card(label: string, value: string, note: string): string {
  return `<div class="card"><div class="value">${escapeHtml(value)}</div><div class="label">${escapeHtml(label)}</div><div class="note">${escapeHtml(note)}</div></div>`;
}

export async function renderSweepHtml(plan: SweepPlan, records: readonly SweepRecord[], opts: { compare?: boolean } = {}): Promise<{ html: string; charts: RenderedChart[] }> {
  const points = pointSummaries(plan, records);
  const best = bestPoints(points);
  const charts: RenderedChart[] = [];
  for (const c of sweepCharts(plan, records)) charts.push({ ...c, svg: await renderSvg(c.spec) });
  const errors = records.filter((r) => r.status === 'error');
  const title = `vgsim sweep — ${plan.scenario}`;
  const out: string[] = [];
  out.push(`${htmlHead(title, REPORT_CSS + EXTRA_CSS)}
<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${escapeHtml(`${plan.mode} sweep · ${points.length} points${plan.replicate_seeds > 1 ? ` × ${plan.replicate_seeds} seeds` : ''} · ${records.length - errors.length} runs ok, ${errors.length} failed${plan.limit !== null ? ` · first ${plan.points.length} of ${plan.total} runs (--limit)` : ''} · spec ${plan.hash}`)}</p>
<nav><a href="#best">Best</a><a href="#charts">Charts</a><a href="#points">Points</a><a href="#errors">Errors</a><a href="#spec">Spec</a>${opts.compare ? '<a href="compare.html">Side by side</a>' : ''}</nav>
<p class="files muted">Data: <a href="points.csv">points.csv</a><a href="points.jsonl">points.jsonl</a><a href="sweep.json">sweep.json</a></p>
</header>`);

  // best
  const bestCard = (idx: number | null, what: string, key: string) => {
    if (idx === null) return card(what, '–', 'no eligible point');
    const p = points.find((x) => x.point === idx)!;
    return card(what, formatMetricValue(p.metrics[key], metric(key).unit), `point ${idx}: ${p.label}`);
  };
  out.push(`<section id="best"><h2>Best points</h2><div class="cards">
${bestCard(best.latency_p95, 'lowest p95 latency', 'latency_p95_s')}
${bestCard(best.usd_per_video, 'lowest $ per video', 'usd_per_video')}
${bestCard(best.throughput_per_h, 'highest throughput (videos/h)', 'throughput_per_h')}
</div><p class="muted">${escapeHtml(best.note ?? 'Among the points that dropped or failed no request.')}</p></section>`);

  // charts
  out.push(`<section id="charts"><h2>Charts</h2>`);
  if (!charts.length) out.push('<p class="muted">No parameter takes two or more values among the successful points.</p>');
  for (const c of charts) out.push(figure(c));
  out.push('</section>');

  // points
  const heads = ['point', ...(plan.variants ? ['variant'] : []), ...plan.parameters.map((p) => p.short), ...(plan.replicate_seeds > 1 ? ['runs'] : []), 'completed', ...TABLE_METRICS.map((k) => TABLE_HEADS[k])];
  const left = 1 + (plan.variants ? 1 : 0) + plan.parameters.length;
  const th = heads.map((h, i) => `<th${i === 0 || i >= left ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('');
  const body = points.map((p) => {
    const cells = [`<td class="num">${p.point}</td>`, ...parameterCells(plan, p).map((c) => `<td>${escapeHtml(c)}</td>`)];
    if (plan.replicate_seeds > 1) cells.push(`<td class="num">${p.ok}/${p.ids.length}</td>`);
    if (p.ok === 0) {
      cells.push(`<td colspan="${TABLE_METRICS.length + 1}">${escapeHtml(p.errors.join('; '))}</td>`);
      return `<tr class="error">${cells.join('')}</tr>`;
    }
    cells.push(`<td class="num">${escapeHtml(`${p.metrics.completed?.toFixed(0)}/${p.metrics.arrived?.toFixed(0)}`)}</td>`);
    for (const k of TABLE_METRICS) {
      const isBest = (k === 'latency_p95_s' && best.latency_p95 === p.point) || (k === 'usd_per_video' && best.usd_per_video === p.point) || (k === 'throughput_per_h' && best.throughput_per_h === p.point);
      cells.push(`<td class="num${isBest ? ' best' : ''}">${escapeHtml(formatMetricValue(p.metrics[k], metric(k).unit))}</td>`);
    }
    return `<tr>${cells.join('')}</tr>`;
  });
  out.push(`<section id="points"><h2>Points</h2><p class="muted">${escapeHtml(`Sorted by point id${plan.replicate_seeds > 1 ? '; metrics are means over the replicate seeds' : ''}. Bold green: best p95, $ per video and throughput. Every run, with all of ${METRICS.length} metrics, is in points.csv.`)}</p><div class="scroll"><table><thead><tr>${th}</tr></thead>\n<tbody>\n${body.join('\n')}\n</tbody></table></div></section>`);

  // errors
  out.push(`<section id="errors"><h2>Errors</h2>`);
  if (!errors.length) out.push('<p class="muted">None: every run was valid and finished.</p>');
  else out.push(`<ul class="warnings">\n${errors.map((e) => `<li>${escapeHtml(`run ${e.id} (${e.label}, seed ${e.seed}): ${e.error}`)}</li>`).join('\n')}\n</ul>`);
  out.push('</section>');

  // spec
  out.push(`<section id="spec"><h2>Sweep spec</h2><pre>${escapeHtml(stringify({ sweep: plan.spec }, { lineWidth: 0 }))}</pre></section>`);
  out.push(`<footer>Generated by vgsim sweep. Charts are Vega-Lite specs rendered without a browser; this page loads nothing from the network.</footer>
</main>
</body>
</html>
`);
  return { html: out.join('\n'), charts };
}

/** Write sweep.html and charts/sweep-*.svg|png (and compare.html, compare.json, charts/compare-* for ≤ 12 runs). */
export async function writeSweepReport(dir: string, plan: SweepPlan, records: readonly SweepRecord[]): Promise<string[]> {
  const chartDir = join(dir, 'charts');
  mkdirSync(chartDir, { recursive: true });
  // charts of an earlier sweep into the same folder would otherwise linger next to this one's
  if (existsSync(chartDir)) for (const f of readdirSync(chartDir)) if (/^sweep-.*\.(svg|png)$/.test(f)) rmSync(join(chartDir, f));
  const ok = records.filter((r) => r.summary);
  const compare = ok.length >= 2 && records.length <= COMPARE_MAX_RUNS;
  const { html, charts } = await renderSweepHtml(plan, records, { compare });
  const files: string[] = [];
  const write = (path: string, data: string | Buffer) => {
    writeFileSync(path, data);
    files.push(path);
  };
  write(join(dir, 'sweep.html'), html);
  for (const c of charts) {
    write(join(chartDir, `${c.id}.svg`), c.svg);
    write(join(chartDir, `${c.id}.png`), renderPng(c.svg));
  }
  if (compare) {
    const names = ok.map((r) => ({ name: `${r.id}: ${r.label}${plan.replicate_seeds > 1 ? ` (seed ${r.seed})` : ''}` }));
    const labels = runLabels(names);
    const runs: CompareRun[] = ok.map((r, i) => ({
      label: labels[i]!,
      result: { ...r.summary!, wall_time_s: 0, timeseries: [] } as unknown as SimulationResult,
    }));
    files.push(...(await writeCompareOutput(dir, runs, { title: `vgsim sweep — ${plan.scenario}: ${ok.length} runs side by side` })));
  }
  return files;
}
