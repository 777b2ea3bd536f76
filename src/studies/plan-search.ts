/**
 * `vgsim plan`: enumerate the parallel layouts of a model on a GPU budget, estimate each, and rank them.
 * A layout is a plan for one replica of g GPUs plus dp = budget / g replicas. Only layouts that fit (valid
 * degrees, enough memory) and meet the latency objective when one is given (`maxLatencyS`: one request on an
 * idle replica) are ranked (rank 1, 2, …) by the chosen criterion; the others follow unranked with the reason
 * (heads not divisible, OOM, "latency 20.2 min > 10.0 min").
 */
import { estimate, RUNTIME_OVERHEAD_GB, type Estimate, type InferenceOptions } from '../perf/estimate.ts';
import type { ModelSpec } from '../workload/models.ts';
import type { RequestShape } from '../workload/request.ts';
import { formatPlan, groupGpus, planProblems, SINGLE_GPU, type ParallelPlan } from '../parallel/plan.ts';
import { engineSupportsPlan } from '../engines/rules.ts';
import { familyAccelerationProblems } from '../engines/family-support.ts';
import { resolveRequest } from '../workload/request.ts';
import { InputError } from '../errors.ts';
import { formatMissPair } from './objectives.ts';

export type Objective = 'latency' | 'throughput' | 'headroom';

export interface PlanRow {
  parallel: string;
  gpus_per_replica: number;
  replicas: number;
  /** Valid and fits in memory. */
  feasible: boolean;
  /** 1 = best among the layouts that fit and meet the latency objective; null for the others. */
  rank: number | null;
  /** Why not ranked: why it does not fit, or the latency objective it misses. */
  reason?: string;
  latency_s?: number;
  /** Videos per hour per GPU, all replicas busy back to back. */
  throughput_per_gpu_h?: number;
  peak_memory_gb?: number;
  /** GPU memory left at the peak after the runtime reserve the fit check adds (negative: short by that much). */
  headroom_gb?: number;
  estimate?: Estimate;
}

export interface PlanSearch {
  model: ModelSpec;
  gpu?: string;
  node?: string;
  budget: number;
  request?: Partial<RequestShape>;
  options?: Partial<InferenceOptions>;
  objective?: Objective;
  /** Latency objective: one request on an idle replica within this many seconds (layouts over it are not ranked). */
  maxLatencyS?: number;
  /** Also consider these (default: the official-path knobs plus xDiT-style ring/cfg/pipefusion/tp). */
  include?: { ring?: boolean; tp?: boolean; pipefusion?: boolean; cfg?: boolean; expertSplit?: boolean };
  /** Called after each candidate layout (a progress bar). */
  onCandidate?: (done: number, total: number) => void;
}

function powersOfTwoUpTo(n: number): number[] {
  const out: number[] = [];
  for (let k = 1; k <= n; k *= 2) out.push(k);
  return out;
}

/** Candidate plans for group sizes dividing the budget. */
export function candidatePlans(model: ModelSpec, budget: number, include: NonNullable<PlanSearch['include']> = {}): ParallelPlan[] {
  // only the modes the model's public inference code implements (ModelSpec.parallel)
  const sup = model.parallel;
  const want = { ring: true, tp: true, pipefusion: true, cfg: true, expertSplit: true, ...include };
  const inc = { ...want, ring: want.ring && sup.ring, tp: want.tp && sup.tp, pipefusion: want.pipefusion && sup.pipefusion, cfg: want.cfg && sup.cfg };
  const plans: ParallelPlan[] = [];
  const seen = new Set<string>();
  const degrees = [...new Set([...powersOfTwoUpTo(budget), 3, 5, 6, 10].filter((d) => d <= budget))].sort((a, b) => a - b);
  for (const u of sup.ulysses ? degrees : [1])
    for (const r of inc.ring ? degrees : [1])
      for (const t of inc.tp ? degrees : [1])
        for (const pf of inc.pipefusion ? [1, 2, 4] : [1])
          for (const c of inc.cfg ? [1, 2] : [1])
            for (const split of inc.expertSplit && model.experts === 2 ? [false, true] : [false]) {
              const g = u * r * t * pf * c * (split ? 2 : 1);
              if (g > budget || budget % g !== 0) continue;
              for (const fsdp of sup.fsdp && g / (c * (split ? 2 : 1) * pf) > 1 ? [true, false] : [false]) {
                const p: ParallelPlan = { ...SINGLE_GPU, ulysses: u, ring: r, tp: t, pipefusion: pf, cfg: c as 1 | 2, fsdp, experts: split ? 'split' : 'resident', dp: budget / g };
                const key = formatPlan(p);
                if (!seen.has(key)) {
                  seen.add(key);
                  plans.push(p);
                }
              }
            }
  // the official single-GPU path as its own candidate
  if (sup.offload) plans.push({ ...SINGLE_GPU, offload: true, dp: budget });
  return plans;
}

