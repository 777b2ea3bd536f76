/**
 * Side-by-side comparison of simulated scenarios (architecture reviews): pure functions from several
 * SimulationResults to a metrics table (rows = metrics, columns = scenarios, best value of each row
 * marked) and its JSON document. The terminal tables are compare-text.ts, the overlaid charts
 * compare-charts.ts, the offline HTML page (in the style of report.html) compare-html.ts.
 *
 *   compareRuns(runs)              the Comparison: scenario facts + metric rows with the best marked
 *   compareJson(cmp, runs)         the JSON document (compare --json, compare.json); deterministic
 *
 * Deterministic: the same runs give byte-identical compare.json and compare.html (no wall time).
 */
import { summaryOf, type SimulationResult } from '../serving/simulate.ts';
import { fmtSeconds, fmtSecondsColumn, pct } from './table.ts';
import { PALETTE } from './charts.ts';
import { evidenceLine, gpuEvidence, needsCaveat, poolNearestCaveats } from '../perf/gpu-evidence.ts';
import { trafficDifference } from './compare-traffic.ts';
import { likeWithLikeNotes, outputChanges, pricedAlikeNotes } from './compare-notes.ts';
import { costBasis, moneyDifferences } from './compare-cost.ts';
import { settingDifferences } from './compare-settings.ts';
import { overloadReason } from '../serving/load-bound.ts';
import { checkObjectives, scenarioSloTerms } from '../studies/objectives.ts';

export { costBasis };

// ---------------------------------------------------------------------------------------------------
// model

/** One simulated scenario to compare. */
export interface CompareRun {
  /** Column header; unique within a comparison (see runLabels). */
  label: string;
  /** The scenario file: as given on the command line (stdout), relative to the output folder in `--out` files. */
  file?: string;
  result: SimulationResult;
  /** The scenario as run (printed as YAML in the HTML page). */
  scenario?: unknown;
}

export type Better = 'higher' | 'lower' | null;
export type MetricUnit = 'count' | 'videos/h' | 'videos/h/GPU' | 's' | 'ratio' | 'GPUs' | 'Wh' | 'kWh' | 'kW' | 'usd' | 'usd/GPU-h';

export interface CompareRow {
  /** Stable key, e.g. "latency.p95" or "class.720p-5s.p95". */
  key: string;
  label: string;
  unit: MetricUnit;
  /** Which direction is better; null: not ranked (context only). */
  better: Better;
  /** One per scenario, in run order; null where it does not apply (no completed request, class absent). */
  values: (number | null)[];
  /** Indices of the best value(s): ties all marked; empty when unranked, all equal, or fewer than two values. */
  best: number[];
}

export interface CompareScenario {
  label: string;
  file: string | null;
  name: string;
  seed: number;
  gpus: number;
  /**
   * One line per pool: "a14b: wan2.2-t2v-a14b, 8 × 1 h100-sxm, offload" (then a non-official engine, what changes
   * the video, and the pool's settings that differ between the runs, e.g. "attention fa2"); then, where run-wide
   * settings differ, "settings: cluster.cooling.type air, …" (compare-settings.ts).
   */
  deployment: string[];
  sim_time_s: number;
  events: number;
  color: string;
  /** How the run was priced (economics/run-cost.ts): "owned: …" or "cloud: …", or why it has no price. */
  cost_basis: string;
}

export interface Comparison {
  scenarios: CompareScenario[];
  rows: CompareRow[];
  /** Notes on the rows (e.g. cost rows not ranked because the runs are priced on different bases). */
  notes: string[];
  /** Why no row is ranked: the runs serve different traffic (compare-traffic.ts); null when they serve the same. */
  unranked: string | null;
}

