/**
 * What every chart spec shares: the palette, the look (CHART_CONFIG), quantitative axes, reference lines
 * (SLOs, capacities) with their labels, the white halo under text, subtitles wrapped to the plot, and the
 * top-level wrapper. The chart builders (lines.ts, bars.ts, timeline.ts) stand on it.
 *
 * Colours are assigned here, in TypeScript, from the input order (never by Vega's ordinal scale), so a
 * series keeps its colour across charts when callers pass the same order or an explicit colour.
 */
import type { TopLevelSpec } from 'vega-lite';
import { CHART_FONT } from './render.ts';

export type Json = Record<string, unknown>;

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

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

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

export function quantAxis(a: AxisOptions, field: string, extra: Json = {}): Json {
  const scale: Json = {};
  if (a.scale && a.scale !== 'linear') scale.type = a.scale;
  if (a.domain) scale.domain = a.domain;
  if (a.scale !== 'log' && a.zero !== undefined) scale.zero = a.zero;
  const axis: Json = { grid: true, tickCount: 8 };
  if (a.format) axis.format = a.format;
  return { field, type: 'quantitative', title: a.title, scale, axis, ...extra };
}

/** Rules + labels for reference lines, as layers to add to a layered spec. */
export function referenceLayers(refs: readonly ReferenceLine[], xMax = Infinity): Json[] {
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

/** A copy of a text layer drawn as a white outline, to go under it. */
export function halo(layer: Json): Json {
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

export function topLevel(title: string, subtitle: string | undefined, body: Json, width = DEFAULT_WIDTH): TopLevelSpec {
  // ~6.8 px per character of 12 px DejaVu Sans
  const sub = subtitle ? wrapText(subtitle, Math.max(60, Math.floor((width + 120) / 6.8))) : undefined;
  return {
    $schema: SCHEMA,
    title: sub ? { text: title, subtitle: sub.length === 1 ? sub[0] : sub } : { text: title },
    config: CHART_CONFIG,
    ...body,
  } as unknown as TopLevelSpec;
}

/** The title of a left band axis written horizontally above its labels (a rotated title taller than a short plot pushes the plot down). */
export const HORIZONTAL_BAND_TITLE: Json = { titleAngle: 0, titleAlign: 'right', titleAnchor: 'end', titleBaseline: 'bottom', titleX: -4, titleY: -6, titleFontWeight: 'bold', titleFontSize: 11 };

export function uniq(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}
