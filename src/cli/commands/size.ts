/**
 * `vgsim size`: the cheapest cluster (node type × layout × node count) that serves a scenario's traffic within
 * latency objectives; and `vgsim tco`: how many nodes of each type a budget or a power envelope buys and what
 * they produce (iso-cost / iso-power). The logic is in src/studies/size.ts; this file parses flags, prints,
 * and writes size.json / size.csv / charts / size.html (tco.json / tco.csv / charts / tco.html).
 */
import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { loadScenario } from '../../scenario/load.ts';
import { parseSlo } from '../../studies/capacity.ts';
import { sizeCluster, isoCompare, parseRate, type SizeResult, type SizeRow, type IsoCompareResult, type IsoRow } from '../../studies/size.ts';
import { getModel } from '../../workload/request.ts';
import { parseResolution } from '../../units.ts';
import { table, fmtSeconds, pct } from '../../report/table.ts';
import { toCsv, toJson } from '../../report/output.ts';
import { escapeHtml, inlineSvg, htmlHead } from '../../report/html.ts';
import { barsChart, renderPng, renderSvg, PALETTE, CHART_CONFIG, type BarDatum } from '../../report/charts.ts';
import { DEFAULT_WIDTH, wrapText } from '../../report/charts/generic.ts';
import { collect, intFlag, UsageError } from '../usage-error.ts';
import { progress } from '../../report/progress.ts';

// ------------------------------------------------------------------------------------------------ formatting

const money = (x: number | null | undefined, digits = 0): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '-' : `$${x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
const compactMoney = (x: number): string => (x >= 1e6 ? `$${(x / 1e6).toFixed(2)}M` : x >= 1e4 ? `$${(x / 1e3).toFixed(1)}k` : `$${x.toFixed(0)}`);
const sec = (x: number | null | undefined) => (x === null || x === undefined ? '-' : fmtSeconds(x));
const num = (x: number | null | undefined, d = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(d));

/** Parses "10e6", "10M", "$2.5m", "500k", "1,000,000" as US dollars. */
export function parseMoney(text: string): number | undefined {
  const m = /^\s*\$?\s*([0-9][0-9,]*\.?[0-9]*(?:e[+-]?\d+)?)\s*([kmb])?\s*$/i.exec(text);
  if (!m) return undefined;
  const v = Number(m[1]!.replace(/,/g, '')) * ({ k: 1e3, m: 1e6, b: 1e9 }[(m[2] ?? '').toLowerCase() as 'k' | 'm' | 'b'] ?? 1);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

function nodeColors(nodes: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  [...new Set(nodes)].forEach((n, i) => (out[n] = PALETTE[i % PALETTE.length]!));
  return out;
}

// ------------------------------------------------------------------------------------------------ size: text

export function sizeText(res: SizeResult, wallS?: number): string {
  const out: string[] = [];
  out.push(`scenario ${res.scenario}: ${res.model} at ${res.rate_per_h.toFixed(1)} videos/h offered${res.rate_scale !== 1 ? ` (x${res.rate_scale.toPrecision(4)} the scenario rate)` : ''}; objectives ${res.objectives.join(', ')}; ${res.basis} cost; ${fmtSeconds(res.duration_s)} simulated per trial`);
  const found = res.rows.filter((r) => r.rank !== null).length;
  out.push(`${res.rows.length} options sized in ${res.simulations} simulations${wallS !== undefined ? ` (${wallS.toFixed(1)} s)` : ''}; ${found} meet the objectives${res.rows.length > found ? `, ${res.rows.length - found} do not within the limits` : ''}; * = Pareto-optimal in ($/month, p95)`);
  out.push('');
  out.push(table(
    ['#', 'node type', 'GPUs/replica', 'parallel', 'replicas', 'nodes', 'GPUs', 'p95', 'SLO attainment', 'utilization', 'kWh/video', '$/video', '$/month', 'note'],
    res.rows.map((r) => [
      r.rank === null ? '-' : `${r.rank}${r.pareto ? '*' : ''}`, r.node, r.gpus_per_replica, r.parallel, r.replicas, r.nodes, r.gpus,
      sec(r.latency_s?.p95), pct(r.slo_attainment), pct(r.utilization), num(r.kwh_per_video, 3), money(r.usd_per_video, 3), money(r.usd_per_month), r.note,
    ]),
  ));
  const best = res.rows.find((r) => r.rank === 1);
  if (best) out.push('', `cheapest: ${best.nodes} x ${best.node} (${best.replicas} replicas of ${best.parallel}, ${best.gpus} GPUs) at ${money(best.usd_per_month)}/month, ${money(best.usd_per_video, 3)}/video, p95 ${sec(best.latency_s?.p95)}`);
  if (res.skipped.length) {
    out.push('', 'skipped:');
    for (const s of res.skipped) out.push(`  ${s.node}${s.parallel ? ` ${s.parallel}` : ''}: ${s.reason}`);
  }
  for (const n of res.notes) out.push(`note: ${n}`);
  return out.join('\n') + '\n';
}

export function sizeCsvRows(res: SizeResult): Record<string, unknown>[] {
  return res.rows.map((r) => ({
    rank: r.rank, pareto: r.pareto, node: r.node, gpu: r.gpu, gpus_per_replica: r.gpus_per_replica, parallel: r.parallel, replicas: r.replicas, nodes: r.nodes, gpus: r.gpus,
    status: r.status, minimal: r.minimal, p50_s: r.latency_s?.p50, p95_s: r.latency_s?.p95, p99_s: r.latency_s?.p99, slo_attainment: r.slo_attainment, utilization: r.utilization,
    throughput_per_h: r.throughput_per_h, kwh_per_video: r.kwh_per_video, usd_per_video: r.usd_per_video, usd_per_month: r.usd_per_month, usd_per_gpu_hour: r.usd_per_gpu_hour,
    capex_usd: r.capex_usd, est_throughput_per_gpu_h: r.est_throughput_per_gpu_h, simulations: r.trials.length, note: r.note,
  }));
}

// ------------------------------------------------------------------------------------------------ size: charts

interface SizeChart {
  id: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

const rankLabel = (r: SizeRow) => `#${r.rank} ${r.label}${r.pareto ? ' ★' : ''}`;

