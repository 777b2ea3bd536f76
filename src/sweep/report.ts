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
import { readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { SimulationResult } from '../serving/simulate.ts';
import { escapeHtml, inlineSvg, htmlHead, REPORT_CSS } from '../report/html.ts';
import { renderPngs, renderSvg, type NamedChart } from '../report/charts.ts';
import { runLabels, type CompareRun } from '../report/compare.ts';
import { writeCompareOutput } from '../report/compare-html.ts';
import type { SweepPlan } from './spec.ts';
import { sweepResult, type SweepRecord, type SweepResult } from './output.ts';
import { METRICS, metric } from './metrics.ts';
import type { PointSummary } from './points.ts';
import { bestBy, lowConfidence, objectivesAt, type BestKey, type BestPoints } from './best.ts';
import { checkedAlternative, pointCaveats, sweepEvidenceLines } from './evidence.ts';
import { TABLE_HEADS, formatMetricValue, formatRange, parameterCells } from './columns.ts';
import { sweepCharts } from './charts.ts';
import { makeDirs } from '../make-dirs.ts';

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

/** The metrics of the HTML table (fewer than the terminal's, so the table fits the page). */
const HTML_METRICS = ['throughput_per_h', 'latency_p95_s', 'latency_p99_s', 'slo_attainment', 'energy_per_video_wh', 'usd_per_video'] as const;

const EXTRA_CSS = `
td.best { font-weight: bold; color: #2e7d32; }
td.wrap-short { white-space: normal; min-width: 4em; }
span.ci { color: var(--muted); font-size: 11.5px; white-space: nowrap; }
table.compact th, table.compact td { padding: 4px 7px; }
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

export async function renderSweepHtml(plan: SweepPlan, records: readonly SweepRecord[], opts: { compare?: boolean } = {}, result: SweepResult = sweepResult(plan, records)): Promise<{ html: string; charts: RenderedChart[] }> {
  const { points, best, verdicts } = result;
  const charts: RenderedChart[] = [];
  for (const c of sweepCharts(plan, records, points)) charts.push({ ...c, svg: await renderSvg(c.spec) });
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

  // best: only among the points that meet the objectives, each with its objectives next to it
  // each card reads its own ranking's pick and reason (the $ per video card said "no point meets the objectives" where
  // points did and were priced on different bases, and the alternative's cards took none of its own reasons)
  const bestCard = (of: BestPoints, what: string, key: BestKey) => {
    const { point: idx, note } = bestBy(of, key);
    if (idx === null) return card(what, '–', note ?? 'no point meets the objectives');
    const p = points.find((x) => x.point === idx)!;
    const v = verdicts.find((x) => x.point === idx)!;
    const ci = p.ci?.[key];
    const c = [...pointCaveats(records, p), ...[lowConfidence(v)].filter((x): x is string => x !== null)];
    return card(what, formatMetricValue(p.metrics[key], metric(key).unit), `${ci ? `95% interval ${formatRange(ci.lo, ci.hi, metric(key).unit)}; ` : ''}point ${idx}: ${p.label} — ${objectivesAt(plan, points, v)}${c.length ? ` [${c.join('; ')}]` : ''}`);
  };
  const evidence = sweepEvidenceLines(records, points);
  const alt = best.meeting > 0 ? checkedAlternative(plan, records, points, best) : null;
  const altHtml = !alt ? '' : alt.meeting > 0
    ? `<p><strong>Among the points on GPUs with held-out measurements</strong> (a best point above runs on a GPU nothing measured checks):</p><div class="cards">
${bestCard(alt, 'lowest p95 latency', 'latency_p95_s')}
${bestCard(alt, 'lowest $ per video', 'usd_per_video')}
${bestCard(alt, 'highest throughput (videos/h)', 'throughput_per_h')}
</div>`
    : '<p class="bad">No point on a GPU with held-out measurements meets the objectives.</p>';
  out.push(`<section id="best"><h2>Best points</h2><p><strong>Objectives:</strong> ${escapeHtml(`${best.objectives.text}. ${best.meeting} of ${best.points} point${best.points === 1 ? '' : 's'} meet${best.meeting === 1 && best.points === 1 ? 's' : ''} them; "best" is picked among those only.`)}</p>
${best.meeting > 0 ? `<div class="cards">
${bestCard(best, 'lowest p95 latency', 'latency_p95_s')}
${bestCard(best, 'lowest $ per video', 'usd_per_video')}
${bestCard(best, 'highest throughput (videos/h)', 'throughput_per_h')}
</div>${altHtml}` : `<p class="bad">${escapeHtml(`No best point: ${best.note}`)}</p>`}${evidence.length ? `<p class="muted"><strong>What the numbers rest on</strong> (vgsim list evidence):</p><ul>${evidence.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>` : ''}</section>`);

  // charts
  out.push(`<section id="charts"><h2>Charts</h2>`);
  if (!charts.length) out.push('<p class="muted">No parameter takes two or more values among the successful points.</p>');
  for (const c of charts) out.push(figure(c));
  out.push('</section>');

  // points: the table fits the page (parameters and headers wrap; p50, wait p95 and GPU utilization are in points.csv)
  const cols = HTML_METRICS;
  const heads = ['point', ...(plan.variants ? ['variant'] : []), ...plan.parameters.map((p) => p.short), 'completed', 'meets objectives', ...cols.map((k) => TABLE_HEADS[k])];
  const left = 1 + (plan.variants ? 1 : 0) + plan.parameters.length;
  const th = heads.map((h, i) => `<th${i === 0 || i >= left ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('');
  const cell = (p: PointSummary, k: string, isBest: boolean) => {
    const unit = metric(k).unit;
    const ci = p.ci?.[k];
    return `<td class="num${isBest ? ' best' : ''}">${escapeHtml(formatMetricValue(p.metrics[k], unit))}${ci ? `<br><span class="ci" title="95% interval">${escapeHtml(formatRange(ci.lo, ci.hi, unit))}</span>` : ''}</td>`;
  };
  const body = points.map((p, i) => {
    const cells = [`<td class="num">${p.point}</td>`, ...parameterCells(plan, p).map((c) => `<td class="wrap-short">${escapeHtml(c)}</td>`)];
    const runs = plan.replicate_seeds > 1 ? `<br><span class="ci">${p.ok}/${p.ids.length} runs</span>` : '';
    if (p.ok === 0) {
      cells.push(`<td colspan="${cols.length + 2}" class="wrap">${escapeHtml(p.errors.join('; '))}${runs}</td>`);
      return `<tr class="error">${cells.join('')}</tr>`;
    }
    cells.push(`<td class="num">${escapeHtml(`${p.metrics.completed?.toFixed(0)}/${p.metrics.arrived?.toFixed(0)}`)}${runs}</td>`);
    const v = verdicts[i]!;
    cells.push(`<td class="num ${v.feasible ? 'ok' : 'bad'}" title="${escapeHtml(v.feasible ? objectivesAt(plan, points, v) : v.reason ?? '')}">${v.feasible ? '✓' : '✗'}</td>`);
    for (const k of cols) {
      const isBest = (k === 'latency_p95_s' && best.latency_p95 === p.point) || (k === 'usd_per_video' && best.usd_per_video === p.point) || (k === 'throughput_per_h' && best.throughput_per_h === p.point);
      cells.push(cell(p, k, isBest));
    }
    return `<tr>${cells.join('')}</tr>`;
  });
  const note = `Sorted by point id${plan.replicate_seeds > 1 ? `; over the ${plan.replicate_seeds} replicate seeds, percentiles come from the seeds' requests pooled (95% interval from order statistics), the other metrics are means (95% interval: Student's t), each interval under its value` : ''}. ✓: meets the objectives (hover for the values, or what it misses). Bold green: best p95, $ per video and throughput among the points that meet them. Every run, with all of ${METRICS.length} metrics, is in points.csv.`;
  out.push(`<section id="points"><h2>Points</h2><p class="muted">${escapeHtml(note)}</p><div class="scroll"><table class="compact"><thead><tr>${th}</tr></thead>\n<tbody>\n${body.join('\n')}\n</tbody></table></div></section>`);

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
export async function writeSweepReport(dir: string, plan: SweepPlan, records: readonly SweepRecord[], result: SweepResult = sweepResult(plan, records)): Promise<string[]> {
  const chartDir = join(dir, 'charts');
  makeDirs(chartDir);
  // charts of an earlier sweep into the same folder would otherwise linger next to this one's
  if (existsSync(chartDir)) for (const f of readdirSync(chartDir)) if (/^sweep-.*\.(svg|png)$/.test(f)) rmSync(join(chartDir, f));
  const ok = records.filter((r) => r.summary);
  const compare = ok.length >= 2 && records.length <= COMPARE_MAX_RUNS;
  const { html, charts } = await renderSweepHtml(plan, records, { compare }, result);
  const files: string[] = [];
  const write = (path: string, data: string | Buffer) => {
    writeFileSync(path, data);
    files.push(path);
  };
  write(join(dir, 'sweep.html'), html);
  const pngs = await renderPngs(charts.map((c) => c.svg));
  for (const [i, c] of charts.entries()) {
    write(join(chartDir, `${c.id}.svg`), c.svg);
    write(join(chartDir, `${c.id}.png`), pngs[i]!);
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
