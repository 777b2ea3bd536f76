/**
 * Replay: simulate exactly the arrivals of an observed trace (times, shapes, SLOs) on the cluster a scenario
 * describes, through simulate()'s public API, and compare predicted with observed request by request and in
 * aggregate (metrics.ts). The scenario's own arrivals are replaced by the trace; its duration ends just after
 * the last arrival and the run drains.
 */
import { resolve } from 'node:path';
import type { LoadedScenario } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import { DEFAULT_LIMITS } from '../scenario/limits.ts';
import { simulate, type SimulationResult } from '../serving/simulate.ts';
import { poolModelIds, poolsOf } from '../scenario/pools.ts';
import { type ObservedTrace, workerCount } from './observed-trace.ts';
import { observedTimes, servingMetrics, simulatedTimes, type RequestTimes, type ServingMetrics } from './metrics.ts';
import type { ServingOverheads } from '../serving/overheads.ts';
import { modelStages } from './model-stages.ts';
import { diagnoseStages, type StageDiagnosis } from './stage-diagnosis.ts';
import { traceModelId } from '../workload/trace-formats.ts';
import { InputError, didYouMean, type InputIssue } from '../errors.ts';
import { modelOf } from '../scenario/rules.ts';
import { inScenarioModels } from '../scenario/models.ts';
import { shapeProblems } from '../workload/shape-limits.ts';
import { listModels } from '../workload/request.ts';
import { fittedInputs, inSampleWarning, type FittedInput } from './fitted-on.ts';
import { catalogGpuOfDeviceName } from '../hardware/device-names.ts';

export const REPLAY_FORMAT = 'vgsim-replay/1';

export interface MetricRow {
  metric: string;
  observed: number;
  predicted: number;
  /** predicted / observed − 1; null when the observed value is below `floor` (a relative error of ~0 means nothing). */
  error: number | null;
  abs_error: number;
  /** Lowest and highest predicted value over the replications (one seed each). */
  range?: [number, number];
}

export interface RequestComparison {
  id: string;
  shape: string;
  worker: string | null;
  replica: number;
  arrival_s: number;
  observed_latency_s: number;
  predicted_latency_s: number;
  observed_wait_s: number;
  predicted_wait_s: number;
}

export interface ReplayReport {
  format: typeof REPLAY_FORMAT;
  trace: { file: string; requests: number; completed: number; failed: number; dropped: number; workers: number; routing: string | null; device: string | null };
  scenario: { name: string; replicas: number; routing: string; stage_times: (string | null)[]; serving_overheads: ServingOverheads | string | null; fitted?: FittedInput[] };
  /** model: the scenario's stage times (cost model or stage_times, varied by service_cv); observed: each request's own (--observed-service). */
  service: 'model' | 'observed';
  /** Requests completed both on the server and in the simulation: the ones compared. */
  compared: number;
  /** Simulation seeds whose predicted aggregates are averaged. */
  replications: number;
  observed: ServingMetrics;
  predicted: ServingMetrics;
  rows: MetricRow[];
  requests: RequestComparison[];
  warnings: string[];
  /** Each request shape's observed stage times beside the scenario's, and what follows (stage-diagnosis.ts). */
  stage_diagnosis?: StageDiagnosis;
}

export interface ReplayOptions {
  baseDir?: string;
  /**
   * Simulation seeds (seed, seed+1, …) whose predicted aggregates are averaged (default 10). Only random
   * elements make them differ: serving_overheads.service_cv, random and power-of-two routing. The
   * per-request comparison and the chart use the first.
   */
  replications?: number;
  /** Replace the scenario's serving_overheads (calibrate's before/after); null removes them. */
  overheads?: ServingOverheads | null;
  /** Called after each simulated seed (a progress bar). */
  onRun?: () => void;
  /** Compare each shape's observed stage times with the scenario's (default true; calibrate's before/after runs skip it). */
  diagnose?: boolean;
  /**
   * Serve each request in its own observed stage time (encode + denoise + decode from the trace) instead of the
   * scenario's: what is left is the queueing, routing and overheads alone, on the very service times the server had.
   */
  observedService?: boolean;
}

/** The scenario with the trace as its arrivals. */
export function replayScenario(s: Scenario, trace: ObservedTrace, overheads?: ServingOverheads | null): Scenario {
  const last = trace.requests.reduce((m, r) => Math.max(m, r.arrival), 0);
  const out: Scenario = {
    ...s,
    duration: last + 1e-6,
    drain: true,
    workload: { ...s.workload, arrivals: { process: 'trace', file: resolve(trace.file) } },
  };
  if (overheads === null) delete out.serving_overheads;
  else if (overheads !== undefined) out.serving_overheads = overheads;
  return out;
}

