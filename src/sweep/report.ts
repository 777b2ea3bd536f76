/**
 * What a sweep shows: the terminal table, the charts of each metric against each parameter, sweep.html,
 * and — for sweeps of up to 12 runs — the side-by-side compare.html of report/compare.ts.
 *
 *   sweepText(plan, records)             the table printed at the end (points by id, best marked)
 *   sweepCharts(plan, records)           Vega-Lite specs: metrics vs every numeric parameter, bars per value
 *                                        of the others (categorical parameters, variants)
 *   writeSweepReport(dir, plan, records) sweep.html, charts/sweep-*.svg|png (+ compare.* for ≤ 12 runs)
 *
 * Charts per numeric parameter: stacked panels of p95 latency, throughput, $ per video and SLO attainment
 * against the parameter. In a grid, one line per combination of the other parameters (up to 8; beyond
 * that, and for random / Latin hypercube samples, a scatter of every point). Replicate seeds are averaged.
 *
 * Deterministic: a pure function of the plan and the records (no wall time, worker count or shard layout).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { TopLevelSpec } from 'vega-lite';
import type { SimulationResult } from '../serving/simulate.ts';
import { fmtSeconds, pct } from '../report/table.ts';
import { escapeHtml, inlineSvg, htmlHead, REPORT_CSS } from '../report/html.ts';
import { CHART_CONFIG, PALETTE, barsChart, renderPng, renderSvg, stackedPanels, timeUnitFor, type BarDatum, type LineSeries, type LinesChartInput, type NamedChart } from '../report/charts.ts';
import { runLabels, writeCompareOutput, type CompareRun } from '../report/compare.ts';
import { formatValue, type SweepParameter, type SweepPlan } from './spec.ts';
import { METRICS, bestPoints, metric, pointSummaries, type MetricUnit, type PointSummary, type SweepRecord } from './output.ts';

/** Sweeps of at most this many runs also get compare.html (every run side by side). */
export const COMPARE_MAX_RUNS = 12;

// ---------------------------------------------------------------------------------------------------
// formatting

export function formatMetricValue(v: number | null | undefined, unit: MetricUnit): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  switch (unit) {
    case 's':
      return fmtSeconds(v);
    case 'ratio':
      return pct(v);
    case 'usd':
      return v >= 100 ? `$${v.toFixed(0)}` : `$${v.toFixed(3)}`;
    case 'Wh':
      return `${v.toFixed(0)} Wh`;
    case 'kWh':
      return `${v.toFixed(1)} kWh`;
    case 'kW':
      return `${v.toFixed(2)} kW`;
    case 'videos/h':
      return v.toFixed(1);
    case 'dB':
      return `${v.toFixed(1)} dB`;
    default:
      return Number.isInteger(v) ? String(v) : v.toFixed(1);
  }
}

/** Metrics of the terminal and HTML tables. */
const TABLE_METRICS = ['throughput_per_h', 'latency_p50_s', 'latency_p95_s', 'latency_p99_s', 'queue_wait_p95_s', 'slo_attainment', 'gpu_utilization', 'energy_per_video_wh', 'usd_per_video'] as const;
const TABLE_HEADS: Record<(typeof TABLE_METRICS)[number], string> = {
  throughput_per_h: 'videos/h', latency_p50_s: 'p50', latency_p95_s: 'p95', latency_p99_s: 'p99', queue_wait_p95_s: 'wait p95',
  slo_attainment: 'SLO', gpu_utilization: 'GPU util', energy_per_video_wh: 'Wh/video', usd_per_video: '$/video',
};

function align(headers: readonly string[], rows: readonly string[][], leftCols: number): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i < leftCols ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The point's parameter cells (variant first). */
function parameterCells(plan: SweepPlan, p: PointSummary): string[] {
  return [...(plan.variants ? [p.variant ?? ''] : []), ...plan.parameters.map((q) => formatValue(p.parameters[q.key]))];
}

// ---------------------------------------------------------------------------------------------------
// terminal

