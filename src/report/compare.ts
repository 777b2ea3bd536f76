/**
 * Side-by-side comparison of simulated scenarios (architecture reviews): pure functions from several
 * SimulationResults to a metrics table (rows = metrics, columns = scenarios, best value of each row
 * marked), overlaid charts, a JSON document and an offline HTML page in the style of report.html.
 *
 *   compareRuns(runs)              the Comparison: scenario facts + metric rows with the best marked
 *   compareText(cmp)               terminal tables
 *   compareJson(cmp, runs)         the JSON document (compare --json, compare.json); deterministic
 *   compareCharts(runs)            latency CDFs overlaid, utilization overlaid, p50/p95/p99 bars, stages
 *   renderCompareHtml / writeCompareOutput
 *
 * Deterministic: the same runs give byte-identical compare.json and compare.html (no wall time).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { TopLevelSpec } from 'vega-lite';
import { summaryOf, type SimulationResult } from '../serving/simulate.ts';
import { fmtSeconds, pct } from './table.ts';
import { toJson } from './output.ts';
import { escapeHtml, inlineSvg, htmlHead, REPORT_CSS } from './html.ts';
import { PALETTE, barsChart, linesChart, renderPng, renderSvg, stackedPanels, timeUnitFor, type BarDatum, type LineSeries, type NamedChart, type ReferenceLine } from './charts.ts';

// ---------------------------------------------------------------------------------------------------
// model

/** One simulated scenario to compare. */
export interface CompareRun {
  /** Column header; unique within a comparison (see runLabels). */
  label: string;
  /** The scenario file, as given on the command line. */
  file?: string;
  result: SimulationResult;
  /** The scenario as run (printed as YAML in the HTML page). */
  scenario?: unknown;
}

export type Better = 'higher' | 'lower' | null;
export type MetricUnit = 'count' | 'videos/h' | 'videos/h/GPU' | 's' | 'ratio' | 'GPUs';

export interface CompareRow {
  /** Stable key, e.g. "latency.p95" or "class.720p-5s.p95". */
  key: string;
  label: string;
  unit: MetricUnit;
  /** Which direction is better; null: not ranked (context only). */
  better: Better;
  /** One per scenario, in run order; null where it does not apply (no completed request, class absent). */
  values: (number | null)[];
  /** Indices of the best value(s): ties all marked; empty when unranked, all equal, or fewer than two values. */
  best: number[];
}

export interface CompareScenario {
  label: string;
  file: string | null;
  name: string;
  seed: number;
  gpus: number;
  /** One line per pool: "a14b: 8 × 1 h100-sxm, offload". */
  deployment: string[];
  sim_time_s: number;
  events: number;
  color: string;
}

export interface Comparison {
  scenarios: CompareScenario[];
  rows: CompareRow[];
}

