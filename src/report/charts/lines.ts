/**
 * Line charts: one or more series over a quantitative x axis, with reference lines (latency vs load,
 * throughput vs GPUs, power over time, CDFs), and panels of them stacked vertically.
 */
import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG, DEFAULT_HEIGHT, DEFAULT_WIDTH, PALETTE, quantAxis, referenceLayers, topLevel, type AxisOptions, type Json, type ReferenceLine } from './spec-parts.ts';

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