/** The colour of scenario i in every compare chart. */
export function runColor(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

export function totalGpus(r: SimulationResult): number {
  return r.pools.reduce((a, p) => a + p.replicas * p.gpus_per_replica, 0);
}

/**
 * Unique column labels: the scenario name, or — where two scenarios share a name — the file name without
 * extension, then a " #n" suffix if that still collides.
 */
export function runLabels(items: readonly { name: string; file?: string }[]): string[] {
  const count = new Map<string, number>();
  for (const it of items) count.set(it.name, (count.get(it.name) ?? 0) + 1);
  const base = items.map((it) => {
    if ((count.get(it.name) ?? 0) <= 1 || !it.file) return it.name;
    const stem = it.file.replace(/\\/g, '/').split('/').pop()!.replace(/\.ya?ml$/i, '');
    return stem === it.name ? it.name : `${it.name} (${stem})`;
  });
  const used = new Set<string>();
  return base.map((b) => {
    let l = b;
    for (let n = 2; used.has(l); n++) l = `${b} #${n}`;
    used.add(l);
    return l;
  });
}

/** Indices of the best values of a row (see CompareRow.best). */
export function bestOf(values: readonly (number | null)[], better: Better): number[] {
  if (better === null) return [];
  const present = values.map((v, i) => ({ v, i })).filter((x): x is { v: number; i: number } => x.v !== null && Number.isFinite(x.v));
  if (present.length < 2) return [];
  const target = better === 'higher' ? Math.max(...present.map((x) => x.v)) : Math.min(...present.map((x) => x.v));
  const tol = 1e-9 * Math.max(1, Math.abs(target));
  const best = present.filter((x) => Math.abs(x.v - target) <= tol).map((x) => x.i);
  return best.length === present.length ? [] : best;
}

/** What the deployment line names of a pool besides model and GPUs: its layout (and offload), engine, what changes the video. */
function poolStack(r: SimulationResult, p: SimulationResult['pools'][number]): { plan: string[]; stack: string[] } {
  const plan = p.parallel && p.parallel !== 'none' ? [p.parallel] : [];
  // the official offload path is an inference option, not part of the plan string: say so
  if (!/offload/.test(p.parallel) && r.estimates?.some((e) => e.pool === p.name && e.estimate.options.offload)) plan.push('offload');
  return { plan, stack: [...(p.engine && p.engine !== 'official' ? [`engine ${p.engine}`] : []), ...outputChanges(r, p.name)] };
}

/** The setting keys some run's deployment line names already ("offload", "dtype fp8", "engine xdit"): not said again. */
function namedKeys(runs: readonly CompareRun[]): Set<string> {
  return new Set(runs.flatMap((x) => x.result.pools.flatMap((p) => {
    const { plan, stack } = poolStack(x.result, p);
    return [...plan, ...stack].map((w) => w.split(' ')[0]!);
  })));
}

/**
 * One line per pool: model, replicas × GPUs, layout, engine, what changes the video, then the settings that differ
 * between the runs (compare-settings.ts; `settings` per pool in deployment order) unless a line names them
 * (`named`); then the run-wide ones that differ.
 */
function deploymentLines(r: SimulationResult, settings: { pools: string[][]; run: string[] } | undefined, named: Set<string>): string[] {
  const lines = r.pools.map((p, i) => {
    const { plan, stack } = poolStack(r, p);
    const other = (settings?.pools[i] ?? []).filter((x) => !named.has(x.split(' ')[0]!));
    const all = [...stack, ...other];
    return `${p.name}: ${p.model}, ${p.replicas} × ${p.gpus_per_replica} ${p.gpu}${plan.length ? `, ${plan.join(', ')}` : ''}${all.length ? `, ${all.join(', ')}` : ''}`;
  });
  return settings?.run.length ? [...lines, `settings: ${settings.run.join(', ')}`] : lines;
}

/** The rows that rank what a run costs for the service it gives: not ranked for a run that does not give it. */
const EFFICIENCY = new Set(['throughput_per_gpu_h', 'gpus', 'energy.per_video_wh', 'cost.kwh_per_video', 'cost.usd_per_video', 'cost.usd_per_month']);

/** Why a run misses its scenario's own objectives (its classes' SLOs at >= 95%, no request lost), or null. */
function sloMiss(r: SimulationResult): string | null {
  const v = checkObjectives(r, scenarioSloTerms(r.classes));
  return v.pass ? null : v.reason;
}

/** The metrics table of a comparison. */
export function compareRuns(runs: readonly CompareRun[]): Comparison {
  const rows: CompareRow[] = [];
  // a run that dropped, lost or left requests unfinished: its latencies cover only those it served
  const whole = runs.map((x) => x.result.requests.completed === x.result.requests.arrived);
  // a run offered more than its saturation bound: its queue grows without limit, and a month of it does not serve
  // the arrivals its per-video figures divide by; shown, never best (serving/load-bound.ts)
  const overload = runs.map((x) => overloadReason(x.result.load));
  // a run that misses its own SLOs (every class with slo_s keeps >= 95% of its requests within it, the objectives a
  // sweep or capacity search ranks by unless told others) or loses requests: what it costs buys a service it does not
  // give, so its cost and efficiency rows show it, never best (studies/objectives.ts)
  const missed = runs.map((x, i) => (overload[i] !== null ? null : sloMiss(x.result)));
  const row = (key: string, label: string, unit: MetricUnit, better: Better, f: (r: SimulationResult) => number | null) => {
    const values = runs.map((x) => {
      const v = f(x.result);
      return v === null || !Number.isFinite(v) ? null : v;
    });
    // such a run's latency rows are shown, never best
    const served = key.startsWith('latency.') || key.startsWith('queue_wait.') || /^class\..*\.p95$/.test(key);
    const rankable = values.map((v, i) => (overload[i] !== null || (served && !whole[i]) || (EFFICIENCY.has(key) && missed[i] !== null) ? null : v));
    rows.push({ key, label, unit, better, values, best: bestOf(rankable, better) });
  };
  // latency statistics of a run with no completed request are n/a (NaN in the result): not comparable
  const lat = (f: (r: SimulationResult) => number) => (r: SimulationResult) => (r.requests.completed > 0 ? f(r) : null);

  // counts depend on how many requests arrived (duration, rate): context only; the share is ranked
  row('requests.arrived', 'requests arrived', 'count', null, (r) => r.requests.arrived);
  row('requests.completed', 'requests completed', 'count', null, (r) => r.requests.completed);
  row('requests.dropped', 'requests dropped or failed', 'count', null, (r) => r.requests.dropped + r.requests.failed);
  row('requests.completed_share', 'completed share', 'ratio', 'higher', (r) => (r.requests.arrived > 0 ? r.requests.completed / r.requests.arrived : null));
  row('throughput_per_h', 'throughput (videos/h)', 'videos/h', 'higher', (r) => r.throughput_per_h);
  row('throughput_per_gpu_h', 'throughput per GPU (videos/h)', 'videos/h/GPU', 'higher', (r) => (totalGpus(r) > 0 ? r.throughput_per_h / totalGpus(r) : null));
  row('latency.mean', 'latency mean', 's', 'lower', lat((r) => r.latency_s.mean));
  row('latency.p50', 'latency p50', 's', 'lower', lat((r) => r.latency_s.p50));
  row('latency.p95', 'latency p95', 's', 'lower', lat((r) => r.latency_s.p95));
  row('latency.p99', 'latency p99', 's', 'lower', lat((r) => r.latency_s.p99));
  row('queue_wait.p95', 'queue wait p95', 's', 'lower', lat((r) => r.queue_wait_s.p95));
  row('slo_attainment', 'SLO attainment', 'ratio', 'higher', (r) => r.slo_attainment);
  row('gpu_utilization', 'GPU utilization', 'ratio', null, (r) => r.gpu_utilization);
  row('gpus', 'GPUs', 'GPUs', 'lower', (r) => totalGpus(r));

  // energy and money (economics/ prices every run; energy per video is facility energy, IT × PUE)
  row('energy.per_video_wh', 'energy per video (Wh, facility)', 'Wh', 'lower', (r) => (r.requests.completed > 0 ? r.energy.per_video_wh : null));
  row('energy.total_kwh', 'IT energy of the run (kWh)', 'kWh', null, (r) => r.energy.total_kwh);
  row('energy.avg_power_kw', 'mean IT power (kW)', 'kW', null, (r) => r.energy.avg_power_kw);
  row('cost.kwh_per_video', 'billed energy per video (kWh)', 'kWh', 'lower', (r) => r.cost?.kwh_per_video ?? null);
  row('cost.usd_per_video', '$ per video', 'usd', 'lower', (r) => r.cost?.usd_per_video ?? null);
  row('cost.usd_per_month', '$ per month', 'usd', 'lower', (r) => r.cost?.usd_per_month ?? null);
  row('cost.usd_per_gpu_hour', '$ per GPU-hour (monthly cost / GPUs / 730 h)', 'usd/GPU-h', null, (r) => r.cost?.usd_per_gpu_hour ?? null);
  // money compares like with like only on one cost basis, under one set of assumptions and prices of one kind
  const notes = moneyDifferences(runs);
  if (notes.length) for (const r of rows) if (r.key.startsWith('cost.usd')) r.best = [];

  // what each GPU's numbers rest on: all of them when the runs compare GPUs, else only a GPU that needs a caveat
  const gpuIds = [...new Set(runs.flatMap((x) => x.result.pools.map((p) => p.gpu)))];
  for (const g of gpuIds) {
    const e = gpuEvidence(g);
    if (e && (gpuIds.length > 1 || needsCaveat(e))) notes.push(`evidence: ${evidenceLine(e)}`);
  }
  // a run whose pool is a kind of run vgsim was measured off by over 10% on (perf/gpu-evidence.ts nearestCaveat)
  for (const x of runs) for (const c of poolNearestCaveats(x.result.pools)) notes.push(`caveat (${x.label}): ${c}`);
  runs.forEach((x, i) => {
    if (missed[i]) notes.push(`${x.label}: misses its objectives (${missed[i]}); its cost, energy and GPU figures are shown, not ranked`);
    if (overload[i]) notes.push(`${x.label}: ${overload[i]}; shown, none of its values ranked (its per-video cost and energy divide by videos a month of it cannot make)`);
  });
  // attention kernels, borrowed non-GPU power, engines' held-out records (as size and tco say them)
  notes.push(...pricedAlikeNotes(runs));

  const classes: string[] = [];
  for (const x of runs) for (const c of x.result.classes) if (!classes.includes(c.name)) classes.push(c.name);
  const cls = (r: SimulationResult, name: string) => r.classes.find((c) => c.name === name);
  for (const name of classes) {
    row(`class.${name}.p95`, `p95 latency · ${name}`, 's', 'lower', (r) => {
      const c = cls(r, name);
      return c && c.completed > 0 ? c.latency_s.p95 : null;
    });
  }
  for (const name of classes) row(`class.${name}.slo_attainment`, `within SLO · ${name}`, 'ratio', 'higher', (r) => cls(r, name)?.slo_attainment ?? null);

  // like with like: runs that serve different traffic are shown side by side, none ranked (compare-traffic.ts);
  // what else differs (a seed, losses, the model, the video itself) is said under the table (compare-notes.ts)
  notes.push(...likeWithLikeNotes(runs));
  const traffic = trafficDifference(runs);
  if (traffic) {
    for (const r of rows) r.best = [];
    notes.unshift(traffic);
  }

  const settings = settingDifferences(runs.map((x) => x.scenario));
  const named = namedKeys(runs);
  const scenarios: CompareScenario[] = runs.map((x, i) => ({
    label: x.label,
    file: x.file ?? null,
    name: x.result.scenario,
    seed: x.result.seed,
    gpus: totalGpus(x.result),
    deployment: deploymentLines(x.result, settings?.[i], named),
    sim_time_s: x.result.sim_time_s,
    events: x.result.events,
    color: runColor(i),
    cost_basis: costBasis(x.result),
  }));
  return { scenarios, rows, notes, unranked: traffic ?? null };
}

/** A metric value as printed (terminal and HTML). */
export function formatMetric(v: number | null, unit: MetricUnit): string {
  if (v === null) return '–';
  switch (unit) {
    case 's':
      return fmtSeconds(v);
    case 'ratio':
      return pct(v);
    case 'videos/h':
      return v.toFixed(1);
    case 'videos/h/GPU':
      return v.toFixed(2);
    case 'Wh':
      return `${v.toFixed(0)} Wh`;
    case 'kWh':
      return v < 10 ? `${v.toFixed(3)} kWh` : `${v.toFixed(1)} kWh`;
    case 'kW':
      return `${v.toFixed(2)} kW`;
    case 'usd':
      return v >= 100 ? `$${Math.round(v).toLocaleString('en-US')}` : `$${v.toFixed(3)}`;
    case 'usd/GPU-h':
      return `$${v.toFixed(2)}`;
    default:
      return Number.isInteger(v) ? String(v) : v.toFixed(1);
  }
}

/** A row's values as printed: durations in one unit across the row (fmtSecondsColumn), the rest by formatMetric. */
export function formatRow(row: Pick<CompareRow, 'values' | 'unit'>): string[] {
  return row.unit === 's' ? fmtSecondsColumn(row.values) : row.values.map((v) => formatMetric(v, row.unit));
}

// ---------------------------------------------------------------------------------------------------
// JSON

/** The compare document: scenarios (with each run's summary, minus wall time) and the metric rows. */
export function compareJson(cmp: Comparison, runs: readonly CompareRun[]): unknown {
  return {
    scenarios: cmp.scenarios.map((s, i) => {
      const summary = summaryOf(runs[i]!.result);
      return { ...s, summary };
    }),
    metrics: cmp.rows,
    notes: cmp.notes,
    unranked: cmp.unranked,
  };
}