interface LabelBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

const overlaps = (a: LabelBox, b: LabelBox) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * Greedy label placement in pixel space: each label (in priority order) takes the first of a ring of positions
 * around its point that stays inside the plot and clear of the points and the labels already placed; a label
 * with a fallback text retries with it; a label that fits nowhere is dropped (null). `obstacles` (lines, other
 * text) are avoided too.
 */
export function placeLabels(
  points: readonly { px: number; py: number; text: string; fallback?: string }[],
  width: number,
  height: number,
  charPx = 6.3,
  linePx = 13,
  obstacles: readonly LabelBox[] = [],
): ({ text: string; px: number; py: number; far: boolean; ax: number } | null)[] {
  const placed: LabelBox[] = [...obstacles];
  const dots: LabelBox[] = points.map((p) => ({ x: p.px - 6, y: p.py - 6, w: 12, h: 12 }));
  return points.map((p, i) => {
    for (const text of [p.text, p.fallback].filter((t): t is string => !!t)) {
      const w = text.length * charPx;
      const h = linePx;
      const spots: [number, number, boolean][] = [];
      for (const ring of [0, 1, 2, 3]) {
        const dy = ring * linePx;
        spots.push([9, -h / 2 - dy, ring > 0], [9, -h / 2 + dy, ring > 0], [-9 - w, -h / 2 - dy, ring > 0], [-9 - w, -h / 2 + dy, ring > 0]);
      }
      for (const [dx, dy, far] of spots) {
        const box = { x: p.px + dx, y: p.py + dy, w, h };
        if (box.x < 0 || box.y < 0 || box.x + w > width || box.y + h > height) continue;
        if (placed.some((b) => overlaps(b, box)) || dots.some((d, j) => j !== i && overlaps(d, box))) continue;
        placed.push(box);
        // a leader line from the point ends at the label's near edge
        return { text, px: box.x, py: box.y + h / 2, far, ax: dx > 0 ? box.x - 2 : box.x + w + 2 };
      }
    }
    return null;
  });
}

