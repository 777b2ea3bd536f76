/**
 * Replay and calibration reports: terminal tables, the observed-vs-predicted CDF chart (Vega-Lite through
 * src/report/charts), and the files `vgsim replay --out` writes.
 */
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { formatCsvObjects } from '../csv.ts';
import { renderPng, renderSvg, stackedPanels, type LinesChartInput, type Point } from '../report/charts.ts';
import { fmtSeconds, pct, table, type Cell } from '../report/table.ts';
import type { MetricRow, PredictedSamples, ReplayReport } from './replay.ts';
import type { OverheadFit } from './fit.ts';
import type { HostFit } from './host-fit.ts';
import { makeDirs, writeOutputFile } from '../make-dirs.ts';

const OBSERVED_COLOR = '#333333';
const PREDICTED_COLOR = '#e45756';

/** A relative difference as a signed percentage; the errors of these reports are all predicted (the model) vs observed. */
export function fmtError(e: number | null): string {
  return e === null ? '-' : `${e >= 0 ? '+' : ''}${(e * 100).toFixed(1)}%`;
}

function fmtValue(row: MetricRow, x: number): string {
  if (row.metric === 'utilization' || row.metric === 'SLO attainment') return pct(x);
  if (row.metric.startsWith('throughput')) return x.toFixed(1);
  return fmtSeconds(x);
}

