/**
 * A self-contained HTML report of a run: summary, per-class and per-pool tables, the charts inlined as SVG
 * (no CDN, no scripts, nothing fetched — it opens offline), cost-model details, warnings and the scenario
 * as run. Every chart is also written next to it as charts/<id>.svg and charts/<id>.png.
 *
 * Deterministic: the same inputs give a byte-identical report.html (no timestamps, no wall time).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
// yaml (its CommonJS build, the same one `import` gets on Node) loads on first use: `vgsim plan` imports this module for --out/--deploy only
const yaml = (): typeof import('yaml') => createRequire(import.meta.url)('yaml');
import type { SimulationResult } from '../serving/simulate.ts';
import { fmtSeconds, pct } from './table.ts';
import type { TopLevelSpec } from 'vega-lite';
import { reportCharts, labelled, renderSvg, renderPngs, type EstimateLike, type LabelledEstimate, type NamedChart } from './charts.ts';
import { gpuGanttChart, type GanttOptions } from './charts/gantt.ts';
import { pricesTable, PRICES_CAPTION } from './prices.ts';
import { evidenceLine, needsCaveat } from '../perf/gpu-evidence.ts';
import { makeDirs } from '../make-dirs.ts';

export interface HtmlReportInput {
  result: SimulationResult;
  /** The scenario as run (printed as YAML). */
  scenario?: unknown;
  /** Cost-model estimates to detail (memory and operator charts), e.g. one per pool × class. */
  estimates?: readonly EstimateLike[];
  /** Page title; default "vgsim report — <scenario name>". */
  title?: string;
}

/** A chart of a report with its SVG: a Vega-Lite chart (spec set) or one drawn directly as SVG (the d3 Gantt). */
export interface RenderedChart extends Omit<NamedChart, 'spec'> {
  spec?: TopLevelSpec;
  svg: string;
}

export interface ReportFigureOptions {
  /** The per-GPU Gantt (window, number of GPUs); false leaves it out. */
  gantt?: GanttOptions | false;
}

/**
 * Every chart of a run report, rendered, in report order: reportCharts' Vega-Lite charts, with the per-GPU
 * Gantt (charts/gantt.ts, drawn directly as SVG) after the replica timeline when there are records.
 */
export async function reportFigures(result: SimulationResult, estimates: readonly EstimateLike[] = [], opts: ReportFigureOptions = {}): Promise<RenderedChart[]> {
  const out: RenderedChart[] = [];
  for (const c of reportCharts(result, estimates)) out.push({ ...c, svg: await renderSvg(c.spec) });
  if (result.records && opts.gantt !== false && result.records.some((r) => r.outcome === 'completed')) {
    const g = gpuGanttChart(result, opts.gantt || {});
    const at = out.findIndex((c) => c.id === 'replica-timeline');
    const fig: RenderedChart = {
      id: 'gpu-timeline', section: 'simulation', title: 'GPU timeline',
      caption: `What each GPU ran over ${fmtSeconds(g.window[1] - g.window[0])} from ${fmtSeconds(g.window[0])} (${g.lanes.length} lanes, ${g.requests} requests): one bar per request coloured by class, shaded by stage (text encode, denoise, VAE decode).`,
      svg: g.svg,
    };
    out.splice(at >= 0 ? at + 1 : out.length, 0, fig);
  }
  return out;
}

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(s: unknown): string {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Make an SVG safe to inline next to others: prefix its ids (Vega numbers clip paths from 1 in every
 * render, so two inlined charts would otherwise share "clip1") and drop the XML namespace declarations,
 * which HTML does not need.
 */
/** The opening of a self-contained vgsim page, up to and including `<main>`. */
export function htmlHead(title: string, css: string = REPORT_CSS): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="vgsim">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
</head>
<body>
<main>
`;
}

export function inlineSvg(svg: string, prefix: string): string {
  return svg
    .replace(/\s+xmlns(:xlink)?="[^"]*"/g, '')
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${prefix}-${id})`)
    .replace(/(xlink:)?href="#([^"]+)"/g, (_m, x: string | undefined, id: string) => `${x ?? ''}href="#${prefix}-${id}"`)
    .trim();
}

// ---------------------------------------------------------------------------------------------------

export type Cell = string | number | null | undefined;

