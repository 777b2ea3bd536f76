/**
 * Timelines (Gantt): bars from x to x2 on lanes (per-GPU or per-replica activity).
 */
import type { TopLevelSpec } from 'vega-lite';
import { DEFAULT_WIDTH, HORIZONTAL_BAND_TITLE, PALETTE, quantAxis, topLevel, uniq, type AxisOptions } from './spec-parts.ts';

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
