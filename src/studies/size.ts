/**
 * Cluster sizing: the cheapest cluster that serves a scenario's traffic within latency objectives (`vgsim size`).
 *
 * sizeCluster(scenario, options):
 *  1. candidates: for every node type (default: the whole catalog) that has a price on the chosen cost basis, its
 *     best layouts of one replica inside one node (studies/size-layouts.ts).
 *  2. for each (node type, layout): the smallest whole number of nodes (replicas packed onto whole nodes) whose
 *     simulation meets every objective with nothing dropped or failed, at the offered rate. The search starts at
 *     the count where every replica is busy back to back (service times alone), steps up with a doubling step
 *     (or down, if that count already passes) until it brackets a fail/pass pair, then bisects. Every trial runs
 *     the scenario with its cluster and deployment replaced, the same seed (common random numbers: passing is
 *     close to monotone in the node count) and drain on; the answer n passed and n − 1 failed (or n = 1).
 *  3. every found option is priced by the scenario's cost section (the run's `cost`) and ranked by $/month; the
 *     Pareto set over ($/month, p95) is marked.
 * A bound on the total number of simulations stops the search (each affected option says so).
 *
 * Pure: no printing, no files; the CLI (cli/commands/size.ts, report/size.ts) formats and writes.
 */
import type { Scenario } from '../scenario/schema.ts';
import { simulate, type SimulationOptions, type SimulationResult } from '../serving/simulate.ts';
import { poolsOf } from '../scenario/pools.ts';
import { ratePerSecond } from '../workload/arrivals.ts';
import { canonicalId, getNode, listNodes } from '../hardware/catalog.ts';
import { missingPrice } from '../economics/run-cost.ts';
import { HOURS_PER_MONTH } from '../economics/defaults.ts';
import { checkObjectives, type SloTerm, type Verdict } from './objectives.ts';
import { MAX_TRIAL_REQUESTS, requiredSamples } from './capacity.ts';
import { RELAXATION_TIMES_PER_RUN, unsettledReason } from '../serving/load-bound.ts';
import type { SystemPrice } from '../economics/index.ts';
import { attentionMixNote, choosePowerBasis, powerProxyNote, type PowerBasisChoice } from './comparison-notes.ts';
import { classesOf, errorText, layoutCandidates, sizedScenario, type LayoutCandidate, type SizeLayout, type Skipped } from './size-layouts.ts';

export type { LayoutCandidate, SizeLayout, Skipped } from './size-layouts.ts';

/**
 * Pareto-optimal flags for points where lower is better on both axes: a point is optimal when no other point is
 * at most as large on both and strictly smaller on one. Points with a non-finite coordinate are never optimal.
 */
export function paretoFront(points: readonly { x: number; y: number }[]): boolean[] {
  return points.map((p, i) => {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) return false;
    return !points.some((q, j) => j !== i && Number.isFinite(q.x) && Number.isFinite(q.y) && q.x <= p.x && q.y <= p.y && (q.x < p.x || q.y < p.y));
  });
}

/** Short label of an option: "hgx-h200-8 · cfg=2". */
export function optionLabel(node: string, parallel: string): string {
  return `${node} · ${parallel}`;
}

/** Whether a run meets every objective with nothing dropped or failed (and something completed), with the misses. */
export function evaluateRun(r: SimulationResult, terms: readonly SloTerm[]): Verdict {
  return checkObjectives(r, terms, 0);
}

export interface SizeTrial {
  nodes: number;
  /** Simulated seconds: the trial duration, or longer where its queue needed that to settle. */
  duration_s: number;
  pass: boolean;
  values: Record<string, number>;
  lost: number;
  p95_s: number;
  utilization: number;
  /** The objectives it misses, on one line; null when it passes. */
  reason: string | null;
  /** How far from passing (the largest relative miss; 0 when it passes). */
  shortfall: number;
}

export type SizeStatus = 'ok' | 'not-found' | 'stopped' | 'error';

