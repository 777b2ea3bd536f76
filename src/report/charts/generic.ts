/**
 * Reusable chart builders: typed inputs in, Vega-Lite specs out. The domain charts (charts.ts) and later
 * features (latency vs load, throughput vs GPUs, TCO bars, energy per video, power over time) build on
 * `linesChart`, `barsChart` and `timelineChart` rather than writing Vega-Lite by hand.
 *
 * Colours are assigned here, in TypeScript, from the input order (never by Vega's ordinal scale), so a
 * series keeps its colour across charts when callers pass the same order or an explicit colour.
 */
import type { TopLevelSpec } from 'vega-lite';
import { CHART_FONT } from './render.ts';

type Json = Record<string, unknown>;

/** Vega's tableau10 variant: the default series / group colours, in order. */
export const PALETTE: readonly string[] = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'];

export const DEFAULT_WIDTH = 620;
export const DEFAULT_HEIGHT = 280;

/** Shared look: DejaVu Sans everywhere, left-aligned titles, light grid, no frame. */
export const CHART_CONFIG: Json = {
  font: CHART_FONT,
  background: 'white',
  padding: 12,
  view: { stroke: null },
  title: { anchor: 'start', fontSize: 15, fontWeight: 'bold', subtitleFontSize: 12, subtitleColor: '#555555', offset: 10, subtitlePadding: 4 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', titleColor: '#333333', labelColor: '#333333', gridColor: '#e6e6e6', domainColor: '#888888', tickColor: '#888888', titlePadding: 8 },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 260, symbolStrokeWidth: 2.5 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  line: { strokeWidth: 2 },
  bar: { stroke: 'white', strokeWidth: 0.5 },
};

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** A quantitative axis. Put the unit in the title: "latency (min)", "memory (GB)". */
export interface AxisOptions {
  title: string;
  scale?: 'linear' | 'log' | 'sqrt';
  /** d3-format string for tick labels, e.g. ".0%", ",.1f", "~s". */
  format?: string;
  /** Fixed domain; otherwise from the data (plus reference lines). */
  domain?: [number, number];
  /** Include zero in the domain (default true for linear scales, ignored for log). */
  zero?: boolean;
}

/** A straight reference line across the plot: an SLO, a capacity, a target. */
export interface ReferenceLine {
  /** 'x': a vertical line at x = value; 'y': a horizontal line at y = value. */
  axis: 'x' | 'y';
  value: number;
  label?: string;
  color?: string;
  dashed?: boolean;
}

export interface Point {
  x: number;
  y: number;
}

export interface LineSeries {
  name: string;
  points: readonly Point[];
  /** Default: PALETTE[index]. */
  color?: string;
  dashed?: boolean;
}

export interface LinesChartInput {
  title: string;
  subtitle?: string;
  x: AxisOptions;
  y: AxisOptions;
  series: readonly LineSeries[];
  /** 'step-after' for sampled state (queue length, CDFs); default 'linear'. */
  interpolate?: 'linear' | 'step-after' | 'monotone';
  /** Draw a dot on every point (sweeps with few points). */
  points?: boolean;
  references?: readonly ReferenceLine[];
  /** Legend title; the legend is hidden when there is a single series. */
  legendTitle?: string;
  width?: number;
  height?: number;
}

export interface SeriesColor {
  name: string;
  color: string;
}

/** Colours of the series of a lines chart, as linesChart assigns them. */
export function seriesColors(series: readonly { name: string; color?: string }[]): SeriesColor[] {
  return series.map((s, i) => ({ name: s.name, color: s.color ?? PALETTE[i % PALETTE.length]! }));
}

function quantAxis(a: AxisOptions, field: string, extra: Json = {}): Json {
  const scale: Json = {};
  if (a.scale && a.scale !== 'linear') scale.type = a.scale;
  if (a.domain) scale.domain = a.domain;
  if (a.scale !== 'log' && a.zero !== undefined) scale.zero = a.zero;
  const axis: Json = { grid: true, tickCount: 8 };
  if (a.format) axis.format = a.format;
  return { field, type: 'quantitative', title: a.title, scale, axis, ...extra };
}

/** Rules + labels for reference lines, as layers to add to a layered spec. */
function referenceLayers(refs: readonly ReferenceLine[], xMax = Infinity): Json[] {
  if (refs.length === 0) return [];
  const rows = refs.map((r) => ({ axis: r.axis, value: r.value, label: r.label ?? '', color: r.color ?? '#333333', dash: r.dashed === false ? 'solid' : 'dashed', ypx: 0, side: 'left' }));
  // labels of vertical lines in the right part of the plot go on the line's left side
  for (const r of rows) if (r.axis === 'x' && Number.isFinite(xMax) && r.value > 0.6 * xMax) r.side = 'right';
  // stagger the labels of vertical lines (alternate rows by position) so neighbours do not overprint
  [...rows].filter((r) => r.axis === 'x').sort((a, b) => a.value - b.value).forEach((r, k) => (r.ypx = 2 + (k % 2) * 15));
  const layers: Json[] = [];
  for (const axis of ['x', 'y'] as const) {
    const mine = rows.filter((r) => r.axis === axis);
    if (mine.length === 0) continue;
    const pos = { field: 'value', type: 'quantitative' };
    layers.push({
      data: { values: mine },
      mark: { type: 'rule', strokeWidth: 1.5 },
      encoding: {
        [axis]: pos,
        color: { field: 'color', type: 'nominal', scale: null, legend: null },
        strokeDash: { field: 'dash', type: 'nominal', scale: { domain: ['solid', 'dashed'], range: [[1, 0], [6, 4]] }, legend: null },
      },
    });
    // one text layer per label: a fixed pixel offset needs `value`, which cannot come from a field
    for (const r of mine) {
      if (r.label === '') continue;
      const right = r.side === 'right';
      const mark = axis === 'x'
        ? { type: 'text', align: right ? 'right' : 'left', baseline: 'top', dx: right ? -4 : 4, fontSize: 11, text: r.label }
        : { type: 'text', align: 'right', baseline: 'bottom', dx: -2, dy: -3, fontSize: 11, text: r.label };
      const encoding = { [axis]: { datum: r.value, type: 'quantitative' }, ...(axis === 'x' ? { y: { value: r.ypx } } : { x: { value: { expr: 'width' } } }) };
      // a white halo under the text keeps it readable where it crosses lines
      layers.push({ data: { values: [{}] }, mark: { ...mark, color: 'white', stroke: 'white', strokeWidth: 4, strokeJoin: 'round', opacity: 0.9 }, encoding });
      layers.push({ data: { values: [{}] }, mark: { ...mark, color: r.color }, encoding });
    }
  }
  return layers;
}

/** The layered (non-top-level) part of a lines chart, for composing panels with vconcat. */
export function linesLayer(input: LinesChartInput): Json {
  const width = input.width ?? DEFAULT_WIDTH;
  const height = input.height ?? DEFAULT_HEIGHT;
  const colors = seriesColors(input.series);
  const names = colors.map((c) => c.name);
  const rows: Json[] = [];
  input.series.forEach((s, si) => {
    s.points.forEach((p, i) => {
      if (Number.isFinite(p.x) && Number.isFinite(p.y)) rows.push({ series: s.name, s: si, i, x: p.x, y: p.y, dash: s.dashed ? 'dashed' : 'solid' });
    });
  });
  const showLegend = input.series.length > 1;
  const line: Json = {
    data: { values: rows },
    mark: { type: 'line', interpolate: input.interpolate ?? 'linear', strokeWidth: 2, ...(input.points ? { point: { size: 36, filled: true } } : {}) },
    encoding: {
      x: quantAxis(input.x, 'x'),
      y: quantAxis(input.y, 'y'),
      color: {
        field: 'series', type: 'nominal', title: input.legendTitle ?? null,
        scale: { domain: names, range: colors.map((c) => c.color) },
        legend: showLegend ? { orient: 'right', symbolType: 'stroke' } : null,
      },
      strokeDash: { field: 'dash', type: 'nominal', scale: { domain: ['solid', 'dashed'], range: [[1, 0], [6, 4]] }, legend: null },
      order: { field: 'i', type: 'quantitative' },
      detail: { field: 's', type: 'nominal' },
    },
  };
  const xMax = input.x.domain?.[1] ?? Math.max(...rows.map((r) => r.x as number), ...(input.references ?? []).filter((r) => r.axis === 'x').map((r) => r.value));
  return {
    width,
    height,
    layer: [line, ...referenceLayers(input.references ?? [], xMax)],
    resolve: { scale: { color: 'independent', strokeDash: 'independent' } },
  };
}

/** A copy of a text layer drawn as a white outline, to go under it. */
function halo(layer: Json): Json {
  return { ...layer, mark: { ...(layer.mark as Json), color: 'white', stroke: 'white', strokeWidth: 3, strokeJoin: 'round' } };
}

/** Break text into lines of at most `max` characters at spaces (titles wider than the plot widen the chart). */
export function wrapText(text: string, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > max) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

function topLevel(title: string, subtitle: string | undefined, body: Json, width = DEFAULT_WIDTH): TopLevelSpec {
  // ~6.8 px per character of 12 px DejaVu Sans
  const sub = subtitle ? wrapText(subtitle, Math.max(60, Math.floor((width + 120) / 6.8))) : undefined;
  return {
    $schema: SCHEMA,
    title: sub ? { text: title, subtitle: sub.length === 1 ? sub[0] : sub } : { text: title },
    config: CHART_CONFIG,
    ...body,
  } as unknown as TopLevelSpec;
}

/** A multi-series line chart (latency vs load, throughput vs GPUs, power over time, CDFs…). */
export function linesChart(input: LinesChartInput): TopLevelSpec {
  return topLevel(input.title, input.subtitle, linesLayer(input));
}

/** Panels stacked vertically, each a lines chart (its title becomes the panel title), sharing nothing. */
export function stackedPanels(title: string, subtitle: string | undefined, panels: readonly LinesChartInput[]): TopLevelSpec {
  return topLevel(title, subtitle, {
    vconcat: panels.map((p, i) => ({
      title: { text: p.title, fontSize: 12, fontWeight: 'bold', ...(p.subtitle ? { subtitle: p.subtitle } : {}) },
      ...linesLayer(i === panels.length - 1 ? p : { ...p, x: { ...p.x, title: '' } }),
    })),
    spacing: 14,
    config: { ...CHART_CONFIG, axisY: { minExtent: 44 } },
    resolve: { scale: { color: 'independent', strokeDash: 'independent' }, legend: { color: 'independent' } },
  });
}

// ---------------------------------------------------------------------------------------------------
// bars

/** One bar, or one segment of a stacked bar. */
export interface BarDatum {
  /** The bar's position on the categorical axis. */
  category: string;
  value: number;
  /** Stack segment / grouped bar within the category (coloured, in the legend). */
  group?: string;
  /** Text printed at the end of this bar (grouped mode, or stacked with labels: 'each'). */
  label?: string;
  /** Extra tooltip/detail text (kept in the spec's data; not drawn). */
  detail?: string;
}

/** A value line across the bars (capacity, budget) — across one category's band or the whole plot. */
export interface BarReference {
  value: number;
  label?: string;
  /** Only across this category's band (e.g. each GPU's own capacity); default: the whole plot. */
  category?: string;
  color?: string;
}

export interface BarsChartInput {
  title: string;
  subtitle?: string;
  data: readonly BarDatum[];
  /** Categorical axis: title and order (default: first appearance). */
  category: { title: string; order?: readonly string[] };
  /** Value axis. */
  value: AxisOptions;
  /** Colour legend: title, order (default: first appearance, which is also the stack order) and colours. */
  group?: { title: string; order?: readonly string[]; colors?: Readonly<Record<string, string>> };
  /** 'stacked' (default) or 'grouped' (side by side within a category). */
  mode?: 'stacked' | 'grouped';
  /** 'horizontal' (default: bars grow to the right, long category names stay readable) or 'vertical'. */
  orientation?: 'horizontal' | 'vertical';
  references?: readonly BarReference[];
  /** Text at the end of each category's stack (stacked mode): category → text. */
  totals?: Readonly<Record<string, string>>;
  width?: number;
  /** Plot height for vertical bars; horizontal bars get `step` px per bar. */
  height?: number;
  step?: number;
}

/** The title of a left band axis written horizontally above its labels (a rotated title taller than a short plot pushes the plot down). */
const HORIZONTAL_BAND_TITLE: Json = { titleAngle: 0, titleAlign: 'right', titleAnchor: 'end', titleBaseline: 'bottom', titleX: -4, titleY: -6, titleFontWeight: 'bold', titleFontSize: 11 };

function uniq(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

/** Stacked or grouped bars (stage breakdowns, TCO, energy per video, memory by phase…). */
export function barsChart(input: BarsChartInput): TopLevelSpec {
  const horizontal = (input.orientation ?? 'horizontal') === 'horizontal';
  const grouped = input.mode === 'grouped';
  const width = input.width ?? DEFAULT_WIDTH;
  const cats = input.category.order ? [...input.category.order] : uniq(input.data.map((d) => d.category));
  const groups = input.group?.order ? [...input.group.order] : uniq(input.data.map((d) => d.group ?? ''));
  const groupColors = groups.map((g, i) => input.group?.colors?.[g] ?? PALETTE[i % PALETTE.length]!);
  const rows = input.data.map((d) => ({ category: d.category, group: d.group ?? '', g: groups.indexOf(d.group ?? ''), value: d.value, label: d.label ?? '', detail: d.detail ?? '' }));
  const hasLegend = !!input.group && groups.length > 0 && !(groups.length === 1 && groups[0] === '');

  // room for the end-of-bar labels: extend the value domain by ~15%
  const stackTotals = new Map<string, number>();
  for (const r of rows) stackTotals.set(r.category, (stackTotals.get(r.category) ?? 0) + (grouped ? 0 : r.value));
  const extent = Math.max(
    0,
    ...(grouped ? rows.map((r) => r.value) : [...stackTotals.values()]),
    ...(input.references ?? []).map((r) => r.value),
  );
  const labels = [...Object.values(input.totals ?? {}), ...rows.map((r) => r.label)].filter((l) => l !== '');
  const labelled = labels.length > 0;
  const valueAxis: AxisOptions = { ...input.value };
  if (!valueAxis.domain && labelled && extent > 0 && (input.value.scale ?? 'linear') === 'linear') {
    // ~6.6 px per character at 11 px DejaVu Sans; keep the longest label inside the plot
    const room = horizontal ? Math.max(...labels.map((l) => l.length)) * 6.6 + 10 : 18;
    const span = horizontal ? width : input.height ?? DEFAULT_HEIGHT;
    valueAxis.domain = [0, extent / Math.max(0.4, 1 - room / span)];
  }
  if (!valueAxis.domain && !labelled && extent > 0 && (input.value.scale ?? 'linear') === 'linear') valueAxis.domain = [0, extent * 1.04];

  const V = horizontal ? 'x' : 'y';
  const C = horizontal ? 'y' : 'x';
  const offset = horizontal ? 'yOffset' : 'xOffset';
  const step = input.step ?? (grouped ? 14 : 26);
  const catEnc: Json = {
    field: 'category', type: 'nominal', sort: cats, title: input.category.title,
    scale: { domain: cats, paddingInner: grouped ? 0.25 : 0.2 },
    axis: horizontal ? { labelLimit: 280, ...HORIZONTAL_BAND_TITLE } : { labelAngle: cats.some((c) => c.length > 10) ? -30 : 0, labelAlign: cats.some((c) => c.length > 10) ? 'right' : 'center', labelLimit: 200 },
  };
  const valueEnc = quantAxis(valueAxis, 'value', { stack: grouped ? null : 'zero' });
  // values were extended for labels: do not let `nice` round the extension away into a huge gap
  (valueEnc.scale as Json).nice = !labelled;
  const colorEnc: Json = {
    field: 'group', type: 'nominal', title: input.group?.title ?? null,
    scale: { domain: groups, range: groupColors },
    legend: hasLegend ? { orient: horizontal ? 'bottom' : 'right', direction: horizontal ? 'horizontal' : 'vertical', columns: horizontal ? (groups.length <= 4 ? groups.length : 3) : 1, gridAlign: 'each', columnPadding: 16, symbolType: 'square' } : null,
  };
  const bars: Json = {
    data: { values: rows },
    mark: { type: 'bar', ...(horizontal ? {} : {}) },
    encoding: {
      [C]: catEnc,
      [V]: valueEnc,
      color: colorEnc,
      order: { field: 'g', type: 'quantitative' },
      ...(grouped ? { [offset]: { field: 'group', type: 'nominal', sort: groups, scale: { domain: groups } } } : {}),
      tooltip: [
        { field: 'category', type: 'nominal' },
        { field: 'group', type: 'nominal' },
        { field: 'value', type: 'quantitative', format: input.value.format ?? ',.3~f' },
      ],
    },
  };
  const layers: Json[] = [bars];

  const textMark = horizontal
    ? { type: 'text', align: 'left', baseline: 'middle', dx: 4, fontSize: 11, color: '#333333' }
    : { type: 'text', align: 'center', baseline: 'bottom', dy: -3, fontSize: 11, color: '#333333' };
  const refs = input.references ?? [];
  const bandRefs = refs.filter((r) => r.category !== undefined).map((r) => ({ category: r.category!, value: r.value, label: r.label ?? '', color: r.color ?? '#222222' }));
  if (bandRefs.length) {
    layers.push({
      data: { values: bandRefs },
      mark: { type: 'tick', thickness: 2.5, opacity: 1, orient: horizontal ? 'vertical' : 'horizontal' },
      encoding: {
        [C]: { field: 'category', type: 'nominal', sort: cats, scale: { domain: cats } },
        [V]: { field: 'value', type: 'quantitative' },
        color: { field: 'color', type: 'nominal', scale: null, legend: null },
      },
    });
    const withLabel = bandRefs.filter((r) => r.label !== '');
    if (withLabel.length) {
      layers.push({
        data: { values: withLabel },
        mark: horizontal
          ? { type: 'text', align: 'right', baseline: 'middle', dx: -5, fontSize: 10, fontStyle: 'italic' }
          : { type: 'text', align: 'center', baseline: 'bottom', dy: -4, fontSize: 10, fontStyle: 'italic' },
        encoding: {
          [C]: { field: 'category', type: 'nominal', sort: cats, scale: { domain: cats } },
          [V]: { field: 'value', type: 'quantitative' },
          ...(horizontal ? { yOffset: { value: -(step / 2) - 0 } } : {}),
          text: { field: 'label', type: 'nominal' },
          color: { field: 'color', type: 'nominal', scale: null, legend: null },
        },
      });
    }
  }
  const lineRefs = refs.filter((r) => r.category === undefined).map((r) => ({ axis: V as 'x' | 'y', value: r.value, label: r.label, color: r.color, dashed: true }));
  layers.push(...referenceLayers(lineRefs, valueAxis.domain?.[1] ?? extent));

  // value labels last, over a white halo, so reference ticks and lines never hide them
  const textLayers: Json[] = [];
  const perBar = rows.filter((r) => r.label !== '');
  if (perBar.length) {
    textLayers.push({
      data: { values: perBar },
      mark: textMark,
      encoding: {
        [C]: { field: 'category', type: 'nominal', sort: cats, scale: { domain: cats } },
        [V]: { field: 'value', type: 'quantitative', stack: null },
        ...(grouped ? { [offset]: { field: 'group', type: 'nominal', sort: groups, scale: { domain: groups } } } : {}),
        text: { field: 'label', type: 'nominal' },
      },
    });
  }
  if (input.totals && !grouped) {
    const totals = cats.filter((c) => input.totals![c] !== undefined).map((c) => ({ category: c, value: stackTotals.get(c) ?? 0, label: input.totals![c]! }));
    textLayers.push({
      data: { values: totals },
      mark: textMark,
      encoding: {
        [C]: { field: 'category', type: 'nominal', sort: cats, scale: { domain: cats } },
        [V]: { field: 'value', type: 'quantitative', stack: null },
        text: { field: 'label', type: 'nominal' },
      },
    });
  }

  for (const t of textLayers) layers.push(halo(t), t);

  const size = horizontal
    ? { width, height: { step: grouped ? step * Math.max(1, groups.length) : step } }
    : { width: grouped ? { step: step * Math.max(1, groups.length) } : Math.max(width, 0), height: input.height ?? DEFAULT_HEIGHT };
  if (!horizontal && !grouped) (size as Json).width = Math.min(width, Math.max(200, cats.length * 60));
  return topLevel(input.title, input.subtitle, { ...size, layer: layers, resolve: { scale: { color: 'independent' } } });
}

// ---------------------------------------------------------------------------------------------------
// timelines (Gantt): bars from x to x2 on lanes

export interface TimelineItem {
  /** The lane (row): a GPU, a replica. */
  lane: string;
  start: number;
  end: number;
  /** Colour key (request class, stage, phase). */
  group: string;
}

export interface TimelineChartInput {
  title: string;
  subtitle?: string;
  items: readonly TimelineItem[];
  /** Lane order (default: first appearance). */
  lanes?: readonly string[];
  laneTitle: string;
  x: AxisOptions;
  group: { title: string; order?: readonly string[]; colors?: Readonly<Record<string, string>> };
  width?: number;
  /** px per lane (default 18). */
  step?: number;
}

/** A Gantt chart as Vega-Lite bars with x/x2 (per-GPU or per-replica activity). */
export function timelineChart(input: TimelineChartInput): TopLevelSpec {
  const lanes = input.lanes ? [...input.lanes] : uniq(input.items.map((i) => i.lane));
  const groups = input.group.order ? [...input.group.order] : uniq(input.items.map((i) => i.group));
  const colors = groups.map((g, i) => input.group.colors?.[g] ?? PALETTE[i % PALETTE.length]!);
  const rows = input.items.map((i) => ({ lane: i.lane, start: i.start, end: i.end, group: i.group }));
  const x = quantAxis(input.x, 'start');
  return topLevel(input.title, input.subtitle, {
    width: input.width ?? DEFAULT_WIDTH,
    height: { step: input.step ?? 18 },
    data: { values: rows },
    mark: { type: 'bar', cornerRadius: 1, stroke: 'white', strokeWidth: 0.6 },
    encoding: {
      y: { field: 'lane', type: 'nominal', sort: lanes, scale: { domain: lanes, paddingInner: 0.25 }, title: input.laneTitle, axis: { labelLimit: 200, ...HORIZONTAL_BAND_TITLE } },
      x,
      x2: { field: 'end' },
      color: { field: 'group', type: 'nominal', title: input.group.title, scale: { domain: groups, range: colors }, legend: { orient: 'bottom', direction: 'horizontal', symbolType: 'square' } },
    },
  });
}