/** Cost per month vs p95 latency, one point per sized option; the Pareto-optimal ones filled, labelled and connected. */
export function paretoChart(res: SizeResult): TopLevelSpec {
  const rows = res.rows.filter((r) => r.rank !== null);
  const colors = nodeColors(rows.map((r) => r.node));
  const maxP95 = Math.max(0, ...rows.map((r) => r.latency_s!.p95));
  const unit = maxP95 > 180 ? 60 : 1;
  const uname = unit === 60 ? 'min' : 's';
  const sloTerms = res.objectives.filter((o) => /^(p\d+|mean|max)\s*<=/.test(o)).map((text) => ({ text, value: parseSlo(text)[0]!.value / unit }));
  const data = rows.map((r) => ({ x: r.latency_s!.p95 / unit, y: r.usd_per_month!, node: r.node, pareto: r.pareto, rank: r.rank!, label: rankLabel(r) }));
  const front = data.filter((d) => d.pareto).sort((a, b) => a.x - b.x);
  const xMax = Math.max(...data.map((d) => d.x), ...sloTerms.map((t) => t.value)) * 1.1;
  const yVals = data.map((d) => d.y);
  const yMin = Math.min(...yVals);
  const yMax = Math.max(...yVals);
  const pad = (yMax - yMin) * 0.12 || yMax * 0.1 || 1;
  const y0 = Math.max(0, yMin - pad);
  const y1 = yMax + pad;
  const W = DEFAULT_WIDTH;
  const H = 360;
  // labels: Pareto points first, then by cost rank; a dominated point falls back to its rank number
  const order = [...data.keys()].sort((a, b) => Number(data[b]!.pareto) - Number(data[a]!.pareto) || data[a]!.rank - data[b]!.rank);
  const px = (v: number) => (v / xMax) * W;
  const py = (v: number) => H - ((v - y0) / (y1 - y0)) * H;
  // keep labels off the objective's caption and the frontier line
  const obstacles: LabelBox[] = sloTerms.map((t) => ({ x: px(t.value) - 4 - `objective ${t.text}`.length * 6.8, y: 2, w: `objective ${t.text}`.length * 6.8 + 8, h: 16 }));
  for (let k = 1; k < front.length; k++) {
    const [a, b] = [front[k - 1]!, front[k]!];
    const len = Math.hypot(px(b.x) - px(a.x), py(b.y) - py(a.y));
    for (let t = 0; t <= len; t += 5) {
      const f = len > 0 ? t / len : 0;
      obstacles.push({ x: px(a.x) + f * (px(b.x) - px(a.x)) - 2, y: py(a.y) + f * (py(b.y) - py(a.y)) - 2, w: 4, h: 4 });
    }
  }
  const spots = placeLabels(order.map((i) => {
    const d = data[i]!;
    return { px: px(d.x), py: py(d.y), text: d.label, fallback: `#${d.rank}` };
  }), W, H, 6.3, 13, obstacles);
  const labels: { x: number; y: number; lx: number; ly: number; ax: number; text: string; far: boolean }[] = [];
  order.forEach((i, k) => {
    const s = spots[k];
    if (!s) return;
    const d = data[i]!;
    labels.push({ x: d.x, y: d.y, lx: (s.px / W) * xMax, ly: y0 + ((H - s.py) / H) * (y1 - y0), ax: (s.ax / W) * xMax, text: s.text, far: s.far });
  });
  const x = { field: 'x', type: 'quantitative', title: `p95 latency (${uname})`, scale: { domain: [0, xMax], nice: false }, axis: { grid: true, tickCount: 8 } };
  const y = { field: 'y', type: 'quantitative', title: `cost ($/month, ${res.basis})`, scale: { domain: [y0, y1], nice: false, zero: false }, axis: { grid: true, tickCount: 8, format: '$,.0f' } };
  const color = { field: 'node', type: 'nominal', title: 'node type', scale: { domain: Object.keys(colors), range: Object.values(colors) }, legend: { orient: 'bottom', direction: 'horizontal', symbolType: 'circle' } };
  const lx = { ...x, field: 'lx' };
  const ly = { ...y, field: 'ly' };
  const layers: unknown[] = [];
  for (const t of sloTerms) {
    layers.push({ data: { values: [{ v: t.value }] }, mark: { type: 'rule', color: '#c0392b', strokeDash: [6, 4], strokeWidth: 1.5 }, encoding: { x: { field: 'v', type: 'quantitative' } } });
    layers.push({ data: { values: [{ v: t.value }] }, mark: { type: 'text', align: 'right', baseline: 'top', dx: -4, dy: 4, fontSize: 11, color: '#c0392b', text: `objective ${t.text}` }, encoding: { x: { field: 'v', type: 'quantitative' }, y: { value: 0 } } });
  }
  layers.push(
    { data: { values: front }, mark: { type: 'line', color: '#333333', strokeWidth: 1.5, strokeDash: [5, 3] }, encoding: { x, y, order: { field: 'x', type: 'quantitative' } } },
    { data: { values: labels.filter((l) => l.far) }, mark: { type: 'rule', color: '#999999', strokeWidth: 0.8 }, encoding: { x, y, x2: { field: 'ax' }, y2: { field: 'ly' } } },
  );
  const text = { type: 'text', align: 'left', baseline: 'middle', fontSize: 10.5 };
  layers.push({ data: { values: labels }, mark: { ...text, color: 'white', stroke: 'white', strokeWidth: 3, strokeJoin: 'round' }, encoding: { x: lx, y: ly, text: { field: 'text' } } });
  layers.push({ data: { values: labels }, mark: { ...text, color: '#222222' }, encoding: { x: lx, y: ly, text: { field: 'text' } } });
  layers.push(
    { data: { values: data.filter((d) => !d.pareto) }, mark: { type: 'point', filled: false, size: 60, strokeWidth: 1.8, opacity: 0.95 }, encoding: { x, y, color } },
    { data: { values: front }, mark: { type: 'point', filled: true, size: 120, stroke: '#222222', strokeWidth: 1.2, opacity: 1 }, encoding: { x, y, color } },
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Cost vs p95 latency: the smallest passing cluster of each option', subtitle: wrapText(`${res.model} at ${res.rate_per_h.toFixed(1)} videos/h, ${res.objectives.join(', ')}; filled and connected: Pareto-optimal (no option is both cheaper and faster); #n = cost rank`, 100) },
    config: CHART_CONFIG,
    width: W,
    height: H,
    layer: layers,
  } as unknown as TopLevelSpec;
}