/** The end-of-sweep table: one row per point (means over replicate seeds), best p95 and $/video marked. */
export function sweepText(plan: SweepPlan, records: readonly SweepRecord[], opts: { maxRows?: number; shard?: string } = {}): string {
  const points = pointSummaries(plan, records);
  const best = bestPoints(points);
  const failed = records.filter((r) => r.status === 'error').length;
  const out: string[] = [];
  const seeds = plan.replicate_seeds > 1 ? ` × ${plan.replicate_seeds} seeds` : '';
  out.push(`sweep of ${plan.scenario} (${plan.mode}${plan.limit !== null ? `, first ${plan.points.length} of ${plan.total} runs` : ''}${opts.shard ? `, ${opts.shard}` : ''}): ${points.length} points${seeds}, ${records.length - failed} runs ok, ${failed} failed  (spec ${plan.hash})`);
  out.push('');
  const heads = ['id', ...(plan.variants ? ['variant'] : []), ...plan.parameters.map((p) => p.short), ...(plan.replicate_seeds > 1 ? ['runs'] : []), 'done', ...TABLE_METRICS.map((k) => TABLE_HEADS[k])];
  const left = 1 + (plan.variants ? 1 : 0) + plan.parameters.length;
  const row = (p: PointSummary): string[] => {
    const cells = [String(p.point), ...parameterCells(plan, p)];
    if (plan.replicate_seeds > 1) cells.push(`${p.ok}/${p.ids.length}`);
    if (p.ok === 0) return [...cells, 'error', ...TABLE_METRICS.map(() => '')];
    cells.push(`${p.metrics.completed?.toFixed(0)}/${p.metrics.arrived?.toFixed(0)}`);
    for (const k of TABLE_METRICS) {
      let c = formatMetricValue(p.metrics[k], metric(k).unit);
      if ((k === 'latency_p95_s' && best.latency_p95 === p.point) || (k === 'usd_per_video' && best.usd_per_video === p.point)) c += ' *';
      cells.push(c);
    }
    return cells;
  };
  const max = opts.maxRows ?? 40;
  const shown = points.length > max ? points.slice(0, max) : points;
  out.push(align(heads, shown.map(row), left));
  if (points.length > shown.length) out.push(`… ${points.length - shown.length} more points (points.csv has them all)`);
  out.push('');
  const describe = (idx: number | null, what: string, key: string) => {
    if (idx === null) return `best ${what}: –`;
    const p = points.find((x) => x.point === idx)!;
    return `best ${what}: point ${idx} (${p.label}) ${formatMetricValue(p.metrics[key], metric(key).unit)}`;
  };
  out.push(`* ${describe(best.latency_p95, 'p95 latency', 'latency_p95_s')}`);
  out.push(`* ${describe(best.usd_per_video, '$ per video', 'usd_per_video')}`);
  out.push(`  ${describe(best.throughput_per_h, 'throughput', 'throughput_per_h')}`);
  out.push(best.note ? `  (${best.note})` : '  (best among points that lost no request)');
  const errors = records.filter((r) => r.status === 'error');
  if (errors.length) {
    out.push('');
    out.push(`${errors.length} run${errors.length === 1 ? '' : 's'} failed:`);
    for (const e of errors.slice(0, 10)) out.push(`  run ${e.id} (${e.label}, seed ${e.seed}): ${e.error}`);
    if (errors.length > 10) out.push(`  … ${errors.length - 10} more in sweep.json`);
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------
// charts

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'x';
}

interface Panel {
  key: string;
  title: string;
  unit: MetricUnit;
}

const PANELS: readonly Panel[] = [
  { key: 'latency_p95_s', title: 'p95 end-to-end latency', unit: 's' },
  { key: 'throughput_per_h', title: 'throughput (videos/h)', unit: 'videos/h' },
  { key: 'usd_per_video', title: '$ per video', unit: 'usd' },
  { key: 'slo_attainment', title: 'SLO attainment', unit: 'ratio' },
];

function panelAxis(panel: Panel, values: readonly number[]): { title: string; scale: number; format?: string; domain?: [number, number] } {
  if (panel.unit === 's') {
    const u = timeUnitFor(Math.max(0, ...values));
    return { title: `p95 latency (${u.unit})`, scale: u.seconds };
  }
  if (panel.unit === 'ratio') return { title: 'within SLO', scale: 1, format: '.0%', domain: [0, 1] };
  if (panel.unit === 'usd') return { title: '$ per video', scale: 1, format: '$,.3~f' };
  return { title: 'videos/h', scale: 1 };
}

/** Panels that have at least one value among the points. */
function panelsWithData(points: readonly PointSummary[]): Panel[] {
  return PANELS.filter((p) => points.some((x) => x.metrics[p.key] !== null && x.metrics[p.key] !== undefined));
}

/** Label of a point's "other" coordinates (everything but parameter `key`). */
function othersLabel(plan: SweepPlan, p: PointSummary, key: string): string {
  const parts = plan.parameters.filter((q) => q.key !== key).map((q) => `${q.short}=${formatValue(p.parameters[q.key])}`);
  return [p.variant, parts.join(' ')].filter((x) => x).join(' · ');
}

/** Metrics vs one numeric parameter, as lines (grid, ≤ 8 series) or a scatter. */
function parameterChart(plan: SweepPlan, points: readonly PointSummary[], param: SweepParameter): TopLevelSpec | null {
  const ok = points.filter((p) => p.ok > 0);
  const panels = panelsWithData(ok);
  if (!ok.length || !panels.length) return null;
  const groups = new Map<string, PointSummary[]>();
  for (const p of ok) {
    const g = othersLabel(plan, p, param.key);
    const list = groups.get(g);
    if (list) list.push(p);
    else groups.set(g, [p]);
  }
  const xTitle = `${param.short}${param.short !== param.key ? ` (${param.key})` : ''}`;
  const asLines = (plan.mode === 'grid' || plan.mode === 'variants') && groups.size <= 8;
  const others = plan.parameters.length - 1 + (plan.variants ? 1 : 0);
  const subtitle = asLines
    ? `${plan.scenario}: ${ok.length} points${plan.replicate_seeds > 1 ? `, mean of ${plan.replicate_seeds} seeds each` : ''}${groups.size > 1 ? '; one line per value of the other parameters' : ''}`
    : `${plan.scenario}: ${ok.length} ${plan.mode === 'lhs' ? 'Latin hypercube' : plan.mode === 'random' ? 'random' : ''} points${others > 0 ? ', the other parameters vary too' : ''}${plan.replicate_seeds > 1 ? `; mean of ${plan.replicate_seeds} seeds each` : ''}`;
  const failed = points.length - ok.length;
  const subtitleAll = failed ? `${subtitle}; ${failed} failed point${failed === 1 ? '' : 's'} not shown` : subtitle;
  const title = `Metrics vs ${param.short}`;
  const x = { title: xTitle, scale: param.log ? ('log' as const) : ('linear' as const), zero: false };

  if (asLines) {
    const names = [...groups.keys()];
    const inputs: LinesChartInput[] = panels.map((panel, i) => {
      const axis = panelAxis(panel, ok.map((p) => p.metrics[panel.key] ?? 0));
      const series: LineSeries[] = names.map((name, si) => ({
        name: name || param.short,
        color: PALETTE[si % PALETTE.length]!,
        points: [...groups.get(name)!]
          .filter((p) => p.metrics[panel.key] !== null)
          .sort((a, b) => (a.parameters[param.key] as number) - (b.parameters[param.key] as number))
          .map((p) => ({ x: p.parameters[param.key] as number, y: p.metrics[panel.key]! / axis.scale })),
      }));
      return {
        title: panel.title, x, y: { title: axis.title, format: axis.format, domain: axis.domain }, series, points: true,
        height: 150, legendTitle: i === 0 && names.length > 1 ? 'other parameters' : undefined,
      };
    });
    return tuneXAxis(stackedPanels(title, subtitleAll, inputs), param, ok);
  }

  // scatter: every point, coloured by variant when there are several
  const variants = plan.variants ?? [];
  const colour = (p: PointSummary) => (variants.length > 1 ? p.variant ?? '' : '');
  const domain = variants.length > 1 ? variants : [''];
  const vconcat = panels.map((panel, i) => {
    const axis = panelAxis(panel, ok.map((p) => p.metrics[panel.key] ?? 0));
    const rows = ok.filter((p) => p.metrics[panel.key] !== null).map((p) => ({ x: p.parameters[param.key] as number, y: p.metrics[panel.key]! / axis.scale, group: colour(p), point: p.point }));
    const yScale: Record<string, unknown> = {};
    if (axis.domain) yScale.domain = axis.domain;
    return {
      title: { text: panel.title, fontSize: 12, fontWeight: 'bold' },
      width: 620,
      height: 150,
      data: { values: rows },
      mark: { type: 'point', filled: true, size: 34, opacity: 0.75 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: i === panels.length - 1 ? xTitle : '', scale: { ...(param.log ? { type: 'log' } : { zero: false }) }, axis: { grid: true, tickCount: 8 } },
        y: { field: 'y', type: 'quantitative', title: axis.title, scale: yScale, axis: { grid: true, tickCount: 6, ...(axis.format ? { format: axis.format } : {}) } },
        // the same legend on every panel: the shared colour scale merges them into one
        color: { field: 'group', type: 'nominal', title: 'variant', scale: { domain, range: domain.map((_, k) => PALETTE[k % PALETTE.length]) }, legend: variants.length > 1 ? { orient: 'right' } : null },
        order: { field: 'point', type: 'quantitative' },
      },
    };
  });
  return tuneXAxis({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: subtitleAll },
    config: { ...CHART_CONFIG, axisY: { minExtent: 44 } },
    vconcat,
    spacing: 14,
    resolve: { scale: { color: 'shared' } },
  } as unknown as TopLevelSpec, param, ok);
}