/** Every seed's predicted latency and queue wait of the compared requests, pooled (for the CDF chart). */
export interface PredictedSamples {
  latency: number[];
  wait: number[];
}

export function replay(loaded: LoadedScenario, trace: ObservedTrace, opts: ReplayOptions = {}): { report: ReplayReport; result: SimulationResult; samples: PredictedSamples } {
  // a trace whose server completed nothing has no latency to compare: every metric would be n/a
  if (!trace.requests.some((r) => r.outcome === 'completed')) {
    throw new InputError([{ source: trace.file, path: 'outcome', message: `none of its ${trace.requests.length} requests completed on the server, so there is no latency to compare`, hint: 'replay a trace of a run that served requests' }]);
  }
  // a model nothing knows, or a shape its model cannot run, named at its row of the trace (they were blamed on
  // --model and on the scenario's stage-time profile)
  const rows = inScenarioModels(loaded.scenario, () => rowProblems(trace, loaded.scenario));
  if (rows.length) throw new InputError(rows);
  const s = replayScenario(loaded.scenario, trace, opts.overheads);
  const n = opts.replications ?? 10;
  const run = (k: number) => {
    const r = simulate({ ...s, seed: s.seed + k }, { records: true, baseDir: opts.baseDir, locate: loaded.locate, observedService: opts.observedService });
    opts.onRun?.();
    return r;
  };
  // the first seed says whether the scenario serves the trace's models at all, and what one seed costs, before
  // the other seeds run
  const first = run(0);
  const unserved = unservedModels(s, trace, first);
  checkReplications(s, n, first.events);
  // each seed's report keeps its aggregates and its requests' predicted latency and wait (the pooled CDF); only
  // the first keeps its per-request rows and its run (every seed's records, kept, grew with seeds × rows)
  const samples: PredictedSamples = { latency: [], wait: [] };
  const reports: ReplayReport[] = [];
  for (let k = 0; k < n; k++) {
    const r = compare(s, trace, k === 0 ? first : run(k), opts.observedService ? 'observed' : 'model');
    for (const q of r.requests) {
      samples.latency.push(q.predicted_latency_s);
      samples.wait.push(q.predicted_wait_s);
    }
    reports.push(k === 0 ? r : { ...r, requests: [] });
  }
  const report = reports[0]!;
  if (unserved) report.warnings.push(unserved);
  report.warnings.unshift(...(trace.warnings ?? []));
  // which trace the scenario's fitted files came from, and whether it is this one (an in-sample replay)
  const fitted = fittedInputs(s, opts.baseDir, trace.file);
  if (fitted.length) report.scenario.fitted = fitted;
  const inSample = inSampleWarning(fitted, trace.file);
  if (inSample) report.warnings.unshift(inSample);
  if (n > 1) {
    report.replications = n;
    report.predicted = averageMetrics(reports.map((r) => r.predicted));
    report.rows = metricRows(report.observed, report.predicted);
    report.rows.forEach((row, i) => {
      const xs = reports.map((r) => r.rows[i]!.predicted);
      row.range = [Math.min(...xs), Math.max(...xs)];
    });
  }
  if (opts.diagnose !== false) report.stage_diagnosis = diagnoseStages(trace, modelStages(loaded, trace, opts.baseDir));
  return { report, result: first, samples };
}

/**
 * Work of one replay seed besides its events, in events (the unit of limits.max_events): the cluster and cost
 * model built, the trace re-read, the comparison. `npm run bench:budget` measured 12,000–27,000 on the 2-core VM
 * (traces of 132 and 250 rows: the part that grows with the rows is in the events already); counted as 20,000.
 */
export const REPLAY_SEED_EVENTS = 20_000;

/**
 * The seeds together may do the work one run may (limits.max_events): each seed is a whole simulation, so
 * `--replications 10000` ran for 12 minutes on a 250-row trace, and on a trace of a million rows would run for
 * days; refused after the first seed (which its own budget bounds) says what one costs.
 */
function checkReplications(s: Scenario, n: number, events: number): void {
  const limit = s.limits?.max_events ?? DEFAULT_LIMITS.max_events;
  const eventsPerRun = events + REPLAY_SEED_EVENTS;
  if (n <= 1 || n * eventsPerRun <= limit) return;
  const fmt = (x: number) => (x >= 1e5 ? x.toExponential(1).replace('e+', 'e') : Math.round(x).toLocaleString('en-US'));
  const most = Math.max(1, Math.floor(limit / Math.max(1, eventsPerRun)));
  throw new InputError([{
    source: '--replications',
    path: 'limits.max_events',
    message: `${n.toLocaleString('en-US')} replications (simulation seeds) of this trace would take the work of about ${fmt(n * eventsPerRun)} events (${fmt(events)} per seed and ${fmt(REPLAY_SEED_EVENTS)} to set it up); the seeds together may take ${fmt(limit)} (limits.max_events)`,
    hint: `use --replications ${most} or fewer, replay a shorter trace, or raise the limit: --set limits.max_events=${fmt(n * eventsPerRun * 1.2)}`,
  }]);
}

