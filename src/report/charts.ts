/**
 * The report's charts: pure functions from simulation results and cost-model estimates to Vega-Lite
 * specs, plus rendering to SVG/PNG (charts/render.ts) and the reusable builders (charts/generic.ts).
 *
 *   latencyCdfChart       latency CDF per request class, SLOs marked          (SimulationResult.records)
 *   loadOverTimeChart     GPU utilization, queue length, busy replicas         (SimulationResult.timeseries)
 *   powerOverTimeChart    cluster IT power, with its average and peak          (SimulationResult.timeseries, energy)
 *   replicasOverTimeChart replicas awake / busy and nodes on (autoscaling)     (SimulationResult.timeseries)
 *   stageBreakdownChart   encode / denoise / decode per class (and pool)       (SimulationResult.service_times)
 *   replicaTimelineChart  what each replica ran when (Gantt)                   (SimulationResult.records)
 *   energyChart           energy per video by component (GPUs, node, PUE)     (SimulationResult.energy)
 *   costChart             TCO per video by cost component, one bar per run    (SimulationResult.cost)
 *   memoryChart           memory by category per phase against GPU capacity    (Estimate.memory)
 *   opsChart              top operators' time per request, coloured by bound  (Estimate.ops)
 *
 * Elsewhere: charts/capacity.ts (latency and attainment vs offered load), charts/plan.ts (throughput and
 * speed-up vs GPUs per replica), charts/gantt.ts (per-GPU timeline with stage bands, SVG drawn with d3 scales).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { SimulationResult } from '../serving/simulate.ts';
import { labelled, type EstimateLike } from './charts/units-labels.ts';
import { latencyCdfChart, loadOverTimeChart, powerOverTimeChart, replicasChange, replicasOverTimeChart, replicaTimelineChart, stageBreakdownChart } from './charts/run.ts';
import { costChart, energyChart } from './charts/energy-cost.ts';
import { memoryChart, opsChart } from './charts/cost-model.ts';

export { renderSvg, renderPng, renderPngs, CHART_FONT, FONT_FILES, type PngOptions } from './charts/render.ts';
export {
  linesChart, linesLayer, barsChart, timelineChart, stackedPanels, seriesColors, PALETTE, CHART_CONFIG,
  type AxisOptions, type Point, type LineSeries, type LinesChartInput, type ReferenceLine,
  type BarDatum, type BarReference, type BarsChartInput, type TimelineItem, type TimelineChartInput,
} from './charts/generic.ts';
export { timeUnitFor, estimateLabel, labelled, maxOf, fitSubtitle, type TimeUnit, type LabelledEstimate, type EstimateLike } from './charts/units-labels.ts';
export { latencyCdfChart, loadOverTimeChart, powerOverTimeChart, replicasChange, replicasOverTimeChart, stageBreakdownChart, replicaTimelineChart } from './charts/run.ts';
export { energyChart, costChart, type LabelledResult } from './charts/energy-cost.ts';
export { memoryChart, opsChart } from './charts/cost-model.ts';

// ---------------------------------------------------------------------------------------------------
// the report's set

export interface NamedChart {
  /** File stem (charts/<id>.svg|png), unique within a report. */
  id: string;
  /** Which part of a report it belongs to: the simulated run or the cost model of one request. */
  section: 'simulation' | 'cost-model';
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'x';
}

/** Every chart of a run report, in report order (charts needing records are skipped without them). */
export function reportCharts(result: SimulationResult, estimates: readonly EstimateLike[] = []): NamedChart[] {
  const charts: NamedChart[] = [];
  const sim = (id: string, title: string, caption: string, spec: TopLevelSpec) => charts.push({ id, section: 'simulation', title, caption, spec });
  // a latency distribution needs a completed request (an empty one draws an axis from NaN to NaN)
  if (result.records && result.requests.completed > 0) sim('latency-cdf', 'Latency distribution', "Empirical CDF of end-to-end latency (arrival to video done) of completed requests, per class; dashed lines mark each class's SLO.", latencyCdfChart(result));
  if (result.timeseries.length) sim('load-over-time', 'Cluster load over time', 'Sampled cluster state: share of GPUs busy, requests waiting and in the system, busy replicas.', loadOverTimeChart(result));
  if (result.timeseries.length) sim('power-over-time', 'Power over time', 'IT power of the GPUs and their nodes over simulated time; dashed lines: the average and the metered peak.', powerOverTimeChart(result));
  if (replicasChange(result)) sim('replicas-over-time', 'Replicas and nodes over time', 'Replicas serving (loaded and awake) and busy, and nodes powered on, as autoscaling, failures and cold starts change them.', replicasOverTimeChart(result));
  if (result.service_times.length) sim('stage-breakdown', 'Service time by stage', 'Cost-model time of one request of each class on each pool, split into text encode, denoise and VAE decode.', stageBreakdownChart(result));
  if (result.records) sim('replica-timeline', 'Replica timeline', 'Which request each replica was serving, over simulated time.', replicaTimelineChart(result));
  if (result.requests.completed > 0) sim('energy', 'Energy per video', 'Facility energy per completed video: GPUs, the rest of the nodes, and the facility overhead (PUE).', energyChart(result));
  if (result.cost) sim('cost', 'Cost per video', `Total cost of ownership per completed video by component (${result.cost.basis} basis), from the monthly cost at the simulated rate.`, costChart(result));
  const list = estimates.map(labelled);
  if (list.length) charts.push({ id: 'memory', section: 'cost-model', title: 'Memory by phase', caption: 'Peak GPU memory of each phase by what holds it, against the usable memory of the GPU.', spec: memoryChart(list) });
  const ids = new Set(charts.map((c) => c.id));
  for (const le of list) {
    let id = `ops-${slug(le.label)}`;
    for (let n = 2; ids.has(id); n++) id = `ops-${slug(le.label)}-${n}`;
    ids.add(id);
    charts.push({ id, section: 'cost-model', title: `Top operators — ${le.label}`, caption: `The costliest operators of one request (${le.label}), all calls of each, coloured by the resource that bounds them.`, spec: opsChart(le) });
  }
  return charts;
}
