/**
 * Reusable chart builders: typed inputs in, Vega-Lite specs out. The domain charts (charts.ts) and later
 * features (latency vs load, throughput vs GPUs, TCO bars, energy per video, power over time) build on
 * `linesChart`, `barsChart` and `timelineChart` rather than writing Vega-Lite by hand. One file each:
 *
 *   spec-parts.ts  palette, look, axes, reference lines, titles (what every spec shares)
 *   lines.ts       linesChart, stackedPanels
 *   bars.ts        barsChart
 *   timeline.ts    timelineChart
 */
export { PALETTE, DEFAULT_WIDTH, DEFAULT_HEIGHT, CHART_CONFIG, wrapText, type AxisOptions, type ReferenceLine } from './spec-parts.ts';
export { seriesColors, linesLayer, linesChart, stackedPanels, type Point, type LineSeries, type LinesChartInput, type SeriesColor } from './lines.ts';
export { barsChart, type BarDatum, type BarReference, type BarsChartInput } from './bars.ts';
export { timelineChart, type TimelineItem, type TimelineChartInput } from './timeline.ts';