export function searchPlans(s: PlanSearch): PlanRow[] {
  // an engine or acceleration the model's family does not have fails the search, not each layout in turn
  const unsupported = s.options ? familyAccelerationProblems({ attention: 'auto', dtype: 'bf16', compile: false, cfg: 'official', ...s.options }, s.model, 'engine') : [];
  if (unsupported.length) throw new InputError(unsupported);
  const req = resolveRequest(s.model, s.request);
  const rows: PlanRow[] = [];
  const candidates = candidatePlans(s.model, s.budget, s.include);
  let done = 0;
  for (const plan of candidates) {
    s.onCandidate?.(++done, candidates.length);
    if (!engineSupportsPlan(s.options?.engine, plan)) continue; // only layouts the engine runs
    const perReplica = groupGpus(plan) * (plan.experts === 'split' ? 2 : 1);
    const base: PlanRow = { parallel: formatPlan({ ...plan, dp: 1 }), gpus_per_replica: perReplica, replicas: plan.dp, feasible: false, rank: null };
    const problems = planProblems({ ...plan, dp: 1 }, s.model, perReplica, { cfg: req.cfg, tokens: req.tokens });
    if (problems.length) {
      rows.push({ ...base, reason: problems.join('; ') });
      continue;
    }
    try {
      const e = estimate({ model: s.model, gpu: s.gpu, node: s.node, plan: { ...plan, dp: 1 }, gpus: perReplica, request: s.request, options: s.options });
      const row: PlanRow = {
        ...base,
        feasible: e.fits,
        reason: e.fits ? undefined : e.memory.verdict,
        latency_s: e.total_s,
        throughput_per_gpu_h: e.throughput_per_h / perReplica,
        peak_memory_gb: e.peak_memory_gb,
        headroom_gb: e.capacity_gb - e.peak_memory_gb - RUNTIME_OVERHEAD_GB, // what is left after the fit check's runtime reserve: negative where it does not fit
        estimate: e,
      };
      rows.push(row);
    } catch (err) {
      rows.push({ ...base, reason: err instanceof InputError ? err.issues.map((i) => i.message).join('; ') : (err as Error).message });
    }
  }
  const objective = s.objective ?? 'latency';
  const key = (r: PlanRow) => (objective === 'latency' ? r.latency_s! : objective === 'throughput' ? -r.throughput_per_gpu_h! : -r.headroom_gb!);
  const max = s.maxLatencyS;
  const meets = (r: PlanRow) => r.feasible && (max === undefined || r.latency_s! <= max);
  for (const r of rows) {
    if (!r.feasible || meets(r)) continue;
    const [at, objective] = formatMissPair({ metric: 'max' }, r.latency_s!, max!);
    r.reason = `latency ${at} > the objective ${objective}`;
  }
  // ranked first (by the criterion), then layouts that fit but miss the objective, then those that do not fit
  const tier = (r: PlanRow) => (meets(r) ? 0 : r.feasible ? 1 : 2);
  rows.sort((a, b) => {
    if (tier(a) !== tier(b)) return tier(a) - tier(b);
    if (tier(a) === 2) return (a.latency_s ?? Infinity) - (b.latency_s ?? Infinity) || a.parallel.localeCompare(b.parallel);
    return key(a) - key(b) || a.parallel.localeCompare(b.parallel);
  });
  let rank = 0;
  for (const r of rows) if (meets(r)) r.rank = ++rank;
  return rows;
}

/** Why no layout is ranked, with the closest one; null when some is. */
export function noPlanReason(rows: readonly PlanRow[], maxLatencyS?: number): string | null {
  if (rows.some((r) => r.rank !== null)) return null;
  const fits = rows.filter((r) => r.feasible);
  if (fits.length) {
    const fastest = [...fits].sort((a, b) => a.latency_s! - b.latency_s!)[0]!;
    const [at, objective] = formatMissPair({ metric: 'max' }, fastest.latency_s!, maxLatencyS ?? NaN);
    return `none of ${rows.length} layouts meets the latency objective ${objective}: ${fits.length} fit, the fastest is ${fastest.parallel} at ${at}`;
  }
  const closest = rows.find((r) => r.latency_s !== undefined) ?? rows[0];
  // "fits" only where memory is why: a layout the engine or the model cannot run is not a memory verdict
  const oom = rows.some((r) => r.estimate && !r.estimate.fits);
  return `none of ${rows.length} layouts ${oom ? 'fits' : 'can run'}${closest ? `; e.g. ${closest.parallel}: ${closest.reason ?? 'no estimate'}` : ''}`;
}
