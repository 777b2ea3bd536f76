/**
 * Units and labels the run report's charts share: the time unit of an axis, the name of an estimate, class
 * colours, and the adjustments that keep Vega's text-width estimates inside the plot (subtitles, legends,
 * band labels).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { SimulationResult } from '../../serving/simulate.ts';
import type { Estimate } from '../../perf/estimate.ts';
import { DEFAULT_WIDTH, PALETTE, wrapText } from './generic.ts';

export interface TimeUnit {
  /** Axis unit label. */
  unit: 's' | 'min' | 'h';
  /** Seconds per unit. */
  seconds: number;
}

/** The unit that keeps axis numbers readable for values up to `maxSeconds`. */
export function timeUnitFor(maxSeconds: number): TimeUnit {
  if (!(maxSeconds > 180)) return { unit: 's', seconds: 1 };
  if (maxSeconds <= 5 * 3600) return { unit: 'min', seconds: 60 };
  return { unit: 'h', seconds: 3600 };
}

/** A cost-model estimate with the name it goes by in the report (e.g. "720p-5s on a14b"). */
export interface LabelledEstimate {
  label: string;
  estimate: Estimate;
}

export type EstimateLike = Estimate | LabelledEstimate;

export function estimateLabel(e: Estimate): string {
  const r = e.request;
  return `${e.model} ${r.width}×${r.height}×${r.frames}f on ${e.gpu}`;
}

export function labelled(e: EstimateLike): LabelledEstimate {
  return 'estimate' in e ? e : { label: estimateLabel(e), estimate: e };
}

/** Request-class colours: class i of result.classes gets PALETTE[i] in every chart. */
export function classColors(result: SimulationResult): Record<string, string> {
  const out: Record<string, string> = {};
  result.classes.forEach((c, i) => (out[c.name] = PALETTE[i % PALETTE.length]!));
  return out;
}

/** The largest of `xs` and `floor` (a loop: spreading 100k+ values into Math.max overflows the stack). */
export function maxOf(xs: Iterable<number>, floor = -Infinity): number {
  let m = floor;
  for (const x of xs) if (x > m) m = x;
  return m;
}

/**
 * Re-wraps a chart's subtitle so that Vega's estimate of its width (0.8 × font size per character: there is
 * no canvas to measure text) stays within `px`; a longer line widens the SVG far past the plot, leaving a
 * blank band on the right. `px`: the plot, its axes and any legend beside it.
 */
export function fitSubtitle<T extends TopLevelSpec>(spec: T, px = DEFAULT_WIDTH + 70): T {
  const title = (spec as { title?: unknown }).title as { subtitle?: string | string[] } | undefined;
  if (!title || typeof title !== 'object' || title.subtitle === undefined) return spec;
  const text = Array.isArray(title.subtitle) ? title.subtitle.join(' ') : title.subtitle;
  const lines = wrapText(text, Math.max(40, Math.floor(px / 9.6)));
  title.subtitle = lines.length === 1 ? lines[0]! : lines;
  return spec;
}

/** Sets the number of columns of a bars chart's colour legend (long labels: fewer columns keep it within the plot's width). */
export function legendColumns<T extends TopLevelSpec>(spec: T, columns: number): T {
  const layers = (spec as { layer?: { encoding?: { color?: { legend?: Record<string, unknown> | null } } }[] }).layer ?? [];
  const legend = layers[0]?.encoding?.color?.legend;
  if (legend) {
    legend.columns = columns;
    // Vega truncates labels by its estimate of their width (0.8 × font size per character), which overshoots
    legend.labelLimit = 400;
  }
  return spec;
}

/** A lines chart's legend below the plot with a wider truncation limit (long labels; Vega's width estimate overshoots). */
export function legendBelow<T extends TopLevelSpec>(spec: T, labelLimit: number, direction: 'vertical' | 'horizontal' = 'vertical'): T {
  const layers = (spec as { layer?: { encoding?: { color?: { legend?: Record<string, unknown> | null } } }[] }).layer ?? [];
  const legend = layers[0]?.encoding?.color?.legend;
  if (legend) Object.assign(legend, { orient: 'bottom', direction, labelLimit, ...(direction === 'horizontal' ? { columnPadding: 24 } : {}) });
  return spec;
}

/** Widens the truncation limit of a horizontal bars chart's category labels (Vega's width estimate overshoots, so long labels get cut early). */
export function bandLabelLimit<T extends TopLevelSpec>(spec: T, px: number): T {
  const layers = (spec as { layer?: { encoding?: { y?: { axis?: Record<string, unknown> } } }[] }).layer ?? [];
  const axis = layers[0]?.encoding?.y?.axis;
  if (axis) axis.labelLimit = px;
  return spec;
}

export function needRecords(result: SimulationResult, chart: string) {
  if (!result.records) throw new Error(`${chart} needs per-request records: run simulate(scenario, { records: true })`);
  return result.records;
}

/** Colours for categories beyond the named ones (memory items, cost components). */
export const EXTRA_COLORS = ['#439894', '#d67195', '#79706e', '#b6992d', '#499894', '#ff9d9a', '#8cd17d', '#a0cbe8'];