/** The colour of scenario i in every compare chart. */
export function runColor(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

export function totalGpus(r: SimulationResult): number {
  return r.pools.reduce((a, p) => a + p.replicas * p.gpus_per_replica, 0);
}

/**
 * Unique column labels: the scenario name, or — where two scenarios share a name — the file name without
 * extension, then a " #n" suffix if that still collides.
 */
export function runLabels(items: readonly { name: string; file?: string }[]): string[] {
  const count = new Map<string, number>();
  for (const it of items) count.set(it.name, (count.get(it.name) ?? 0) + 1);
  const base = items.map((it) => {
    if ((count.get(it.name) ?? 0) <= 1 || !it.file) return it.name;
    const stem = it.file.replace(/\\/g, '/').split('/').pop()!.replace(/\.ya?ml$/i, '');
    return stem === it.name ? it.name : `${it.name} (${stem})`;
  });
  const used = new Set<string>();
  return base.map((b) => {
    let l = b;
    for (let n = 2; used.has(l); n++) l = `${b} #${n}`;
    used.add(l);
    return l;
  });
}

/** Indices of the best values of a row (see CompareRow.best). */
export function bestOf(values: readonly (number | null)[], better: Better): number[] {
  if (better === null) return [];
  const present = values.map((v, i) => ({ v, i })).filter((x): x is { v: number; i: number } => x.v !== null && Number.isFinite(x.v));
  if (present.length < 2) return [];
  const target = better === 'higher' ? Math.max(...present.map((x) => x.v)) : Math.min(...present.map((x) => x.v));
  const tol = 1e-9 * Math.max(1, Math.abs(target));
  const best = present.filter((x) => Math.abs(x.v - target) <= tol).map((x) => x.i);
  return best.length === present.length ? [] : best;
}

function deploymentLines(r: SimulationResult): string[] {
  return r.pools.map((p) => {
    const plan = p.parallel && p.parallel !== 'none' ? [p.parallel] : [];
    // the official offload path is an inference option, not part of the plan string: say so
    if (!/offload/.test(p.parallel) && r.estimates?.some((e) => e.pool === p.name && e.estimate.options.offload)) plan.push('offload');
    return `${p.name}: ${p.replicas} × ${p.gpus_per_replica} ${p.gpu}${plan.length ? `, ${plan.join(', ')}` : ''}`;
  });
}

/** The metrics table of a comparison. */
export function compareRuns(runs: readonly CompareRun[]): Comparison {
  const rows: CompareRow[] = [];
  const row = (key: string, label: string, unit: MetricUnit, better: Better, f: (r: SimulationResult) => number | null) => {
    const values = runs.map((x) => {
      const v = f(x.result);
      return v === null || !Number.isFinite(v) ? null : v;
    });
    rows.push({ key, label, unit, better, values, best: bestOf(values, better) });
  };
  // latency statistics of a run with no completed request are n/a (NaN in the result): not comparable
  const lat = (f: (r: SimulationResult) => number) => (r: SimulationResult) => (r.requests.completed > 0 ? f(r) : null);

  // counts depend on how many requests arrived (duration, rate): context only; the share is ranked
  row('requests.arrived', 'requests arrived', 'count', null, (r) => r.requests.arrived);
  row('requests.completed', 'requests completed', 'count', null, (r) => r.requests.completed);
  row('requests.dropped', 'requests dropped or failed', 'count', null, (r) => r.requests.dropped + r.requests.failed);
  row('requests.completed_share', 'completed share', 'ratio', 'higher', (r) => (r.requests.arrived > 0 ? r.requests.completed / r.requests.arrived : null));
  row('throughput_per_h', 'throughput (videos/h)', 'videos/h', 'higher', (r) => r.throughput_per_h);
  row('throughput_per_gpu_h', 'throughput per GPU (videos/h)', 'videos/h/GPU', 'higher', (r) => (totalGpus(r) > 0 ? r.throughput_per_h / totalGpus(r) : null));
  row('latency.mean', 'latency mean', 's', 'lower', lat((r) => r.latency_s.mean));
  row('latency.p50', 'latency p50', 's', 'lower', lat((r) => r.latency_s.p50));
  row('latency.p95', 'latency p95', 's', 'lower', lat((r) => r.latency_s.p95));
  row('latency.p99', 'latency p99', 's', 'lower', lat((r) => r.latency_s.p99));
  row('queue_wait.p95', 'queue wait p95', 's', 'lower', lat((r) => r.queue_wait_s.p95));
  row('slo_attainment', 'SLO attainment', 'ratio', 'higher', (r) => r.slo_attainment);
  row('gpu_utilization', 'GPU utilization', 'ratio', null, (r) => r.gpu_utilization);
  row('gpus', 'GPUs', 'GPUs', 'lower', (r) => totalGpus(r));

  const classes: string[] = [];
  for (const x of runs) for (const c of x.result.classes) if (!classes.includes(c.name)) classes.push(c.name);
  const cls = (r: SimulationResult, name: string) => r.classes.find((c) => c.name === name);
  for (const name of classes) {
    row(`class.${name}.p95`, `p95 latency · ${name}`, 's', 'lower', (r) => {
      const c = cls(r, name);
      return c && c.completed > 0 ? c.latency_s.p95 : null;
    });
  }
  for (const name of classes) row(`class.${name}.slo_attainment`, `within SLO · ${name}`, 'ratio', 'higher', (r) => cls(r, name)?.slo_attainment ?? null);

  const scenarios: CompareScenario[] = runs.map((x, i) => ({
    label: x.label,
    file: x.file ?? null,
    name: x.result.scenario,
    seed: x.result.seed,
    gpus: totalGpus(x.result),
    deployment: deploymentLines(x.result),
    sim_time_s: x.result.sim_time_s,
    events: x.result.events,
    color: runColor(i),
  }));
  return { scenarios, rows };
}

/** A metric value as printed (terminal and HTML). */
export function formatMetric(v: number | null, unit: MetricUnit): string {
  if (v === null) return '–';
  switch (unit) {
    case 's':
      return fmtSeconds(v);
    case 'ratio':
      return pct(v);
    case 'videos/h':
      return v.toFixed(1);
    case 'videos/h/GPU':
      return v.toFixed(2);
    default:
      return Number.isInteger(v) ? String(v) : v.toFixed(1);
  }
}

// ---------------------------------------------------------------------------------------------------
// terminal

/** Columns: the first left-aligned, the others right-aligned. */
function align(headers: readonly string[], rows: readonly string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Side-by-side terminal tables: the scenarios, then one row per metric with the best value starred. */
export function compareText(cmp: Comparison): string {
  const out: string[] = [];
  const s = cmp.scenarios;
  out.push(`compared ${s.length} scenarios (* = best value of the row)`);
  out.push('');
  const withFile = s.some((x) => x.file !== null);
  const heads = ['scenario', ...(withFile ? ['file'] : []), 'seed', 'GPUs', 'deployment'];
  const infoRows = s.map((x) => [x.label, ...(withFile ? [x.file ?? '–'] : []), String(x.seed), String(x.gpus), x.deployment.join('; ')]);
  const numericCol = (i: number) => heads[i] === 'seed' || heads[i] === 'GPUs';
  const iw = heads.map((h, i) => Math.max(h.length, ...infoRows.map((r) => r[i]!.length)));
  const infoLine = (c: string[]) => c.map((v, i) => (numericCol(i) ? v.padStart(iw[i]!) : v.padEnd(iw[i]!))).join('  ').trimEnd();
  out.push(infoLine(heads), iw.map((w) => '-'.repeat(w)).join('  '));
  for (const r of infoRows) out.push(infoLine(r));
  out.push('');
  const rows = cmp.rows.map((r) => [r.label, ...r.values.map((v, i) => formatMetric(v, r.unit) + (r.best.includes(i) ? ' *' : '  '))]);
  out.push(align(['metric', ...s.map((x) => x.label + '  ')], rows));
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------
// JSON

/** The compare document: scenarios (with each run's summary, minus wall time) and the metric rows. */
export function compareJson(cmp: Comparison, runs: readonly CompareRun[]): unknown {
  return {
    scenarios: cmp.scenarios.map((s, i) => {
      const summary = summaryOf(runs[i]!.result);
      return { ...s, summary };
    }),
    metrics: cmp.rows,
  };
}

// ---------------------------------------------------------------------------------------------------
// charts

/** At most `max` points of a sorted sample's empirical CDF (evenly spaced ranks, ends kept). */
function cdfPoints(sorted: readonly number[], max = 1500): { x: number; y: number }[] {
  const n = sorted.length;
  if (n === 0) return [];
  const pts = [{ x: sorted[0]!, y: 0 }];
  const take = Math.min(n, max);
  for (let k = 1; k <= take; k++) {
    const i = n <= max ? k : Math.round((k * n) / take);
    pts.push({ x: sorted[i - 1]!, y: i / n });
  }
  return pts;
}

function completedLatencies(r: SimulationResult): number[] {
  if (!r.records) throw new Error(`compare charts need per-request records: simulate ${r.scenario} with { records: true }`);
  return r.records.filter((x) => x.outcome === 'completed').map((x) => x.finish - x.arrival).sort((a, b) => a - b);
}

/** Latency CDF of every scenario (all classes together) on one chart; SLOs that all scenarios share marked. */
export function compareLatencyCdfChart(runs: readonly CompareRun[]): TopLevelSpec {
  const lats = runs.map((x) => completedLatencies(x.result));
  // an SLO is drawn when every scenario that has the class gives it the same value
  const slos = new Map<string, number | null>();
  for (const x of runs) for (const c of x.result.classes) {
    if (c.slo_s === null) continue;
    const prev = slos.get(c.name);
    slos.set(c.name, prev === undefined || prev === c.slo_s ? c.slo_s : null);
  }
  const sloList = [...slos].filter((e): e is [string, number] => e[1] !== null);
  const u = timeUnitFor(Math.max(0, ...lats.flat(), ...sloList.map((e) => e[1])));
  const series: LineSeries[] = [];
  runs.forEach((x, i) => {
    if (lats[i]!.length) series.push({ name: `${x.label} (n=${lats[i]!.length})`, color: runColor(i), points: cdfPoints(lats[i]!).map((p) => ({ x: p.x / u.seconds, y: p.y })) });
  });
  const references: ReferenceLine[] = sloList.map(([name, slo]) => ({ axis: 'x', value: slo / u.seconds, label: `SLO ${name} ${fmtSeconds(slo)}`, color: '#666666', dashed: true }));
  return linesChart({
    title: 'End-to-end latency distribution by scenario',
    subtitle: `completed requests of every class, arrival → video done; ${runs.map((x) => `${x.label}: p95 ${x.result.requests.completed ? fmtSeconds(x.result.latency_s.p95) : '–'}`).join(', ')}`,
    x: { title: `latency (${u.unit})`, zero: true },
    y: { title: 'fraction of requests ≤ latency', format: '.0%', domain: [0, 1] },
    series,
    interpolate: 'step-after',
    references,
    legendTitle: 'scenario',
  });
}

/** GPU utilization and requests waiting over simulated time, one line per scenario. */
export function compareLoadChart(runs: readonly CompareRun[]): TopLevelSpec {
  const end = Math.max(0, ...runs.map((x) => Math.max(x.result.sim_time_s, x.result.timeseries.at(-1)?.t ?? 0)));
  const u = timeUnitFor(end);
  const x = { title: `simulated time (${u.unit})`, domain: [0, end / u.seconds] as [number, number] };
  const series = (f: (p: SimulationResult['timeseries'][number]) => number): LineSeries[] =>
    runs.map((r, i) => ({ name: r.label, color: runColor(i), points: r.result.timeseries.map((p) => ({ x: p.t / u.seconds, y: f(p) })) }));
  const maxQueue = Math.max(1, ...runs.flatMap((r) => r.result.timeseries.map((p) => p.queued)));
  return stackedPanels('Cluster load over time by scenario', `mean GPU utilization: ${runs.map((r) => `${r.label} ${pct(r.result.gpu_utilization)}`).join(', ')}`, [
    {
      title: 'GPU utilization (share of each scenario\'s GPUs busy)',
      x, y: { title: 'busy GPUs (%)', format: '.0%', domain: [0, 1] }, height: 170,
      series: series((p) => p.gpu_utilization), interpolate: 'step-after', legendTitle: 'scenario',
    },
    {
      title: 'Requests waiting in queues',
      x, y: { title: 'requests', format: 'd', domain: [0, Math.max(4, Math.ceil(maxQueue * 1.1))] }, height: 150,
      series: series((p) => p.queued), interpolate: 'step-after', legendTitle: 'scenario',
    },
  ]);
}

const PERCENTILE_COLORS: Record<string, string> = { p50: '#9ecae9', p95: '#4c78a8', p99: '#1f4e79' };

/** p50 / p95 / p99 end-to-end latency per scenario, grouped bars. */
export function comparePercentilesChart(runs: readonly CompareRun[]): TopLevelSpec {
  const done = runs.filter((x) => x.result.requests.completed > 0);
  const u = timeUnitFor(Math.max(0, ...done.map((x) => x.result.latency_s.p99)));
  const data: BarDatum[] = [];
  for (const x of done) {
    for (const q of ['p50', 'p95', 'p99'] as const) data.push({ category: x.label, group: q, value: x.result.latency_s[q] / u.seconds, label: fmtSeconds(x.result.latency_s[q]) });
  }
  return barsChart({
    title: 'Latency percentiles by scenario',
    subtitle: 'end-to-end latency of completed requests, all classes',
    data,
    category: { title: 'scenario', order: done.map((x) => x.label) },
    value: { title: `latency (${u.unit})` },
    group: { title: 'percentile', order: ['p50', 'p95', 'p99'], colors: PERCENTILE_COLORS },
    mode: 'grouped',
  });
}

const STAGE_COLORS: Record<string, string> = { 'text encode': '#72b7b2', denoise: '#4c78a8', 'VAE decode': '#f58518' };

/** Cost-model service time of one request per scenario × class (× pool), split by stage. */
export function compareStageChart(runs: readonly CompareRun[]): TopLevelSpec {
  const all = runs.flatMap((x) => x.result.service_times);
  const u = timeUnitFor(Math.max(0, ...all.map((s) => s.total_s)));
  const data: BarDatum[] = [];
  const totals: Record<string, string> = {};
  for (const x of runs) {
    const multiPool = new Set(x.result.service_times.map((s) => s.pool)).size > 1;
    for (const s of x.result.service_times) {
      const cat = `${x.label} · ${s.class}${multiPool ? ` on ${s.pool}` : ''}`;
      data.push(
        { category: cat, group: 'text encode', value: s.encode_s / u.seconds },
        { category: cat, group: 'denoise', value: s.denoise_s / u.seconds },
        { category: cat, group: 'VAE decode', value: s.decode_s / u.seconds },
      );
      totals[cat] = `${fmtSeconds(s.total_s)}  (denoise ${((s.denoise_s / s.total_s) * 100).toFixed(0)}%)`;
    }
  }
  return barsChart({
    title: 'Service time per request, by scenario and stage',
    subtitle: 'one request on an idle replica (cost model); encode and decode include the offload swaps',
    data,
    category: { title: 'scenario · class' },
    value: { title: `time per request (${u.unit})` },
    group: { title: 'stage', order: ['text encode', 'denoise', 'VAE decode'], colors: STAGE_COLORS },
    totals,
  });
}

/** The charts of a comparison, in page order (ids prefixed "compare-" so they never clash with a run report's). */
export function compareCharts(runs: readonly CompareRun[]): NamedChart[] {
  const charts: NamedChart[] = [];
  const add = (id: string, title: string, caption: string, spec: TopLevelSpec) => charts.push({ id: `compare-${id}`, section: 'simulation', title, caption, spec });
  if (runs.every((x) => x.result.records) && runs.some((x) => x.result.requests.completed > 0)) add('latency-cdf', 'Latency distributions', 'Empirical CDF of end-to-end latency of completed requests, one line per scenario; dashed lines mark SLOs the scenarios share.', compareLatencyCdfChart(runs));
  if (runs.some((x) => x.result.timeseries.length)) add('load-over-time', 'Load over time', 'Share of GPUs busy and requests waiting over simulated time, one line per scenario.', compareLoadChart(runs));
  if (runs.some((x) => x.result.requests.completed > 0)) add('latency-percentiles', 'Latency percentiles', 'p50, p95 and p99 end-to-end latency of each scenario.', comparePercentilesChart(runs));
  if (runs.some((x) => x.result.service_times.length)) add('stage-breakdown', 'Service time by stage', 'Cost-model time of one request of each class in each scenario, split into text encode, denoise and VAE decode.', compareStageChart(runs));
  return charts;
}

// ---------------------------------------------------------------------------------------------------
// HTML

export interface RenderedCompareChart extends NamedChart {
  svg: string;
}

/**
 * report.html's stylesheet, taken from renderHtmlReport itself (rendered with no chart, so it costs
 * nothing) so the two pages keep one look without a copy of the CSS here.
 */
const EXTRA_CSS = `
td.best { font-weight: bold; color: #2e7d32; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
tr.section td { background: var(--band, #f6f8fb); color: var(--muted, #5b6473); font-size: 12px; font-weight: bold; }
details { margin: 8px 0; } summary { cursor: pointer; font-weight: bold; }
`;

function figure(c: RenderedCompareChart): string {
  return `<figure id="fig-${escapeHtml(c.id)}">
<div class="chart">${inlineSvg(c.svg, c.id)}</div>
<figcaption>${escapeHtml(c.caption)} <span class="files"><a href="charts/${escapeHtml(c.id)}.svg">SVG</a> · <a href="charts/${escapeHtml(c.id)}.png">PNG</a></span></figcaption>
</figure>`;
}

const SECTION_OF = (key: string) => (key.startsWith('class.') ? 'per request class' : key.startsWith('latency') || key.startsWith('queue') ? 'latency' : key.startsWith('requests') || key.startsWith('throughput') ? 'requests and throughput' : 'service and cluster');

export interface CompareHtmlOptions {
  /** Page title; default "vgsim comparison — A vs B". */
  title?: string;
}

/** Render compare.html and its charts (no files written). */
export async function renderCompareHtml(runs: readonly CompareRun[], opts: CompareHtmlOptions = {}): Promise<{ html: string; charts: RenderedCompareChart[]; comparison: Comparison }> {
  const cmp = compareRuns(runs);
  const charts: RenderedCompareChart[] = [];
  for (const c of compareCharts(runs)) charts.push({ ...c, svg: await renderSvg(c.spec) });
  const title = opts.title ?? `vgsim comparison — ${runs.map((x) => x.label).join(' vs ')}`;
  const hasScenario = runs.some((x) => x.scenario !== undefined);
  const out: string[] = [];
  out.push(`${htmlHead(title, REPORT_CSS + EXTRA_CSS)}
<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${escapeHtml(`${runs.length} scenarios · ${cmp.scenarios.map((s) => `${s.label}: seed ${s.seed}, ${fmtSeconds(s.sim_time_s)} simulated`).join(' · ')}`)}</p>
<nav><a href="#scenarios">Scenarios</a><a href="#metrics">Metrics</a><a href="#charts">Charts</a><a href="#warnings">Warnings</a>${hasScenario ? '<a href="#as-run">As run</a>' : ''}</nav>
</header>`);

  // scenarios
  out.push(`<section id="scenarios"><h2>Scenarios</h2><div class="scroll"><table><thead><tr><th>scenario</th><th>file</th><th>name</th><th class="num">seed</th><th class="num">GPUs</th><th>deployment</th><th class="num">simulated</th></tr></thead>\n<tbody>`);
  for (const s of cmp.scenarios) {
    out.push(`<tr><td><span class="swatch" style="background:${escapeHtml(s.color)}"></span>${escapeHtml(s.label)}</td><td>${escapeHtml(s.file ?? '–')}</td><td>${escapeHtml(s.name)}</td><td class="num">${escapeHtml(s.seed)}</td><td class="num">${escapeHtml(s.gpus)}</td><td>${s.deployment.map(escapeHtml).join('<br>')}</td><td class="num">${escapeHtml(fmtSeconds(s.sim_time_s))}</td></tr>`);
  }
  out.push('</tbody></table></div></section>');

  // metrics
  out.push(`<section id="metrics"><h2>Metrics</h2><p class="muted">Bold green: the best value of the row. Not ranked: request counts (they follow the arrivals) and GPU utilization (higher is cheaper per video but queues longer).</p><div class="scroll"><table><thead><tr><th>metric</th>${cmp.scenarios.map((s) => `<th class="num"><span class="swatch" style="background:${escapeHtml(s.color)}"></span>${escapeHtml(s.label)}</th>`).join('')}</tr></thead>\n<tbody>`);
  let section = '';
  for (const r of cmp.rows) {
    const sec = SECTION_OF(r.key);
    if (sec !== section) {
      section = sec;
      out.push(`<tr class="section"><td colspan="${runs.length + 1}">${escapeHtml(sec)}</td></tr>`);
    }
    out.push(`<tr><td>${escapeHtml(r.label)}</td>${r.values.map((v, i) => `<td class="num${r.best.includes(i) ? ' best' : ''}"${r.best.includes(i) ? ' title="best"' : ''}>${escapeHtml(formatMetric(v, r.unit))}</td>`).join('')}</tr>`);
  }
  out.push('</tbody></table></div></section>');

  // charts
  out.push(`<section id="charts"><h2>Charts</h2>`);
  if (!runs.every((x) => x.result.records)) out.push('<p class="muted">The latency CDF needs per-request records (simulate with records: true).</p>');
  for (const c of charts) out.push(figure(c));
  out.push('</section>');

  // warnings
  out.push(`<section id="warnings"><h2>Warnings</h2>`);
  const warned = runs.filter((x) => x.result.warnings.length || x.result.requests.in_flight || x.result.requests.dropped);
  if (!warned.length) out.push('<p class="muted">None.</p>');
  for (const x of warned) {
    const ws = [...x.result.warnings];
    if (x.result.requests.in_flight) ws.push(`${x.result.requests.in_flight} requests were still in flight when the simulation stopped; latency statistics cover completed requests only`);
    if (x.result.requests.dropped) ws.push(`${x.result.requests.dropped} requests were dropped (queue full, timed out or no replica serving their model)`);
    out.push(`<h3>${escapeHtml(x.label)}</h3><ul class="warnings">\n${ws.map((w) => `<li>${escapeHtml(w)}</li>`).join('\n')}\n</ul>`);
  }
  out.push('</section>');

  // scenarios as run
  if (hasScenario) {
    out.push(`<section id="as-run"><h2>Scenarios as run</h2>`);
    for (const x of runs) {
      if (x.scenario === undefined) continue;
      out.push(`<details><summary>${escapeHtml(x.label)}${x.file ? ` <span class="muted">(${escapeHtml(x.file)})</span>` : ''}</summary><pre>${escapeHtml(stringify(x.scenario, { lineWidth: 0 }))}</pre></details>`);
    }
    out.push('</section>');
  }
  out.push(`<footer>Generated by vgsim compare. Charts are Vega-Lite specs rendered without a browser; this page loads nothing from the network.</footer>
</main>
</body>
</html>
`);
  return { html: out.join('\n'), charts, comparison: cmp };
}

/** Write dir/compare.html, dir/compare.json and dir/charts/compare-*.svg|png; returns the paths (compare.html first). */
export async function writeCompareOutput(dir: string, runs: readonly CompareRun[], opts: CompareHtmlOptions = {}): Promise<string[]> {
  const { html, charts, comparison } = await renderCompareHtml(runs, opts);
  const chartDir = join(dir, 'charts');
  mkdirSync(chartDir, { recursive: true });
  const files: string[] = [];
  const write = (path: string, data: string | Buffer) => {
    writeFileSync(path, data);
    files.push(path);
  };
  write(join(dir, 'compare.html'), html);
  write(join(dir, 'compare.json'), toJson(compareJson(comparison, runs)));
  for (const c of charts) {
    write(join(chartDir, `${c.id}.svg`), c.svg);
    write(join(chartDir, `${c.id}.png`), renderPng(c.svg));
  }
  return files;
}