export interface SizeRow extends SizeLayout {
  /** 1 = cheapest; null for options without a passing count or a price. */
  rank: number | null;
  label: string;
  gpu: string;
  /** The serving engine (LayoutCandidate.engine). */
  engine: string;
  /** The attention kernel of the layout on this GPU (LayoutCandidate.attention). */
  attention: string;
  status: SizeStatus;
  /** A node count meeting every objective (with nothing lost) was found: only these are ranked. */
  feasible: boolean;
  /** Why not feasible (the misses at the largest count tried, the bound, the error), or why not ranked (no price); null for a ranked option. */
  reason: string | null;
  /** n − 1 nodes was simulated and failed (or n = 1). */
  minimal: boolean;
  nodes: number | null;
  replicas: number | null;
  gpus: number | null;
  latency_s: { p50: number; p95: number; p99: number; max: number } | null;
  /** The objectives' values at the chosen count. */
  values: Record<string, number> | null;
  slo_attainment: number | null;
  utilization: number | null;
  throughput_per_h: number | null;
  /** Facility energy (IT × PUE) per completed video, kWh. */
  kwh_per_video: number | null;
  /** $/month over the videos the offered traffic brings in a month (rate x 730 h): the same divisor for every option. */
  usd_per_video: number | null;
  usd_per_month: number | null;
  usd_per_gpu_hour: number | null;
  capex_usd: number | null;
  /** Owned basis: one node's price with every component's source, date and what it covers. */
  price: SystemPrice | null;
  /** From the cost model: one replica busy back to back on the mix. */
  est_throughput_per_gpu_h: number;
  mean_service_s: number;
  /** The layout fits on the allocated peak but not on what the caching allocator keeps (Estimate.memory.tight_reason): may not fit; null when it has room. */
  tight: string | null;
  pareto: boolean;
  trials: SizeTrial[];
  note: string;
  warnings: string[];
}

export interface SizeOptions {
  terms: readonly SloTerm[];
  /** Offered rate, videos/h (default: the scenario's mean rate). */
  ratePerH?: number;
  /** Node type ids (default: every catalog node type). */
  nodes?: readonly string[];
  layouts?: number;
  allLayouts?: boolean;
  /** Largest node count tried per option (default 64). */
  maxNodes?: number;
  /** Simulations at most over the whole search (default 300). */
  maxSims?: number;
  basis?: 'owned' | 'cloud';
  /** Peak node power colocation rents, one basis for every option (default: the scenario's cost.power_basis, else nameplate where every node type has one). */
  powerBasis?: PowerBasisChoice;
  sim?: Pick<SimulationOptions, 'baseDir' | 'locate'>;
  /** Called before the layout search of each node type. */
  onNode?: (node: string) => void;
  /** Called once the candidates are known (total options to size). */
  onCandidates?: (count: number) => void;
  onTrial?: (label: string, t: SizeTrial) => void;
  onOption?: (row: SizeRow) => void;
}

export interface SizeResult {
  scenario: string;
  model: string;
  objectives: string[];
  /** Offered mean rate, videos/h. */
  rate_per_h: number;
  /** Multiplier applied to the scenario's arrival rates. */
  rate_scale: number;
  duration_s: number;
  /** How long each trial simulates: the scenario duration, repeated until the objectives' sample-size rule is met at the offered rate. */
  trial_duration_s: number;
  basis: 'owned' | 'cloud';
  /** The peak node power colocation rents, one basis for every option (null: nothing rents power by the kW). */
  power_basis: { basis: PowerBasisChoice; why: string } | null;
  /** Some option meets every objective (the cheapest is rank 1). */
  feasible: boolean;
  /** When none does: how many were sized, what they miss, and the closest; null otherwise. */
  reason: string | null;
  rows: SizeRow[];
  skipped: Skipped[];
  simulations: number;
  max_sims: number;
  /** The simulation bound stopped the search. */
  bound_hit: boolean;
  notes: string[];
}

class SimBound extends Error {}