function fmtCell(c: Cell): string {
  if (c === null || c === undefined) return '–';
  if (typeof c === 'number') return Number.isInteger(c) ? String(c) : c.toFixed(2);
  return c;
}

export interface TableOptions {
  caption?: string;
  /** Right-aligned columns (default: all but the first). */
  numeric?: readonly boolean[];
  /** A class for row i (e.g. "pareto"), or '' for none. */
  rowClass?: (i: number) => string;
  /** Columns whose text may wrap (long labels and notes), so the table fits the page. */
  wrap?: readonly number[];
}

/** An HTML table: numbers as integers or with two decimals, text escaped, empty cells as "–". */
export function table(headers: readonly string[], rows: readonly Cell[][], opts: TableOptions = {}): string {
  const numeric = opts.numeric ?? headers.map((_, i) => i > 0);
  const colClass = (i: number) => [numeric[i] ? 'num' : '', opts.wrap?.includes(i) ? 'wrap' : ''].filter(Boolean).join(' ');
  const attr = (i: number) => (colClass(i) ? ` class="${colClass(i)}"` : '');
  const th = headers.map((h, i) => `<th${attr(i)}>${escapeHtml(h)}</th>`).join('');
  const tr = (i: number) => {
    const cls = opts.rowClass?.(i);
    return cls ? `<tr class="${escapeHtml(cls)}">` : '<tr>';
  };
  const body = rows.map((r, ri) => `${tr(ri)}${r.map((c, i) => `<td${attr(i)}>${escapeHtml(fmtCell(c))}</td>`).join('')}</tr>`).join('\n');
  return `<table>${opts.caption ? `<caption>${escapeHtml(opts.caption)}</caption>` : ''}<thead><tr>${th}</tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
}

/** A table in a horizontally scrolling box (wide tables on narrow screens). */
export function scrollTable(headers: readonly string[], rows: readonly Cell[][], opts: TableOptions = {}): string {
  return `<div class="scroll">${table(headers, rows, opts)}</div>`;
}

const sec = (s: number | null | undefined) => (s === null || s === undefined ? null : fmtSeconds(s));

/** The prices the run's cost used: each node type's components with source and date, or the cloud $/GPU-hour. */
function pricesSection(c: NonNullable<SimulationResult['cost']>): string {
  if (c.prices.length) {
    const t = pricesTable(c.prices);
    return `<h3>Prices</h3><p class="muted">${escapeHtml(PRICES_CAPTION)}</p>` + scrollTable(t.headers, t.rows, { numeric: t.numeric, wrap: t.wrap });
  }
  return `<h3>Prices</h3>` + scrollTable(['GPU', '$/GPU-hour', 'source'], c.cloud_prices.map((p) => [p.gpu, `$${p.usd_per_gpu_hour}`, p.source]), { numeric: [false, true, false] });
}

function card(label: string, value: string, note?: string): string {
  return `<div class="card"><div class="value">${escapeHtml(value)}</div><div class="label">${escapeHtml(label)}</div>${note ? `<div class="note">${escapeHtml(note)}</div>` : ''}</div>`;
}

/** A chart inlined as a figure, with links to its SVG and PNG files (charts/<id>.svg|png). */
export function figure(c: Pick<RenderedChart, 'id' | 'caption' | 'svg'>): string {
  return `<figure id="fig-${escapeHtml(c.id)}">
<div class="chart">${inlineSvg(c.svg, c.id)}</div>
<figcaption>${escapeHtml(c.caption)} <span class="files"><a href="charts/${escapeHtml(c.id)}.svg">SVG</a> · <a href="charts/${escapeHtml(c.id)}.png">PNG</a></span></figcaption>
</figure>`;
}

/** The stylesheet every vgsim HTML page uses (report, compare, sweep, capacity, plan, size, tco). */
export const REPORT_CSS = `
:root { --fg: #1d2433; --muted: #5b6473; --line: #dfe3ea; --band: #f6f8fb; --accent: #4c78a8; --warn-bg: #fff7e6; --warn-line: #f0c36d; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff; font: 15px/1.5 'DejaVu Sans', 'Bitstream Vera Sans', Verdana, system-ui, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 28px 24px 64px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 40px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 24px 0 8px; }
p.meta, .muted { color: var(--muted); margin: 0; }
nav { margin: 14px 0 0; font-size: 14px; }
nav a { color: var(--accent); text-decoration: none; margin-right: 14px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 22px 0 6px; }
.card { flex: 1 1 160px; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; background: var(--band); }
.card .value { font-size: 24px; font-weight: bold; }
.card .label { color: var(--muted); font-size: 13px; }
.card .note { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; margin: 8px 0 18px; font-size: 13.5px; }
caption { text-align: left; font-weight: bold; padding: 4px 0 6px; }
th, td { padding: 5px 12px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th { background: var(--band); font-weight: bold; border-bottom: 2px solid var(--line); }
th, td.wrap { white-space: normal; }
td.wrap { min-width: 14em; }
tbody tr:nth-child(even) td { background: #fbfcfd; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; }
figure { margin: 18px 0 30px; }
.chart svg { max-width: 100%; height: auto; display: block; }
.chart svg text { font-family: 'DejaVu Sans', 'Bitstream Vera Sans', Verdana, sans-serif; }
figcaption { color: var(--muted); font-size: 13.5px; margin-top: 4px; }
figcaption .files a { color: var(--accent); }
tr.pareto td { background: #fff4f2; }
ul.notes li { margin: 4px 0; }
ul.warnings { list-style: none; padding: 0; }
ul.warnings li { background: var(--warn-bg); border-left: 4px solid var(--warn-line); padding: 8px 12px; margin: 6px 0; font-size: 14px; }
.ok { color: #2e7d32; }
.bad { color: #c0392b; font-weight: bold; }
pre { background: var(--band); border: 1px solid var(--line); border-radius: 6px; padding: 14px; overflow-x: auto; font: 12.5px/1.45 'DejaVu Sans Mono', Menlo, Consolas, monospace; }
footer { margin-top: 48px; color: var(--muted); font-size: 12px; }
`;

/** Render the report page and its charts (no files written). */
export async function renderHtmlReport(input: HtmlReportInput): Promise<{ html: string; charts: RenderedChart[] }> {
  const r = input.result;
  const estimates: LabelledEstimate[] = (input.estimates ?? []).map(labelled);
  const title = input.title ?? `vgsim report — ${r.scenario}`;

  // ---- charts ----
  const rendered = await reportFigures(r, estimates);
  const simCharts = rendered.filter((c) => c.section === 'simulation');
  const costCharts = rendered.filter((c) => c.section === 'cost-model');
  const byId = new Map(rendered.map((c) => [c.id, c]));

  // ---- warnings ----
  const warnings: string[] = [];
  const warn = (w: string) => {
    if (!warnings.includes(w)) warnings.push(w);
  };
  for (const w of r.warnings) warn(w);
  for (const le of estimates) {
    for (const w of le.estimate.warnings) warn(w);
    const ev = le.estimate.evidence;
    if (ev && needsCaveat(ev)) warn(`evidence: ${evidenceLine(ev, le.estimate.gpus)}`);
    else if (!ev && le.estimate.profile.extrapolated && !le.estimate.warnings.some((w) => /extrapolat/i.test(w))) warn(`${le.label}: EXTRAPOLATED — ${le.estimate.gpu} has no measured profile; its costs are scaled from ${le.estimate.profile.source}`);
    if (!le.estimate.fits) warn(`${le.label}: ${le.estimate.memory.verdict}`);
  }
  if (r.requests.in_flight > 0) warn(`${r.requests.in_flight} requests were still in flight when the simulation stopped; latency statistics cover completed requests only`);
  if (r.requests.dropped > 0) warn(`${r.requests.dropped} requests were dropped (queue full, timed out or no replica serving their model)`);

  // ---- page ----
  const q = r.requests;
  const L = r.latency_s;
  const W = r.queue_wait_s;
  const out: string[] = [];
  out.push(`${htmlHead(title, REPORT_CSS)}
<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">scenario <strong>${escapeHtml(r.scenario)}</strong> · seed ${escapeHtml(r.seed)} · ${escapeHtml(fmtSeconds(r.sim_time_s))} simulated · ${escapeHtml(r.events)} events</p>
<nav><a href="#summary">Summary</a><a href="#classes">Classes</a><a href="#pools">Pools</a><a href="#charts">Charts</a>${estimates.length ? '<a href="#cost-model">Cost model</a>' : ''}<a href="#warnings">Warnings</a>${input.scenario !== undefined ? '<a href="#scenario">Scenario</a>' : ''}</nav>
</header>`);

  // summary
  const sloNote = r.slo_attainment === null ? 'no class has an SLO' : 'completed within their class SLO';
  out.push(`<section id="summary"><h2>Summary</h2>
<div class="cards">
${card('throughput', `${r.throughput_per_h.toFixed(1)} videos/h`, `${q.completed} completed in ${fmtSeconds(r.sim_time_s)}`)}
${card('GPU utilization', pct(r.gpu_utilization), 'time-averaged, all GPUs')}
${card('SLO attainment', pct(r.slo_attainment), sloNote)}
${card('p95 latency', fmtSeconds(L.p95), `p50 ${fmtSeconds(L.p50)} · p99 ${fmtSeconds(L.p99)}`)}
${card('mean queue wait', fmtSeconds(W.mean), `p95 ${fmtSeconds(W.p95)}`)}
${card('energy per video', q.completed > 0 ? `${r.energy.per_video_wh.toFixed(0)} Wh` : 'n/a', q.completed > 0 ? `facility (IT × PUE ${r.energy.pue}); ${r.energy.total_kwh.toFixed(1)} kWh IT in all, ${r.energy.avg_power_kw.toFixed(2)} kW mean` : 'no completed request')}
${card('cost per video', r.cost?.usd_per_video != null ? `$${r.cost.usd_per_video.toFixed(3)}` : 'n/a', r.cost ? `${r.cost.basis} basis; $${Math.round(r.cost.usd_per_month).toLocaleString('en-US')}/month, $${r.cost.usd_per_gpu_hour.toFixed(2)}/GPU-hour` : 'no price (see the warnings)')}
</div>`);
  out.push('<div class="scroll">' + table(['requests', 'arrived', 'completed', 'dropped', 'failed', 'in flight'], [['count', q.arrived, q.completed, q.dropped, q.failed, q.in_flight]]) + '</div>');
  out.push('<div class="scroll">' + table(['latency', 'mean', 'p50', 'p90', 'p95', 'p99', 'max'], [
    ['end-to-end', sec(L.mean), sec(L.p50), sec(L.p90), sec(L.p95), sec(L.p99), sec(L.max)],
    ['queue wait', sec(W.mean), sec(W.p50), null, sec(W.p95), sec(W.p99), null],
  ]) + '</div>');
  out.push('<div class="scroll">' + table(['run', 'value'], [
    ['throughput', `${r.throughput_per_h.toFixed(2)} videos/h`],
    ['GPU utilization', pct(r.gpu_utilization)],
    ['SLO attainment', pct(r.slo_attainment)],
    ['IT energy', `${r.energy.total_kwh.toFixed(2)} kWh (facility ${r.energy.facility_kwh.toFixed(2)} kWh at PUE ${r.energy.pue})`],
    ['energy per video', q.completed > 0 ? `${r.energy.per_video_wh.toFixed(0)} Wh facility, ${r.energy.per_video_second_wh.toFixed(1)} Wh per second of video` : 'n/a (no completed request)'],
    ['power', `${r.energy.avg_power_kw.toFixed(2)} kW mean, ${r.energy.peak_power_kw.toFixed(2)} kW peak (IT)`],
    ['cost basis', r.cost ? r.cost.basis : 'no price'],
    ['$ per video', r.cost?.usd_per_video != null ? `$${r.cost.usd_per_video.toFixed(3)}` : 'n/a'],
    ['$ per month', r.cost ? `$${Math.round(r.cost.usd_per_month).toLocaleString('en-US')}` : 'n/a'],
    ['$ per GPU-hour', r.cost ? `$${r.cost.usd_per_gpu_hour.toFixed(2)}` : 'n/a'],
    ['simulated time', fmtSeconds(r.sim_time_s)],
    ['events', r.events],
    ['seed', r.seed],
  ], { numeric: [false, true] }) + '</div></section>');

  // classes and pools
  out.push(`<section id="classes"><h2>Request classes</h2><div class="scroll">` + table(
    ['class', 'model', 'arrived', 'completed', 'dropped', 'service', 'mean', 'p50', 'p90', 'p95', 'p99', 'max', 'wait mean', 'wait p95', 'SLO', 'within SLO'],
    r.classes.map((c) => [c.name, c.model, c.arrived, c.completed, c.dropped, sec(c.service_s), sec(c.latency_s.mean), sec(c.latency_s.p50), sec(c.latency_s.p90), sec(c.latency_s.p95), sec(c.latency_s.p99), sec(c.latency_s.max), sec(c.queue_wait_s.mean), sec(c.queue_wait_s.p95), sec(c.slo_s), pct(c.slo_attainment)]),
    { numeric: [false, false, ...Array(14).fill(true)] },
  ) + '</div></section>');
  out.push(`<section id="pools"><h2>Pools</h2><div class="scroll">` + table(
    ['pool', 'model', 'GPU', 'replicas', 'GPUs per replica', 'parallel plan', 'utilization', 'served'],
    r.pools.map((p) => [p.name, p.model, p.gpu, p.replicas, p.gpus_per_replica, p.parallel, pct(p.utilization), p.served]),
    { numeric: [false, false, false, true, true, false, true, true] },
  ) + '</div>');
  if (r.service_times.length) {
    const post = r.service_times.some((s) => s.postprocess_s > 0 || s.postprocess_cpu_s > 0);
    out.push(`<h3>Service time of one request (cost model)</h3><div class="scroll">` + table(
      ['pool', 'class', 'text encode', 'denoise', 'VAE decode', ...(post ? ['post-processing (GPU)', 'CPU encode'] : []), 'total', 'peak memory'],
      r.service_times.map((s) => [s.pool, s.class, sec(s.encode_s), sec(s.denoise_s), sec(s.decode_s), ...(post ? [sec(s.postprocess_s), sec(s.postprocess_cpu_s)] : []), sec(s.total_s), `${s.peak_memory_gb.toFixed(1)} GB`]),
      { numeric: [false, false, true, true, true, ...(post ? [true, true] : []), true, true] },
    ) + '</div>');
    if (r.cpu_encodes) out.push(`<p>Host-CPU encodes: ${r.cpu_encodes.count}, mean wait for free cores ${sec(r.cpu_encodes.mean_wait_s)}, ${r.cpu_encodes.core_hours.toFixed(1)} core-hours (CPU power not metered).</p>`);
  }
  if (r.cost && (r.cost.prices.length || r.cost.cloud_prices.length)) out.push(pricesSection(r.cost));
  out.push('</section>');

  // charts
  out.push(`<section id="charts"><h2>Charts</h2>`);
  if (!r.records) out.push('<p class="muted">The latency CDF, the replica timeline and the GPU timeline need per-request records (simulate with records: true).</p>');
  for (const c of simCharts) out.push(figure(byId.get(c.id)!));
  out.push('</section>');

  // cost model
  if (estimates.length) {
    out.push(`<section id="cost-model"><h2>Cost model</h2>`);
    for (const le of estimates) {
      const e = le.estimate;
      const rq = e.request;
      out.push(`<h3>${escapeHtml(le.label)}</h3>
<p class="muted">${escapeHtml(`${e.model}, ${rq.width}×${rq.height}, ${rq.frames} frames, ${rq.steps} steps${rq.cfg ? ' with CFG' : ''}, on ${e.gpu} (${e.options.attention_kernel} attention, ${e.options.dtype}${e.options.offload ? ', offload' : ''}${e.options.compile ? ', compiled' : ''}) — ${fmtSeconds(e.total_s)} per request; one DiT forward ${fmtSeconds(e.forward_s)}`)}</p>
<p class="${e.fits ? 'ok' : 'bad'}">${escapeHtml(e.memory.verdict)}</p>`);
      out.push('<div class="scroll">' + table(['stage', 'count', 'each', 'total', 'bound', 'detail'],
        e.stages.map((s) => [s.name, s.count, sec(s.seconds_each), sec(s.seconds_total), s.bound, s.detail ?? '']),
        { numeric: [false, true, true, true, false, false] }) + '</div>');
    }
    for (const c of costCharts) out.push(figure(byId.get(c.id)!));
    out.push('</section>');
  }

  // warnings
  out.push(`<section id="warnings"><h2>Warnings</h2>`);
  out.push(warnings.length ? `<ul class="warnings">\n${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('\n')}\n</ul>` : '<p class="muted">None.</p>');
  out.push('</section>');

  // scenario
  if (input.scenario !== undefined) {
    out.push(`<section id="scenario"><h2>Scenario as run</h2><pre>${escapeHtml(yaml().stringify(input.scenario, { lineWidth: 0 }))}</pre></section>`);
  }
  out.push(`<footer>Generated by vgsim. Charts are Vega-Lite specs rendered without a browser; this page loads nothing from the network.</footer>
</main>
</body>
</html>
`);
  return { html: out.join('\n'), charts: rendered };
}

/** Write each chart as dir/charts/<id>.svg and .png; returns the paths written. */
export async function writeChartFiles(dir: string, charts: readonly { id: string; svg: string }[]): Promise<string[]> {
  const chartDir = join(dir, 'charts');
  makeDirs(chartDir);
  const files: string[] = [];
  const pngs = await renderPngs(charts.map((c) => c.svg));
  for (const [i, c] of charts.entries()) {
    const svgPath = join(chartDir, `${c.id}.svg`);
    const pngPath = join(chartDir, `${c.id}.png`);
    writeFileSync(svgPath, c.svg);
    writeFileSync(pngPath, pngs[i]!);
    files.push(svgPath, pngPath);
  }
  return files;
}

/**
 * Write dir/report.html and dir/charts/<id>.svg|png. Returns the paths written (report.html first).
 */
export async function writeHtmlReport(dir: string, input: HtmlReportInput): Promise<string[]> {
  const { html, charts } = await renderHtmlReport(input);
  makeDirs(dir);
  const reportPath = join(dir, 'report.html');
  writeFileSync(reportPath, html);
  return [reportPath, ...(await writeChartFiles(dir, charts))];
}

export interface ChartsPageInput {
  title: string;
  /** A line under the title. */
  meta?: string;
  /** Summary lines, one paragraph each. */
  lines?: readonly string[];
  tables?: readonly { caption?: string; headers: readonly string[]; rows: readonly Cell[][]; numeric?: readonly boolean[] }[];
  /** Charts, inlined; their files are expected at charts/<id>.svg|png (writeChartFiles). */
  charts: readonly RenderedChart[];
  notes?: readonly string[];
}

/** A small self-contained page (same look as report.html, nothing fetched): summary lines, tables and charts. */
export function renderChartsPage(input: ChartsPageInput): string {
  const out: string[] = [];
  out.push(`${htmlHead(input.title, REPORT_CSS)}
<header>
<h1>${escapeHtml(input.title)}</h1>
${input.meta ? `<p class="meta">${escapeHtml(input.meta)}</p>` : ''}
</header>`);
  if (input.lines?.length) out.push(`<section id="summary"><h2>Summary</h2>
${input.lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n')}</section>`);
  if (input.charts.length) out.push(`<section id="charts"><h2>Charts</h2>\n${input.charts.map(figure).join('\n')}</section>`);
  if (input.tables?.length) out.push(`<section id="tables"><h2>Details</h2>\n${input.tables.map((t) => `<div class="scroll">${table(t.headers, t.rows, { caption: t.caption, numeric: t.numeric })}</div>`).join('\n')}</section>`);
  if (input.notes?.length) out.push(`<section id="notes"><h2>Notes</h2><ul class="warnings">\n${input.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('\n')}\n</ul></section>`);
  out.push(`<footer>Generated by vgsim. Charts are rendered without a browser; this page loads nothing from the network.</footer>
</main>
</body>
</html>
`);
  return out.join('\n');
}

/** A page of the same look with a title, a line under it and body blocks of HTML (vgsim size, vgsim tco). */
export function htmlPage(title: string, meta: string, body: readonly string[]): string {
  return `${htmlHead(title, REPORT_CSS)}
<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${escapeHtml(meta)}</p>
</header>
${body.join('\n')}
<footer>Generated by vgsim. Charts are rendered without a browser; this page loads nothing from the network.</footer>
</main>
</body>
</html>
`;
}

/** Renders Vega-Lite charts to SVG and writes them (charts/<id>.svg|png); returns them with their SVG. */
export async function writeSpecCharts<C extends { id: string; spec: TopLevelSpec }>(dir: string, charts: readonly C[], files: string[]): Promise<(C & { svg: string })[]> {
  const out: (C & { svg: string })[] = [];
  for (const c of charts) out.push({ ...c, svg: await renderSvg(c.spec) });
  if (out.length) files.push(...(await writeChartFiles(dir, out)));
  return out;
}