export function replayTable(r: ReplayReport): string {
  const head = [
    `replay of ${r.trace.file}: ${r.trace.requests} requests (${r.trace.completed} completed, ${r.trace.failed} failed, ${r.trace.dropped} dropped) on ${r.trace.workers} worker${r.trace.workers === 1 ? '' : 's'}${r.trace.device ? `, ${r.trace.device}` : ''}${r.trace.routing ? `, ${r.trace.routing}` : ''}`,
    `scenario ${r.scenario.name}: ${r.scenario.replicas} replica${r.scenario.replicas === 1 ? '' : 's'}${r.trace.workers && r.trace.workers !== r.scenario.replicas ? ` (NOT the server's ${r.trace.workers}: a what-if)` : ''}, ${r.scenario.routing}; stage times ${r.service === 'observed' ? 'each request\'s own, observed (--observed-service: the queueing, routing and overheads alone)' : r.scenario.stage_times.some((x) => x) ? `measured (${r.scenario.stage_times.filter(Boolean).map((f) => `${f}${fittedText(r, f!)}`).join(', ')})` : 'from the cost model'}; serving overheads ${overheadsText(r.scenario.serving_overheads)}${typeof r.scenario.serving_overheads === 'string' ? fittedText(r, r.scenario.serving_overheads) : ''}`,
    `${r.compared} requests compared${r.replications > 1 ? `; predicted aggregates: mean of ${r.replications} simulation seeds` : ''}`,
  ];
  const ranged = r.rows.some((x) => x.range && x.range[0] !== x.range[1]);
  const rows: Cell[][] = r.rows.map((row) => [row.metric, fmtValue(row, row.observed), fmtValue(row, row.predicted), fmtError(row.error), ...(ranged && row.range ? [`${fmtValue(row, row.range[0])} … ${fmtValue(row, row.range[1])}`] : [])]);
  const warn = r.warnings.length ? `\nwarnings:\n${r.warnings.map((w) => `  ${w}`).join('\n')}` : '';
  return `${head.join('\n')}\n\n${table(['metric', 'observed', 'predicted', 'error', ...(ranged ? [`range over ${r.replications} seeds`] : [])], rows)}${stageText(r)}${warn}`;
}

/** The shapes' stage times, observed / the scenario's, and the diagnosis lines (stage-diagnosis.ts). */
function stageText(r: ReplayReport): string {
  const d = r.stage_diagnosis;
  if (!d || d.stages.length === 0) return '';
  const ratio = (o: number, m: number | undefined) => (m === undefined ? fmtSeconds(o) : `${fmtSeconds(o)} / ${fmtSeconds(m)}`);
  const rows: Cell[][] = d.stages.map((s) => [s.shape, String(s.requests), ratio(s.observed.encode_s, s.model?.encode_s), ratio(s.observed.denoise_s, s.model?.denoise_s), ratio(s.observed.decode_s, s.model?.decode_s), fmtError(s.error), s.host_bound === null ? '-' : s.host_bound ? 'host launches' : 'GPU']);
  const notes = d.notes.length ? `\n${d.notes.map((n) => `  ${n}`).join('\n')}` : '';
  return `\n\n${table(['shape', 'n', 'encode observed / model', 'denoise', 'decode', 'error', 'model: forward bound by'], rows, { title: 'stage times per shape (the worker; queueing is simulated exactly); error: model vs observed' })}${notes}`;
}

/** ", fitted on <trace>" for a fitted file the scenario names (fitted-on.ts), flagged when that trace is the one replayed. */
function fittedText(r: ReplayReport, file: string): string {
  const f = r.scenario.fitted?.find((x) => x.file === file);
  if (!f?.fitted_on) return '';
  return f.in_sample ? `, fitted on ${f.fitted_on}: THIS trace, in-sample` : `, fitted on ${f.fitted_on}`;
}

export function overheadsText(o: ReplayReport['scenario']['serving_overheads']): string {
  if (o === null) return 'none';
  if (typeof o === 'string') return o;
  return `dispatch ${fmtSeconds(o.dispatch_s)}, hand-off ${fmtSeconds(o.handoff_s)}, request ${fmtSeconds(o.request_s)}, service CV ${(o.service_cv ?? 0).toFixed(2)} over ${fmtSeconds(o.service_correlation_s ?? 0)}${o.host_dispatch_us !== undefined ? `, host ${o.host_dispatch_us} µs per kernel` : ''}`;
}

function cdf(xs: number[], max = 1500): Point[] {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return [];
  const pts: Point[] = [{ x: s[0]!, y: 0 }];
  const take = Math.min(n, max);
  for (let k = 1; k <= take; k++) {
    const i = n <= max ? k : Math.round((k * n) / take);
    pts.push({ x: s[i - 1]!, y: i / n });
  }
  return pts;
}

/**
 * Observed vs predicted CDFs of latency and queue wait, with each panel's p50/p95 errors (the report's: the
 * mean over the seeds of each seed's percentile). `samples`: every seed's predictions pooled (the expected
 * distribution); without it the first seed's.
 */
export function replayChart(r: ReplayReport, title?: string, samples?: PredictedSamples): TopLevelSpec {
  const pooled = samples && r.replications > 1;
  const panel = (what: 'latency' | 'queue wait', get: (q: ReplayReport['requests'][number], side: 'observed' | 'predicted') => number): LinesChartInput => {
    const err = (k: string) => fmtError(r.rows.find((x) => x.metric === `${what} ${k}`)?.error ?? null);
    return {
      title: `${what === 'latency' ? 'End-to-end latency' : 'Queue wait'} (p50 error ${err('p50')}, p95 error ${err('p95')})`,
      x: { title: `${what} (s)`, zero: true },
      y: { title: 'fraction ≤ x', format: '.0%', domain: [0, 1] },
      interpolate: 'step-after',
      series: [
        { name: 'observed', color: OBSERVED_COLOR, points: cdf(r.requests.map((q) => get(q, 'observed'))) },
        { name: pooled ? `predicted (${r.replications} seeds)` : 'predicted', color: PREDICTED_COLOR, dashed: true, points: cdf(pooled ? (what === 'latency' ? samples.latency : samples.wait) : r.requests.map((q) => get(q, 'predicted'))) },
      ],
      legendTitle: '',
    };
  };
  return stackedPanels(
    title ?? `Replay of ${r.trace.file.split('/').pop()}: observed vs predicted`,
    `${r.compared} requests on ${r.trace.workers} worker(s); throughput error ${fmtError(r.rows.find((x) => x.metric.startsWith('throughput'))!.error)}, utilization error ${fmtError(r.rows.find((x) => x.metric === 'utilization')!.error)}${r.replications > 1 ? `; errors: mean of ${r.replications} seeds' percentiles` : ''}`,
    [
      panel('latency', (q, s) => (s === 'observed' ? q.observed_latency_s : q.predicted_latency_s)),
      panel('queue wait', (q, s) => (s === 'observed' ? q.observed_wait_s : q.predicted_wait_s)),
    ],
  );
}

/** What `replay --out` writes. */
export const REPLAY_OUTPUT_FILES = ['replay.json', 'requests.csv', 'cdf.vl.json', 'cdf.svg', 'cdf.png'];

/** replay.json, requests.csv (per request), cdf.vl.json, cdf.svg and cdf.png (REPLAY_OUTPUT_FILES). */
export async function writeReplayOutput(dir: string, r: ReplayReport, samples?: PredictedSamples): Promise<string[]> {
  makeDirs(dir);
  const files: string[] = [];
  const put = (name: string, data: string | Buffer) => {
    writeOutputFile(join(dir, name), data);
    files.push(name);
  };
  put('replay.json', JSON.stringify(r, null, 1) + '\n');
  put('requests.csv', formatCsvObjects(['id', 'shape', 'worker', 'replica', 'arrival_s', 'observed_latency_s', 'predicted_latency_s', 'observed_wait_s', 'predicted_wait_s'], r.requests, { neutralizeFormulas: true }));
  const spec = replayChart(r, undefined, samples);
  put('cdf.vl.json', JSON.stringify(spec, null, 1) + '\n');
  const svg = await renderSvg(spec);
  put('cdf.svg', svg);
  put('cdf.png', renderPng(svg));
  return files;
}

/** The host fit: the time per kernel and each host-bound shape's denoise, observed against the model before and after. */
export function hostFitText(host: HostFit, file: string): string {
  if (!host.fitted) return `host time per kernel: not fitted (${host.reason})`;
  const rows: Cell[][] = host.shapes.map((x) => [x.shape, x.requests, fmtSeconds(x.observed_denoise_s), `${fmtSeconds(x.model_before_s)} (${fmtError(x.model_before_s / x.observed_denoise_s - 1)})`, `${fmtSeconds(x.model_after_s)} (${fmtError(x.model_after_s / x.observed_denoise_s - 1)})`]);
  return table(['shape', 'n', 'denoise observed', `model at ${host.before_us} µs (vs observed)`, `model at ${host.host_dispatch_us} µs (vs observed)`], rows, { title: `host time per kernel fitted on ${file}: ${host.host_dispatch_us} µs (the cost model's was ${host.before_us} µs); ${host.method}` });
}

export function fitTable(fit: OverheadFit, file: string): string {
  const o = fit.overheads;
  const rows: Cell[][] = (['dispatch_s', 'handoff_s', 'request_s'] as const).map((k) => {
    const s = fit.spread[k];
    return [k, fmtSeconds(o[k]), s ? fmtSeconds(s.p50) : '-', s ? fmtSeconds(s.p95) : '-', fit.method[k]];
  });
  // how well the trace pins the CV: its standard error for normal data, cv·sqrt(1/(2n) + cv²/n) (Vangel 1996,
  // "Confidence intervals for a normal coefficient of variation", The American Statistician 50(1)), n the staged requests
  const n = fit.stages.reduce((a, s) => a + s.requests, 0);
  const se = n > 0 ? o.service_cv * Math.sqrt(1 / (2 * n) + o.service_cv ** 2 / n) : undefined;
  rows.push(['service_cv', se !== undefined && o.service_cv > 0 ? `${o.service_cv.toFixed(3)} ± ${se.toFixed(3)}` : o.service_cv.toFixed(3), '-', '-', `${fit.method.service_cv}${se !== undefined && o.service_cv > 0 ? `; ± its standard error from ${n} requests, cv·sqrt(1/(2n) + cv²/n)` : ''}`]);
  rows.push(['service_correlation_s', fmtSeconds(o.service_correlation_s), '-', '-', fit.method.service_correlation_s]);
  const stages: Cell[][] = fit.stages.map((st) => [
    st.shape, st.requests,
    ...(['encode_s', 'denoise_s', 'decode_s'] as const).map((k) => `${fmtSeconds(st.observed[k])} / ${st.model ? fmtSeconds(st.model[k]) : '-'}${st.model && st.observed[k] > 0 ? ` (${fmtError(st.model[k] / st.observed[k] - 1)})` : ''}`),
  ]);
  return [
    table(['overhead', 'fitted (mean)', 'p50', 'p95', 'how'], rows, { title: `serving overheads fitted on ${file} (${fit.samples} completed requests)` }),
    '',
    table(['shape', 'n', 'encode observed / model', 'denoise', 'decode'], stages, { title: 'stage times on the fit trace (a check, not fitted: the model is the scenario\'s cost model or stage_times); %: model vs observed' }),
  ].join('\n');
}

export interface Validation {
  file: string;
  before: ReplayReport;
  after: ReplayReport;
  /** After, with each request served in its own observed stage time (replay --observed-service). */
  queueing?: ReplayReport;
}

export function validationTable(v: Validation): string {
  const rows: Cell[][] = v.after.rows.map((a, i) => {
    const b = v.before.rows[i]!;
    const q = v.queueing?.rows[i];
    return [a.metric, fmtValue(a, a.observed), fmtValue(b, b.predicted), fmtError(b.error), fmtValue(a, a.predicted), fmtError(a.error), ...(q ? [fmtValue(q, q.predicted), fmtError(q.error)] : [])];
  });
  const heads = ['metric', 'observed', 'before', 'error', 'after', 'error', ...(v.queueing ? ['own service', 'error'] : [])];
  const own = v.queueing ? '; own service: after, with each request served in its own observed stage time, which leaves the queueing, dispatch and routing alone: a miss that stays after but goes here is in the service times' : '';
  return table(heads, rows, { title: `validated on ${v.file} (${v.after.compared} requests; before: no serving overheads and the cost model's host time per kernel, after: both fitted${own})` });
}