/** Mean offered rate of the scenario (videos/h) at scale 1; a trace needs a probe run. */
function baseRatePerH(s: Scenario, opts: SimulationOptions): number {
  const a = s.workload.arrivals;
  if (a.process !== 'trace') return ratePerSecond(a) * 3600;
  const probe = simulate({ ...s, drain: false }, opts);
  return probe.sim_time_s > 0 ? (probe.requests.arrived / Math.min(probe.sim_time_s, s.duration)) * 3600 : 0;
}

export function sizeCluster(base: Scenario, opts: SizeOptions): SizeResult {
  const terms = opts.terms;
  const maxNodes = opts.maxNodes ?? 64;
  const maxSims = opts.maxSims ?? 300;
  const notes: string[] = [];
  const s: Scenario = { ...base, cost: { ...base.cost, basis: opts.basis ?? base.cost.basis } };
  if (s.cost.provisioned_kw !== undefined) {
    notes.push(`cost.provisioned_kw (${s.cost.provisioned_kw} kW) ignored: each option rents its own nodes' peak power (one basis for all, below)`);
    s.cost = { ...s.cost, provisioned_kw: undefined };
  }
  if (typeof s.cost.server_price_usd === 'number') notes.push(`cost.server_price_usd is one number: it prices every node type the same ($${s.cost.server_price_usd}); give {node-type: price} to compare`);
  if (typeof s.cost.gpu_price_usd === 'number') notes.push(`cost.gpu_price_usd is one number: it prices every GPU type the same; give {gpu: price} to compare`);
  if (typeof s.cost.server_base_usd === 'number') notes.push(`cost.server_base_usd is one number: every node type is built up from its GPUs + that host price, whole-server quotes included; give {node-type: price} to build up only some`);
  if (poolsOf(s).length > 1) notes.push(`the scenario has ${poolsOf(s).length} pools: every option replaces them with one pool serving whole requests (the first pool's other settings)`);
  const classes = classesOf(s);
  const classNames = classes.map((c) => c.name);
  for (const t of terms) {
    if (t.cls !== undefined && !classNames.includes(t.cls)) throw new Error(`objective "${t.text}": no request class "${t.cls}" (classes: ${classNames.join(', ')})`);
  }
  const models = [...new Set(classes.map((c) => c.model.id))];
  if (models.length !== 1) throw new Error(`sizing handles one model per scenario; the request mix uses ${models.join(', ')}`);

  const simOpts: SimulationOptions = { ...opts.sim };
  const baseRate = baseRatePerH(s, simOpts);
  if (!(baseRate > 0)) throw new Error('the scenario has no arrivals (rate 0 or an empty trace)');
  const rate = opts.ratePerH ?? baseRate;
  const scale = rate / baseRate;
  // the sample-size rule of capacity (studies/capacity.ts): enough requests per trial for the strictest quantile
  const minCompleted = requiredSamples(terms, (name) => classes.find((c) => c.name === name)?.share ?? 1);
  const expected = (rate * s.duration) / 3600;
  const repeats = s.workload.arrivals.process === 'trace' ? 1 : Math.max(1, Math.ceil((minCompleted + 2 * Math.sqrt(minCompleted)) / Math.max(expected, 1e-12) - 1e-9));
  const trialDuration = s.duration * repeats;
  if (repeats > 1) notes.push(`each trial simulates ${repeats} × the scenario duration (${(trialDuration / 3600).toFixed(1)} h) so that about ${Math.round(expected * repeats)} requests arrive: the objectives need at least ${minCompleted} (20/(1-q) for the strictest quantile q)`);
  let sims = 0;
  let boundHit = false;

  // ---- candidates ----
  const skipped: Skipped[] = [];
  const candidates: LayoutCandidate[] = [];
  const nodeIds = opts.nodes ? [...new Set(opts.nodes.map((n) => canonicalId('node', n)))] : listNodes().map((n) => n.id);
  for (const id of nodeIds) {
    opts.onNode?.(id);
    const node = getNode(id);
    const why = missingPrice(s.cost, node);
    if (why) {
      skipped.push({ node: id, reason: why });
      continue;
    }
    const c = layoutCandidates(s, id, { layouts: opts.layouts, allLayouts: opts.allLayouts, terms });
    candidates.push(...c.candidates);
    skipped.push(...c.skipped);
  }
  opts.onCandidates?.(candidates.length);
  // colocation rents each option's peak node power: on one basis for every option, not a PSU nameplate for some
  // node types and the estimate for others (the same silicon counted 21% apart: studies/comparison-notes.ts)
  const rentsPower = s.cost.basis === 'owned' && s.cost.facility === 'colocation' && candidates.length > 0;
  const power = rentsPower ? choosePowerBasis([...new Set(candidates.map((c) => c.node))].map((id) => getNode(id)), opts.powerBasis ?? s.cost.power_basis) : null;
  if (power) {
    s.cost = { ...s.cost, power_basis: power.choice };
    notes.push(`colocation rents peak node power on one basis for every option, ${power.choice === 'nameplate' ? 'the PSU nameplate' : 'the estimate (non-GPU busy power + GPUs x TDP)'}: ${power.why}`);
  }

  // ---- the smallest passing node count of each candidate ----
  const rows: SizeRow[] = [];
  for (const c of candidates) {
    const label = optionLabel(c.node, c.parallel);
    const results = new Map<number, { trial: SizeTrial; run: SimulationResult }>();
    const trials: SizeTrial[] = [];
    let error: string | undefined;
    const test = (n: number): boolean => {
      const hit = results.get(n);
      if (hit) return hit.trial.pass;
      if (sims >= maxSims) throw new SimBound();
      sims++;
      let duration = trialDuration;
      let run = simulate({ ...sizedScenario(s, c, n), duration }, { ...simOpts, rateScale: scale });
      let ev = evaluateRun(run, terms);
      // a pass holds only in steady state: the arrival window must span RELAXATION_TIMES_PER_RUN relaxation times of
      // the queue (capacity's rule, serving/load-bound.ts), else the empty start carries the tails; run it longer
      // once (whole scenario durations, within capacity's request cap), and a pass still unsettled does not count
      const tau = run.load?.relaxation_s;
      if (ev.pass && tau && unsettledReason(run.load)) {
        const longer = s.duration * Math.ceil((RELAXATION_TIMES_PER_RUN * tau) / s.duration - 1e-9);
        if ((rate * longer) / 3600 <= MAX_TRIAL_REQUESTS && sims < maxSims) {
          sims++;
          duration = longer;
          run = simulate({ ...sizedScenario(s, c, n), duration }, { ...simOpts, rateScale: scale });
          ev = evaluateRun(run, terms);
        }
        const still = ev.pass ? unsettledReason(run.load) : null;
        if (still) ev = { ...ev, pass: false, reason: still, shortfall: 1 - run.load!.window_s! / (RELAXATION_TIMES_PER_RUN * run.load!.relaxation_s!) };
      }
      const trial: SizeTrial = { nodes: n, duration_s: duration, pass: ev.pass, values: ev.values, lost: ev.lost, p95_s: run.latency_s.p95, utilization: run.gpu_utilization, reason: ev.reason, shortfall: ev.shortfall };
      results.set(n, { trial, run });
      trials.push(trial);
      opts.onTrial?.(label, trial);
      return trial.pass;
    };
    // lo: largest count known to fail (0 = none), hi: smallest known to pass (Infinity = none)
    let lo = 0;
    let hi = Infinity;
    let stopped = false;
    const perNodeRate = c.replica_throughput_h * c.replicas_per_node;
    const start = Math.min(maxNodes, Math.max(1, Math.ceil(rate / perNodeRate - 1e-9)));
    try {
      if (test(start)) {
        hi = start;
        for (let step = 1; hi > 1; step *= 2) {
          const k = Math.max(1, hi - step);
          if (test(k)) hi = k;
          else {
            lo = k;
            break;
          }
        }
      } else {
        lo = start;
        for (let step = Math.max(1, Math.ceil(start / 4)); lo < maxNodes; step *= 2) {
          const k = Math.min(maxNodes, lo + step);
          if (test(k)) {
            hi = k;
            break;
          }
          lo = k;
        }
      }
      while (Number.isFinite(hi) && hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (test(mid)) hi = mid;
        else lo = mid;
      }
    } catch (e) {
      if (e instanceof SimBound) {
        stopped = true;
        boundHit = true;
      } else {
        error = errorText(e);
      }
    }
    const chosen = Number.isFinite(hi) ? results.get(hi) : undefined;
    const minimal = chosen !== undefined && (hi === 1 || lo === hi - 1);
    const status: SizeStatus = error ? 'error' : chosen ? (stopped && !minimal ? 'stopped' : 'ok') : stopped ? 'stopped' : 'not-found';
    const r = chosen?.run;
    const noteParts: string[] = [];
    if (error) noteParts.push(`simulation failed: ${error}`);
    else if (!chosen && stopped) noteParts.push(`simulation bound (${maxSims}) reached before a passing count; ${lo} node${lo === 1 ? '' : 's'} fail`);
    else if (!chosen) {
      const last = trials.find((t) => t.nodes === lo);
      noteParts.push(`fails at ${maxNodes} nodes (--max-nodes)${last ? `: p95 ${(last.p95_s / 60).toFixed(1)} min${last.lost ? `, ${last.lost} lost` : ''}` : ''}`);
    } else if (!minimal) noteParts.push(`simulation bound reached: ${hi} passes, ${lo > 0 ? `${lo} fails, ` : ''}counts between not tried`);
    if (c.offload) noteParts.push(c.engine === 'official' ? 'official offload path' : `offload path (${c.engine})`);
    // the only layout with room was not within 10% of it (size-layouts.ts): ranked, but said as plan says it
    if (c.tight) noteParts.push('memory tight: may not fit');
    if (r && !r.cost) noteParts.push('no price');
    const largest = [...trials].sort((a, b) => b.nodes - a.nodes).find((x) => !x.pass);
    const why = error ? `simulation failed: ${error}`
      : chosen ? (r && !r.cost ? 'meets the objectives but has no price on this basis, so it is not ranked' : null)
      : `${stopped ? `the simulation bound (${maxSims}) stopped the search` : `no count up to ${maxNodes} nodes (--max-nodes) meets the objectives`}${largest ? `; at ${largest.nodes} node${largest.nodes === 1 ? '' : 's'}: ${largest.reason}` : ''}`;
    const row: SizeRow = {
      rank: null, label, node: c.node, gpu: c.gpu, engine: c.engine, attention: c.attention, parallel: c.parallel, gpus_per_replica: c.gpus_per_replica, replicas_per_node: c.replicas_per_node,
      status, feasible: chosen !== undefined, reason: why, minimal,
      nodes: chosen ? hi : null,
      replicas: chosen ? hi * c.replicas_per_node : null,
      gpus: chosen ? hi * c.replicas_per_node * c.gpus_per_replica : null,
      latency_s: r ? { p50: r.latency_s.p50, p95: r.latency_s.p95, p99: r.latency_s.p99, max: r.latency_s.max } : null,
      values: chosen ? chosen.trial.values : null,
      slo_attainment: r?.slo_attainment ?? null,
      utilization: r?.gpu_utilization ?? null,
      throughput_per_h: r?.throughput_per_h ?? null,
      kwh_per_video: r && r.requests.completed > 0 ? r.energy.per_video_wh / 1000 : null,
      // every option serves the same offered traffic (nothing lost): a month brings rate x 730 h videos, whatever
      // count this trial's arrivals happened to draw (trials of different lengths draw different counts)
      usd_per_video: r?.cost ? r.cost.usd_per_month / (rate * HOURS_PER_MONTH) : null,
      usd_per_month: r?.cost?.usd_per_month ?? null,
      usd_per_gpu_hour: r?.cost?.usd_per_gpu_hour ?? null,
      capex_usd: r?.cost?.capex_usd ?? null,
      price: r?.cost?.prices.find((p) => p.node === c.node) ?? null,
      est_throughput_per_gpu_h: c.throughput_per_gpu_h,
      mean_service_s: c.mean_service_s,
      tight: c.tight,
      pareto: false,
      trials: [...trials].sort((a, b) => a.nodes - b.nodes),
      note: noteParts.join('; '),
      warnings: r ? [...new Set([...(r.cost?.warnings ?? []), ...r.warnings.filter((w) => /^cost:/.test(w))])] : [],
    };
    rows.push(row);
    opts.onOption?.(row);
  }

  // ---- rank and Pareto ----
  const priced = (r: SizeRow) => r.nodes !== null && r.usd_per_month !== null;
  rows.sort((a, b) => {
    const pa = priced(a) ? 0 : a.nodes !== null ? 1 : 2;
    const pb = priced(b) ? 0 : b.nodes !== null ? 1 : 2;
    if (pa !== pb) return pa - pb;
    return (a.usd_per_month ?? Infinity) - (b.usd_per_month ?? Infinity) || (a.latency_s?.p95 ?? Infinity) - (b.latency_s?.p95 ?? Infinity) || a.label.localeCompare(b.label);
  });
  let rank = 0;
  for (const r of rows) if (priced(r)) r.rank = ++rank;
  const ranked = rows.filter(priced);
  paretoFront(ranked.map((r) => ({ x: r.latency_s!.p95, y: r.usd_per_month! }))).forEach((p, i) => (ranked[i]!.pareto = p));

  let reason: string | null = null;
  if (!ranked.length) {
    const tried = rows.filter((r) => !r.feasible);
    const closest = [...tried].filter((r) => r.trials.length).sort((a, b) => shortfallOf(a) - shortfallOf(b))[0];
    reason = rows.length === 0
      ? `no option to size: ${skipped.length ? skipped.map((x) => `${x.node}${x.parallel ? ` ${x.parallel}` : ''}: ${x.reason}`).slice(0, 3).join('; ') : 'no node type given'}`
      : `none of ${rows.length} option${rows.length === 1 ? '' : 's'} meets ${terms.map((t) => t.text).join(', ')} with nothing lost${rows.some((r) => r.feasible) ? ' and has a price' : ''}${closest ? `; closest: ${closest.label} (${closest.reason})` : ''}`;
  }
  // what the options were not priced alike on (studies/comparison-notes.ts)
  for (const n of [attentionMixNote(rows), powerProxyNote(rows.map((r) => r.node))]) if (n) notes.push(n);
  if (boundHit) notes.push(`the simulation bound (${maxSims}) stopped the search: options marked "stopped" are not proven minimal (raise --max-sims)`);
  const maxService = Math.max(0, ...candidates.map((c) => Math.max(...Object.values(c.service_s))));
  if (trialDuration < 20 * maxService) notes.push(`the simulated duration (${(trialDuration / 3600).toFixed(2)} h) is short next to the service time (${(maxService / 60).toFixed(1)} min): tail latencies are noisy; raise duration (--set duration=3d)`);
  const perTrial = rate * (trialDuration / 3600);
  if (perTrial < minCompleted) notes.push(`about ${perTrial.toFixed(0)} requests per trial (a trace cannot be stretched): fewer than the ${minCompleted} the objectives need, so the tails are low-confidence`);
  return {
    scenario: s.name, model: models[0]!, objectives: terms.map((t) => t.text), rate_per_h: rate, rate_scale: scale, duration_s: s.duration,
    trial_duration_s: trialDuration, basis: s.cost.basis, power_basis: power && { basis: power.choice, why: power.why }, feasible: ranked.length > 0, reason, rows, skipped, simulations: sims, max_sims: maxSims, bound_hit: boundHit, notes,
  };
}

/** How far an option's best trial came from meeting the objectives (the smallest shortfall over its trials). */
function shortfallOf(r: SizeRow): number {
  return Math.min(Infinity, ...r.trials.map((t) => t.shortfall));
}