/** $/month of every sized option, cheapest first, coloured by node type. */
export function costBarsChart(res: SizeResult): TopLevelSpec {
  const rows = res.rows.filter((r) => r.rank !== null);
  const colors = nodeColors(rows.map((r) => r.node));
  const data: BarDatum[] = rows.map((r) => ({
    category: rankLabel(r), value: r.usd_per_month!, group: r.node,
    label: `${compactMoney(r.usd_per_month!)} · ${r.nodes} node${r.nodes === 1 ? '' : 's'} · p95 ${fmtSeconds(r.latency_s!.p95)}`,
  }));
  return barsChart({
    title: 'Cost per month by option',
    subtitle: `the smallest node count meeting ${res.objectives.join(', ')} at ${res.rate_per_h.toFixed(1)} videos/h (${res.basis} cost)`,
    data,
    category: { title: 'option', order: data.map((d) => d.category) },
    value: { title: `$/month (${res.basis})`, format: '$,.0f' },
    group: { title: 'node type', order: Object.keys(colors), colors },
    step: 22,
  });
}

function sizeCharts(res: SizeResult): SizeChart[] {
  if (!res.rows.some((r) => r.rank !== null)) return [];
  return [
    { id: 'size-pareto', title: 'Cost vs p95 latency', caption: 'Each point is the smallest passing cluster of one (node type, layout); the Pareto-optimal options (no other is both cheaper and faster) are filled and connected.', spec: paretoChart(res) },
    { id: 'size-cost', title: 'Cost per month by option', caption: 'Monthly cost of each option at its smallest passing node count, cheapest first.', spec: costBarsChart(res) },
  ];
}

// ------------------------------------------------------------------------------------------------ html

const CSS = `
body { margin: 0; color: #1d2433; font: 15px/1.5 'DejaVu Sans', Verdana, system-ui, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 64px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 34px 0 10px; padding-bottom: 6px; border-bottom: 2px solid #dfe3ea; }
.muted { color: #5b6473; }
table { border-collapse: collapse; margin: 8px 0 18px; font-size: 13px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #dfe3ea; text-align: left; white-space: nowrap; }
th { background: #f6f8fb; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.pareto td { background: #fff4f2; }
.scroll { overflow-x: auto; }
figure { margin: 16px 0 28px; } .chart svg { max-width: 100%; height: auto; display: block; }
figcaption { color: #5b6473; font-size: 13px; }
ul.notes li { margin: 4px 0; }
`;