/** The first problems of the trace's rows: models no catalog or scenario knows, shapes their model cannot run. */
function rowProblems(trace: ObservedTrace, s: Scenario): InputIssue[] {
  const ids = listModels().map((m) => m.id);
  const out: InputIssue[] = [];
  const at = (line: number, path: string, message: string, hint?: string) => out.push({ source: trace.file, line, col: 1, path, message, ...(hint ? { hint } : {}) });
  for (const r of trace.requests) {
    if (out.length >= 5) break;
    const model = modelOf(traceModelId(s.workload, r.model));
    if (!model) {
      at(r.line, 'model', `unknown model ${JSON.stringify(r.model)}`, didYouMean(r.model, ids) ?? 'map the name to a model id with the scenario\'s workload.trace_models');
      continue;
    }
    for (const p of shapeProblems(model, { width: r.width, height: r.height, frames: r.frames, steps: r.steps })) at(r.line, p.field === 'resolution' ? 'width' : p.field, p.message, p.hint);
  }
  return out;
}

/**
 * Requests the scenario cannot serve because no pool serves the model their trace row names (the simulation drops
 * them: serving/routing.ts): an input error when that is every request — a replay that compares nothing is the wrong
 * scenario or a missing `workload.trace_models` entry —, else a warning naming the models.
 */
function unservedModels(s: Scenario, trace: ObservedTrace, run: SimulationResult): string | undefined {
  const dropped = (run.records ?? []).filter((r) => r.reason === 'no pool serves this model').length;
  if (dropped === 0) return undefined;
  const served = [...new Set(poolsOf(s).flatMap((p) => poolModelIds(p, s.model)))];
  const named = [...new Set(trace.requests.map((r) => traceModelId(s.workload, r.model)))].filter((m) => !served.includes(m));
  const what = `${named.map((m) => `"${m}"`).join(', ') || 'a model'}, which no pool of the scenario serves (its pools serve ${served.join(', ')})`;
  if (dropped >= trace.requests.length) {
    throw new InputError([{ source: trace.file, path: 'model', message: `none of the trace's ${trace.requests.length} requests can be replayed: they name ${what}`, hint: `replay with the scenario of the server that wrote the trace, or map the name with workload.trace_models (e.g. trace_models: { ${named[0] ?? 'name'}: ${served[0]} })` }]);
  }
  return `${dropped} request${dropped === 1 ? '' : 's'} of the trace name ${what}: the simulation drops them`;
}

function averageMetrics(ms: ServingMetrics[]): ServingMetrics {
  const avg = (f: (m: ServingMetrics) => number) => ms.reduce((a, m) => a + f(m), 0) / ms.length;
  const dist = (f: (m: ServingMetrics) => ServingMetrics['latency_s']) => ({
    mean: avg((m) => f(m).mean), p50: avg((m) => f(m).p50), p90: avg((m) => f(m).p90), p95: avg((m) => f(m).p95), p99: avg((m) => f(m).p99),
  });
  return {
    requests: ms[0]!.requests, latency_s: dist((m) => m.latency_s), queue_wait_s: dist((m) => m.queue_wait_s),
    throughput_per_h: avg((m) => m.throughput_per_h), utilization: avg((m) => m.utilization), makespan_s: avg((m) => m.makespan_s),
    slo_attainment: ms[0]!.slo_attainment === null ? null : avg((m) => m.slo_attainment!),
  };
}