/**
 * x-axis touches: whole-number parameters (replicas, GPUs) get whole-number ticks, not 4.5 replicas; a
 * log axis spans the data, not the enclosing powers of ten.
 */
function tuneXAxis(spec: TopLevelSpec, param: SweepParameter, points: readonly PointSummary[]): TopLevelSpec {
  const xs = points.map((p) => p.parameters[param.key] as number);
  const integer = xs.every((x) => Number.isInteger(x));
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, any>;
    const x = n.encoding?.x;
    if (x && x.field === 'x') {
      if (integer) x.axis = { ...x.axis, tickMinStep: 1, format: 'd' };
      if (param.log) x.scale = { ...x.scale, type: 'log', domain: [Math.min(...xs), Math.max(...xs)], nice: false };
    }
    for (const k of ['vconcat', 'layer']) if (Array.isArray(n[k])) n[k].forEach(visit);
  };
  visit(spec);
  return spec;
}

/** p95 latency per value of a categorical parameter (or per variant), averaged over the other parameters. */
function categoryChart(plan: SweepPlan, points: readonly PointSummary[], name: string, valueOf: (p: PointSummary) => string, order: readonly string[]): TopLevelSpec | null {
  const ok = points.filter((p) => p.ok > 0 && p.metrics.latency_p95_s !== null);
  if (!ok.length) return null;
  const mean = (xs: readonly (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
  };
  const cats = order.filter((c) => ok.some((p) => valueOf(p) === c));
  const stats = cats.map((c) => {
    const mine = ok.filter((p) => valueOf(p) === c);
    return { c, n: mine.length, p95: mean(mine.map((p) => p.metrics.latency_p95_s!)), usd: mean(mine.map((p) => p.metrics.usd_per_video ?? null)) };
  });
  const u = timeUnitFor(Math.max(0, ...stats.map((s) => s.p95 ?? 0)));
  const data: BarDatum[] = stats.map((s) => ({
    category: s.c,
    value: (s.p95 ?? 0) / u.seconds,
    label: `${fmtSeconds(s.p95 ?? 0)}${s.usd !== null ? ` · ${formatMetricValue(s.usd, 'usd')}/video` : ''}`,
  }));
  const averaged = stats.some((s) => s.n > 1);
  return barsChart({
    title: `p95 latency by ${name}`,
    subtitle: `${plan.scenario}: ${averaged ? 'mean over the points with each value' : 'one point each'}; labels: p95 · $ per video`,
    data,
    category: { title: name, order: cats },
    value: { title: `p95 latency (${u.unit})` },
  });
}

/** Every chart of a sweep report, ids prefixed "sweep-". */
export function sweepCharts(plan: SweepPlan, records: readonly SweepRecord[]): NamedChart[] {
  const points = pointSummaries(plan, records);
  const charts: NamedChart[] = [];
  const ids = new Set<string>();
  const add = (base: string, title: string, caption: string, spec: TopLevelSpec | null) => {
    if (!spec) return;
    let id = `sweep-${base}`;
    for (let n = 2; ids.has(id); n++) id = `sweep-${base}-${n}`;
    ids.add(id);
    charts.push({ id, section: 'simulation', title, caption, spec });
  };
  for (const p of plan.parameters) {
    const distinct = new Set(points.map((x) => JSON.stringify(x.parameters[p.key])));
    if (distinct.size < 2) continue;
    if (p.numeric) {
      add(slug(p.short), `Metrics vs ${p.short}`, `p95 latency, throughput, $ per video and SLO attainment against ${p.key}.`, parameterChart(plan, points, p));
    } else {
      const order = (p.values ?? []).map(formatValue);
      for (const x of points) if (!order.includes(formatValue(x.parameters[p.key]))) order.push(formatValue(x.parameters[p.key]));
      add(slug(p.short), `p95 latency by ${p.short}`, `p95 end-to-end latency for each value of ${p.key}, averaged over the other parameters; bar labels add $ per video.`, categoryChart(plan, points, p.short, (x) => formatValue(x.parameters[p.key]), order));
    }
  }
  if (plan.variants && plan.variants.length > 1) {
    add('variants', 'p95 latency by variant', 'p95 end-to-end latency of each variant, averaged over the other parameters; bar labels add $ per video.', categoryChart(plan, points, 'variant', (x) => x.variant ?? '', plan.variants));
  }
  return charts;
}

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