function htmlTable(headers: readonly string[], rows: readonly (string | number | null)[][], numeric: readonly boolean[], rowClass?: (i: number) => string): string {
  const th = headers.map((h, i) => `<th${numeric[i] ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r, ri) => `<tr${rowClass?.(ri) ? ` class="${rowClass(ri)}"` : ''}>${r.map((c, i) => `<td${numeric[i] ? ' class="num"' : ''}>${escapeHtml(c ?? '–')}</td>`).join('')}</tr>`).join('\n');
  return `<div class="scroll"><table><thead><tr>${th}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>`;
}

function page(title: string, meta: string, body: string[]): string {
  return `${htmlHead(title, CSS)}
<h1>${escapeHtml(title)}</h1>
<p class="muted">${escapeHtml(meta)}</p>
${body.join('\n')}
<footer class="muted"><p>Generated by vgsim. Charts are Vega-Lite specs rendered without a browser; this page loads nothing from the network.</p></footer>
</main>
</body>
</html>
`;
}

function figureHtml(c: SizeChart & { svg: string }): string {
  return `<figure><div class="chart">${inlineSvg(c.svg, c.id)}</div><figcaption>${escapeHtml(c.caption)} <a href="charts/${escapeHtml(c.id)}.svg">SVG</a> · <a href="charts/${escapeHtml(c.id)}.png">PNG</a></figcaption></figure>`;
}

async function writeCharts(dir: string, charts: readonly SizeChart[], files: string[]): Promise<(SizeChart & { svg: string })[]> {
  const out: (SizeChart & { svg: string })[] = [];
  if (charts.length) mkdirSync(join(dir, 'charts'), { recursive: true });
  for (const c of charts) {
    const svg = await renderSvg(c.spec);
    writeFileSync(join(dir, 'charts', `${c.id}.svg`), svg);
    writeFileSync(join(dir, 'charts', `${c.id}.png`), renderPng(svg));
    files.push(join(dir, 'charts', `${c.id}.svg`), join(dir, 'charts', `${c.id}.png`));
    out.push({ ...c, svg });
  }
  return out;
}

/** Writes size.json, size.csv, charts/size-*.svg|png and size.html; returns the paths. */
export async function writeSizeOutput(dir: string, res: SizeResult): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    files.push(join(dir, name));
  };
  write('size.json', toJson(res));
  write('size.csv', toCsv(sizeCsvRows(res)));
  const charts = await writeCharts(dir, sizeCharts(res), files);
  const body: string[] = [];
  const best = res.rows.find((r) => r.rank === 1);
  if (best) body.push(`<p><strong>Cheapest:</strong> ${escapeHtml(`${best.nodes} × ${best.node} (${best.replicas} replicas of ${best.parallel}, ${best.gpus} GPUs) at ${money(best.usd_per_month)}/month, ${money(best.usd_per_video, 3)}/video, p95 ${sec(best.latency_s?.p95)}`)}</p>`);
  body.push('<h2>Options</h2>');
  body.push(htmlTable(
    ['#', 'node type', 'GPUs/replica', 'parallel', 'replicas', 'nodes', 'GPUs', 'p50', 'p95', 'p99', 'SLO attainment', 'utilization', 'kWh/video', '$/video', '$/month', 'note'],
    res.rows.map((r) => [r.rank === null ? '–' : `${r.rank}${r.pareto ? ' ★' : ''}`, r.node, r.gpus_per_replica, r.parallel, r.replicas, r.nodes, r.gpus, sec(r.latency_s?.p50), sec(r.latency_s?.p95), sec(r.latency_s?.p99), pct(r.slo_attainment), pct(r.utilization), num(r.kwh_per_video, 3), money(r.usd_per_video, 3), money(r.usd_per_month), r.note]),
    [true, false, true, false, true, true, true, true, true, true, true, true, true, true, true, false],
    (i) => (res.rows[i]!.pareto ? 'pareto' : ''),
  ));
  body.push('<p class="muted">★ Pareto-optimal: no other option is both cheaper and has a lower p95.</p>');
  if (charts.length) body.push('<h2>Charts</h2>', ...charts.map(figureHtml));
  if (res.skipped.length) body.push('<h2>Skipped</h2>', htmlTable(['node type', 'reason'], res.skipped.map((s) => [s.parallel ? `${s.node} ${s.parallel}` : s.node, s.reason]), [false, false]));
  body.push('<h2>Search</h2>', htmlTable(['option', 'nodes tried (✓ pass, ✗ fail)'], res.rows.map((r) => [r.label, r.trials.map((t) => `${t.nodes}${t.pass ? '✓' : '✗'}`).join(' ')]), [false, false]));
  if (res.notes.length) body.push(`<ul class="notes">${res.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('\n')}</ul>`);
  write('size.html', page(`vgsim size — ${res.scenario}`, `${res.model} at ${res.rate_per_h.toFixed(1)} videos/h; objectives ${res.objectives.join(', ')}; ${res.basis} cost; ${fmtSeconds(res.duration_s)} simulated per trial; ${res.simulations} simulations`, body));
  return files;
}

// ------------------------------------------------------------------------------------------------ tco

const basisTitle = (res: IsoCompareResult, b: IsoRow['basis']) => (b === 'budget' ? `${compactMoney(res.budget_usd!)} capex budget` : `${res.megawatts} MW facility power`);

export function tcoText(res: IsoCompareResult): string {
  const out: string[] = [];
  const rq = res.request;
  out.push(`${res.model}, ${rq.width}x${rq.height}, ${rq.frames} frames, ${rq.steps} steps: best layout per node type by throughput per GPU (cost model, every GPU busy around the clock: an upper bound)`);
  for (const b of ['budget', 'power'] as const) {
    const rows = res.rows.filter((r) => r.basis === b);
    if (!rows.length) continue;
    out.push('', `${basisTitle(res, b)}:`);
    out.push(table(
      ['node type', 'GPU', 'layout', 'nodes', 'GPUs', 'capex', 'facility kW', 'videos/h/GPU', 'fleet videos/h', 'IT kWh/video', '$/month', '$/video', 'note'],
      rows.map((r) => [r.node, r.gpu, r.parallel ?? '-', r.nodes, r.gpus, r.fleet_capex_usd === null ? '-' : compactMoney(r.fleet_capex_usd), r.facility_power_kw.toFixed(0), r.throughput_per_gpu_h, r.fleet_videos_per_h === null ? '-' : r.fleet_videos_per_h.toFixed(0), num(r.kwh_per_video, 3), money(r.usd_per_month), money(r.usd_per_video, 3), r.note]),
    ));
  }
  if (res.skipped.length) {
    out.push('', 'skipped or partial:');
    for (const s of res.skipped) out.push(`  ${s.node}: ${s.reason}`);
  }
  return out.join('\n') + '\n';
}

export function tcoCharts(res: IsoCompareResult): SizeChart[] {
  const charts: SizeChart[] = [];
  const rq = res.request;
  for (const b of ['budget', 'power'] as const) {
    const rows = res.rows.filter((r) => r.basis === b);
    if (!rows.length) continue;
    charts.push({
      id: `tco-${b}-gpus`, title: `GPUs for ${basisTitle(res, b)}`, caption: `Whole nodes of each type within ${basisTitle(res, b)} (floor).`,
      spec: barsChart({
        title: `GPUs for the same ${b === 'budget' ? 'budget' : 'power'}: ${basisTitle(res, b)}`,
        subtitle: b === 'budget' ? 'whole nodes = floor(budget / (server price + networking per GPU × GPUs))' : 'whole nodes = floor(MW / (node peak power × PUE))',
        data: rows.map((r) => ({ category: r.node, value: r.gpus, label: `${r.gpus} GPUs (${r.nodes} nodes)${r.parallel === null ? ' · cannot run the model' : ''}${r.fleet_capex_usd === null ? ' · no price' : ''}` })),
        category: { title: 'node type', order: rows.map((r) => r.node) }, value: { title: 'GPUs', format: ',.0f' }, step: 24,
      }),
    });
    const withT = rows.filter((r) => r.fleet_videos_per_h !== null);
    if (withT.length) {
      charts.push({
        id: `tco-${b}-throughput`, title: `Fleet throughput for ${basisTitle(res, b)}`, caption: 'Videos per hour of the fleet, every GPU busy on the best layout (cost model; an upper bound).',
        spec: barsChart({
          title: `Fleet videos/h for ${basisTitle(res, b)}`,
          subtitle: `${res.model} ${rq.width}x${rq.height}, ${rq.frames} frames, ${rq.steps} steps; best layout per node type, all GPUs busy (upper bound)`,
          data: withT.map((r) => ({ category: r.node, value: r.fleet_videos_per_h!, label: `${r.fleet_videos_per_h!.toFixed(0)}/h on ${r.gpus} GPUs${r.usd_per_video !== null ? ` · ${money(r.usd_per_video, 2)}/video` : ' · no price'}` })),
          category: { title: 'node type', order: withT.map((r) => r.node) }, value: { title: 'videos per hour', format: ',.0f' }, step: 24,
        }),
      });
    }
  }
  return charts;
}

export async function writeTcoOutput(dir: string, res: IsoCompareResult): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    files.push(join(dir, name));
  };
  write('tco.json', toJson(res));
  write('tco.csv', toCsv(res.rows.map(({ notes: _n, warnings: _w, ...r }) => r as unknown as Record<string, unknown>)));
  const charts = await writeCharts(dir, tcoCharts(res), files);
  const body: string[] = [];
  for (const b of ['budget', 'power'] as const) {
    const rows = res.rows.filter((r) => r.basis === b);
    if (!rows.length) continue;
    body.push(`<h2>${escapeHtml(basisTitle(res, b))}</h2>`);
    body.push(htmlTable(
      ['node type', 'GPU', 'layout', 'nodes', 'GPUs', 'capex', 'facility kW', 'videos/h/GPU', 'fleet videos/h', 'IT kWh/video', '$/month', '$/video', 'note'],
      rows.map((r) => [r.node, r.gpu, r.parallel ?? '–', r.nodes, r.gpus, r.fleet_capex_usd === null ? '–' : compactMoney(r.fleet_capex_usd), r.facility_power_kw.toFixed(0), num(r.throughput_per_gpu_h), r.fleet_videos_per_h === null ? '–' : r.fleet_videos_per_h.toFixed(0), num(r.kwh_per_video, 3), money(r.usd_per_month), money(r.usd_per_video, 3), r.note]),
      [false, false, false, true, true, true, true, true, true, true, true, true, false],
    ));
    for (const c of charts.filter((c) => c.id.startsWith(`tco-${b}-`))) body.push(figureHtml(c));
  }
  if (res.skipped.length) body.push('<h2>Skipped or partial</h2>', htmlTable(['node type', 'reason'], res.skipped.map((s) => [s.node, s.reason]), [false, false]));
  const rq = res.request;
  write('tco.html', page('vgsim tco — iso-cost / iso-power', `${res.model}, ${rq.width}x${rq.height}, ${rq.frames} frames, ${rq.steps} steps; per-GPU throughput from the cost model's best layout (every GPU busy: an upper bound)`, body));
  return files;
}

// ------------------------------------------------------------------------------------------------ commands

const splitList = (v: string) => v.split(',').map((x) => x.trim()).filter(Boolean);

function numberFlag(name: string, v: string, opts: { min?: number; max?: number } = {}): number {
  const n = Number(v);
  if (!Number.isFinite(n) || (opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
    throw new UsageError(`${name} expects a number${opts.min !== undefined ? ` >= ${opts.min}` : ''}${opts.max !== undefined ? ` <= ${opts.max}` : ''}, got "${v}"`);
  }
  return n;
}

export function registerSize(program: Command): void {
  program
    .command('size')
    .description('find the cheapest cluster (node type, layout, node count) that serves the scenario traffic within latency objectives')
    .argument('<scenario>', 'scenario YAML file (model, request mix, arrivals, cost settings)')
    .requiredOption('--slo <objectives>', 'objectives, comma-separated: p95<=20m, p99<=1h, mean<=5m, wait_p95<=60, attainment>=0.99, <class>.p95<=1h')
    .option('--rate <rate>', 'offered rate, e.g. 120/h, 2/min (default: the scenario rate)')
    .option('--nodes <types>', 'node types to consider, comma-separated (default: every catalog node type)')
    .option('--layouts <n>', 'layouts per node type, best throughput per GPU first (plus the offload layout when valid)', '3')
    .option('--all-layouts', 'also consider ring attention and PipeFusion layouts (slower search)')
    .option('--max-nodes <n>', 'largest node count tried per option', '64')
    .option('--max-sims <n>', 'simulations at most over the whole search', '300')
    .option('--basis <basis>', 'cost basis: owned or cloud (default: the scenario cost.basis)')
    .option('--seed <n>', 'override the scenario seed')
    .option('--set <path=value>', 'override any scenario field (repeatable)', collect, [])
    .option('--out <dir>', 'write size.json, size.csv, charts/ and size.html')
    .option('--json', 'print JSON')
    .addHelpText('after', `
For each node type with a price, the best layouts of one replica inside a node (vgsim plan, ranked by
throughput per GPU over the request mix) are sized: the smallest whole number of nodes whose simulation
meets every objective with nothing dropped, at the offered rate. Each trial simulates the scenario with its
cluster and deployment replaced (same seed, drain on); the answer n passed and n-1 failed. Options are
priced with the scenario's cost section and ranked by $/month. Trials run for the scenario's duration:
longer durations (--set duration=3d) give steadier tails but take longer.

Examples:
  $ vgsim size scenarios/default.yaml --slo 'p95<=45m' --rate 120/h --nodes hgx-h100-sxm-8,hgx-h200-8,dgx-b200-8
  $ vgsim size scenarios/default.yaml --slo '720p-5s.p95<=1h,480p-5s.p95<=20m' --basis cloud --out out/size
  $ vgsim size scenarios/default.yaml --slo 'p95<=30m' --json | jq '.rows[0]'`)
    .action(async (file: string, o: { slo: string; rate?: string; nodes?: string; layouts: string; allLayouts?: boolean; maxNodes: string; maxSims: string; basis?: string; seed?: string; set: string[]; out?: string; json?: boolean }) => {
      let terms;
      try {
        terms = parseSlo(o.slo);
      } catch (e) {
        throw new UsageError(`--slo: ${(e as Error).message}`);
      }
      const rate = o.rate !== undefined ? parseRate(o.rate) : undefined;
      if (o.rate !== undefined && rate === undefined) throw new UsageError(`--rate expects a positive rate such as 120/h, 2/min or 0.05/s, got "${o.rate}"`);
      if (o.basis !== undefined && o.basis !== 'owned' && o.basis !== 'cloud') throw new UsageError(`--basis expects owned or cloud, got "${o.basis}"`);
      const layouts = intFlag('--layouts', o.layouts);
      const maxNodes = intFlag('--max-nodes', o.maxNodes);
      const maxSims = intFlag('--max-sims', o.maxSims);
      const loaded = loadScenario(file, { set: o.set, seed: o.seed !== undefined ? intFlag('--seed', o.seed, 0) : undefined });
      const started = performance.now();
      let bar = progress(1, 'size', { enabled: !o.json });
      bar.message('searching layouts');
      let res: SizeResult;
      try {
        res = sizeCluster(loaded.scenario, {
          terms, ratePerH: rate, nodes: o.nodes ? splitList(o.nodes) : undefined, layouts, allLayouts: o.allLayouts, maxNodes, maxSims,
          basis: o.basis as 'owned' | 'cloud' | undefined,
          sim: { baseDir: dirname(resolve(file)), locate: loaded.locate },
          onNode: (n) => bar.message(`layouts on ${n}`),
          onCandidates: (n) => {
            bar.done();
            bar = progress(Math.max(1, n), 'size', { enabled: !o.json });
          },
          onTrial: (label, t) => bar.message(`${label}: ${t.nodes} node${t.nodes === 1 ? '' : 's'} ${t.pass ? 'pass' : 'fail'}`),
          onOption: (r) => bar.tick(1, `${r.label}: ${r.nodes ?? '-'} nodes`),
        });
      } catch (e) {
        if (e instanceof Error && /^objective|no arrivals|sizing handles one model/.test(e.message)) throw new UsageError(e.message);
        throw e;
      } finally {
        bar.done();
      }
      const wall = (performance.now() - started) / 1000;
      const files = o.out ? await writeSizeOutput(o.out, res) : [];
      process.stdout.write(o.json ? toJson(res) : sizeText(res, wall));
      if (o.out && !o.json) process.stdout.write(`wrote ${files.length} files to ${o.out} (size.html, size.json, size.csv, charts/)\n`);
    });

  program
    .command('tco')
    .description('iso-cost / iso-power: how many nodes of each type a budget or a power envelope buys, and what they produce')
    .requiredOption('--model <id>', 'model id')
    .option('--budget <usd>', 'capex budget, e.g. 10e6, 10M, 500k')
    .option('--megawatts <mw>', 'facility power envelope, MW')
    .option('--resolution <WxH>', 'video size (default: the model default)')
    .option('--frames <n>', 'frames')
    .option('--steps <n>', 'denoising steps')
    .option('--nodes <types>', 'node types, comma-separated (default: every catalog node type with 8+ GPUs)')
    .option('--facility <kind>', 'colocation (rent per kW) or owned (energy x PUE)', 'colocation')
    .option('--networking-usd-per-gpu <usd>', 'scale-out networking capex per GPU (default $5,000)')
    .option('--pue <x>', 'facility power / IT power for the power envelope (default 1.2; 1 for contracted IT power)')
    .option('--all-layouts', 'also consider ring attention and PipeFusion layouts')
    .option('--out <dir>', 'write tco.json, tco.csv, charts/ and tco.html')
    .option('--json', 'print JSON')
    .addHelpText('after', `
Per-GPU throughput and energy per video come from the cost model's best layout per node type (vgsim plan
--rank throughput), every GPU busy around the clock: an upper bound on what a fleet serves (vgsim size
sizes for a latency objective instead). A node type without a price is skipped for the budget and counted
without costs for the power envelope.

Examples:
  $ vgsim tco --model wan2.2-t2v-a14b --resolution 1280x720 --budget 10e6
  $ vgsim tco --model wan2.2-t2v-a14b --resolution 1280x720 --megawatts 1 --nodes hgx-h20-8,hgx-h100-sxm-8,mi300x-8 --out out/tco`)
    .action(async (o: { model: string; budget?: string; megawatts?: string; resolution?: string; frames?: string; steps?: string; nodes?: string; facility: string; networkingUsdPerGpu?: string; pue?: string; allLayouts?: boolean; out?: string; json?: boolean }) => {
      if (o.budget === undefined && o.megawatts === undefined) throw new UsageError('give --budget <usd> or --megawatts <mw> (or both)');
      const budget = o.budget !== undefined ? parseMoney(o.budget) : undefined;
      if (o.budget !== undefined && budget === undefined) throw new UsageError(`--budget expects an amount such as 10e6, 10M or 500k, got "${o.budget}"`);
      const mw = o.megawatts !== undefined ? numberFlag('--megawatts', o.megawatts, { min: 0 }) : undefined;
      if (mw !== undefined && !(mw > 0)) throw new UsageError('--megawatts must be positive');
      if (o.facility !== 'colocation' && o.facility !== 'owned') throw new UsageError(`--facility expects colocation or owned, got "${o.facility}"`);
      const res0 = o.resolution ? parseResolution(o.resolution) : undefined;
      if (o.resolution && !res0) throw new UsageError(`--resolution expects WIDTHxHEIGHT, got "${o.resolution}"`);
      const net = o.networkingUsdPerGpu !== undefined ? numberFlag('--networking-usd-per-gpu', o.networkingUsdPerGpu, { min: 0 }) : undefined;
      const pue = o.pue !== undefined ? numberFlag('--pue', o.pue, { min: 1 }) : undefined;
      const bar = progress(1, 'tco', { enabled: !o.json });
      bar.message('estimating the best layout per node type');
      let res: IsoCompareResult;
      try {
        res = isoCompare({
          model: getModel(o.model),
          request: { width: res0?.width, height: res0?.height, frames: o.frames ? intFlag('--frames', o.frames) : undefined, steps: o.steps ? intFlag('--steps', o.steps) : undefined },
          nodes: o.nodes ? splitList(o.nodes) : undefined, budgetUsd: budget, megawatts: mw, pue, allLayouts: o.allLayouts,
          assumptions: { facility: o.facility, ...(net !== undefined ? { networkingCapexUsdPerGpu: net } : {}) },
        });
      } finally {
        bar.done();
      }
      const files = o.out ? await writeTcoOutput(o.out, res) : [];
      process.stdout.write(o.json ? toJson(res) : tcoText(res));
      if (o.out && !o.json) process.stdout.write(`wrote ${files.length} files to ${o.out} (tco.html, tco.json, tco.csv, charts/)\n`);
    });
}