export function compare(s: Scenario, trace: ObservedTrace, result: SimulationResult, service: ReplayReport['service'] = 'model'): ReplayReport {
  const records = new Map((result.records ?? []).map((r) => [r.id, r]));
  const obs: RequestTimes[] = [];
  const pred: RequestTimes[] = [];
  const requests: RequestComparison[] = [];
  trace.requests.forEach((r, i) => {
    const o = observedTimes(r);
    const rec = records.get(i);
    const p = rec ? simulatedTimes(rec, r.slo_s) : undefined;
    if (!o || !p) return;
    obs.push(o);
    pred.push(p);
    requests.push({
      id: r.id, shape: `${r.width}x${r.height}x${r.frames}f/${r.steps}st`, worker: r.worker ?? null, replica: rec!.replica, arrival_s: r.arrival,
      observed_latency_s: o.latency, predicted_latency_s: p.latency, observed_wait_s: o.wait, predicted_wait_s: p.wait,
    });
  });
  const workers = workerCount(trace);
  const pools = poolsOf(s);
  const replicas = pools.reduce((a, p) => a + p.replicas, 0);
  const observed = servingMetrics(obs, workers || replicas);
  const predicted = servingMetrics(pred, replicasOf(result));
  const warnings: string[] = [];
  const routing = typeof trace.meta?.server?.routing === 'string' ? trace.meta.server.routing : null;
  if (routing && routing !== s.scheduling.routing) warnings.push(`the server routed with ${routing}, the scenario with ${s.scheduling.routing}`);
  if (workers && workers !== replicas) warnings.push(`the server had ${workers} worker${workers === 1 ? '' : 's'}, the scenario ${replicas} replica${replicas === 1 ? '' : 's'}: the errors compare another cluster than the one measured (a what-if, not a validation)`);
  const gpu = otherGpuWarning(trace, result);
  if (gpu) warnings.push(gpu);
  const count = (o: string) => trace.requests.filter((r) => r.outcome === o).length;
  const notCompared = trace.requests.length - requests.length;
  if (notCompared > 0) warnings.push(`${notCompared} request${notCompared === 1 ? '' : 's'} not compared (failed or dropped on the server or in the simulation)`);
  return {
    format: REPLAY_FORMAT,
    trace: { file: trace.file, requests: trace.requests.length, completed: count('completed'), failed: count('failed'), dropped: count('dropped'), workers, routing, device: deviceOf(trace) },
    scenario: { name: s.name, replicas, routing: s.scheduling.routing, stage_times: pools.map((p) => p.stage_times ?? null), serving_overheads: s.serving_overheads ?? null },
    service,
    compared: requests.length,
    replications: 1,
    observed,
    predicted,
    rows: metricRows(observed, predicted),
    requests,
    warnings,
  };
}

/**
 * A trace measured on one GPU replayed on a scenario of another: the errors then compare two GPUs, not vgsim with
 * the server (a what-if, not a validation). Only where the trace's device names map to catalog GPUs
 * (hardware/device-names.ts); a CPU trace or an unknown name says nothing.
 */
export function otherGpuWarning(trace: ObservedTrace, result: Pick<SimulationResult, 'pools'>): string | null {
  const names = [...new Set((trace.meta?.workers ?? []).map((w: any) => w?.gpu_name).filter((n: unknown): n is string => typeof n === 'string') as string[])];
  const measured = [...new Set(names.map((n) => catalogGpuOfDeviceName(n)).filter((g): g is string => !!g))];
  const modelled = [...new Set(result.pools.map((p) => p.gpu))];
  const missing = measured.filter((g) => !modelled.includes(g));
  if (!missing.length) return null;
  return `the trace was measured on ${names.join(', ')} (${measured.join(', ')}), the scenario runs ${modelled.join(', ')}: the errors compare another GPU than the one measured (a what-if, not a validation)`;
}

function replicasOf(r: SimulationResult): number {
  return r.pools.reduce((a, p) => a + p.replicas, 0);
}

function deviceOf(t: ObservedTrace): string | null {
  const m = t.meta;
  if (!m) return null;
  const names = (m.workers ?? []).map((w: any) => w.gpu_name ?? w.device).filter(Boolean);
  const cpu = m.host?.cpu;
  if (m.server?.worker === 'sleep') return 'sleep worker (no model)';
  if (m.server?.device === 'cpu') return `CPU (${cpu ?? 'unknown'}), ${m.server?.threads ?? '?'} thread(s) per worker${m.server?.tiny ? ', tiny model' : ''}`;
  return names.length ? [...new Set(names)].join(', ') : (m.server?.device ?? null);
}

/** Errors below these observed values are reported in absolute terms only (seconds / fraction). */
const FLOOR = { seconds: 1e-3, share: 1e-3 };

export function metricRows(o: ServingMetrics, p: ServingMetrics): MetricRow[] {
  const rows: MetricRow[] = [];
  const row = (metric: string, a: number, b: number, floor: number) => rows.push({ metric, observed: a, predicted: b, error: Math.abs(a) >= floor ? b / a - 1 : null, abs_error: b - a });
  for (const k of ['mean', 'p50', 'p90', 'p95', 'p99'] as const) row(`latency ${k}`, o.latency_s[k], p.latency_s[k], FLOOR.seconds);
  for (const k of ['mean', 'p50', 'p90', 'p95', 'p99'] as const) row(`queue wait ${k}`, o.queue_wait_s[k], p.queue_wait_s[k], FLOOR.seconds);
  row('throughput /h', o.throughput_per_h, p.throughput_per_h, FLOOR.share);
  row('utilization', o.utilization, p.utilization, FLOOR.share);
  if (o.slo_attainment !== null && p.slo_attainment !== null) row('SLO attainment', o.slo_attainment, p.slo_attainment, FLOOR.share);
  return rows;
}
