/**
 * Charts of a sizing search (`vgsim size`): cost per month vs p95 latency of every sized option with the Pareto
 * front labelled (labels placed greedily clear of points, lines and each other), and the monthly cost of each
 * option as bars.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { SizeResult, SizeRow } from '../../studies/size.ts';
import { parseSlo } from '../../studies/capacity.ts';
import { fmtSeconds } from '../table.ts';
import { barsChart, PALETTE, CHART_CONFIG, type BarDatum } from '../charts.ts';
import { DEFAULT_WIDTH, wrapText } from './generic.ts';
import { isValidated } from '../../perf/gpu-evidence.ts';

/** A chart of a size or tco page: its id (file name), title, caption and Vega-Lite spec. */
export interface PageChart {
  id: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

export const compactMoney = (x: number): string => (x >= 1e6 ? `$${(x / 1e6).toFixed(2)}M` : x >= 1e4 ? `$${(x / 1e3).toFixed(1)}k` : `$${x.toFixed(0)}`);

/** One colour per node type, in order of first appearance. */
export function nodeColors(nodes: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  [...new Set(nodes)].forEach((n, i) => (out[n] = PALETTE[i % PALETTE.length]!));
  return out;
}

/** An option on a GPU that no held-out measurement checks carries † (the text's pick line says the same in words). */
const UNVALIDATED_MARK = ' †';
const rankLabel = (r: SizeRow) => `#${r.rank} ${r.label}${r.pareto ? ' ★' : ''}${isValidated(r.gpu) ? '' : UNVALIDATED_MARK}`;
/** What † means, for a chart's subtitle, when some ranked option carries it. */
const daggerNote = (rows: readonly SizeRow[]) => (rows.some((r) => !isValidated(r.gpu)) ? '; † no held-out measurement on its GPU (rates extrapolated from the H100, unvalidated)' : '');

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
    title: { text: 'Cost vs p95 latency: the smallest passing cluster of each option', subtitle: wrapText(`${res.model} at ${res.rate_per_h.toFixed(1)} videos/h, ${res.objectives.join(', ')}; filled and connected: Pareto-optimal (no option is both cheaper and faster); #n = cost rank${daggerNote(rows)}`, 100) },
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
    subtitle: `the smallest node count meeting ${res.objectives.join(', ')} at ${res.rate_per_h.toFixed(1)} videos/h (${res.basis} cost)${daggerNote(rows)}`,
    data,
    category: { title: 'option', order: data.map((d) => d.category) },
    value: { title: `$/month (${res.basis})`, format: '$,.0f' },
    group: { title: 'node type', order: Object.keys(colors), colors },
    step: 22,
  });
}

/** The charts of a size page (none when no option passed). */
export function sizeCharts(res: SizeResult): PageChart[] {
  if (!res.rows.some((r) => r.rank !== null)) return [];
  return [
    { id: 'size-pareto', title: 'Cost vs p95 latency', caption: 'Each point is the smallest passing cluster of one (node type, layout); the Pareto-optimal options (no other is both cheaper and faster) are filled and connected.', spec: paretoChart(res) },
    { id: 'size-cost', title: 'Cost per month by option', caption: 'Monthly cost of each option at its smallest passing node count, cheapest first.', spec: costBarsChart(res) },
  ];
}
