/**
 * `vgsim plan`: enumerate the parallel layouts of a model on a GPU budget, estimate each, and rank them.
 * A layout is a plan for one replica of g GPUs plus dp = budget / g replicas. Only layouts that fit (valid
 * degrees, enough memory) and meet the latency objective when one is given (`maxLatencyS`: one request on an
 * idle replica) are ranked (rank 1, 2, …) by the chosen criterion; the others follow unranked with the reason
 * (heads not divisible, OOM, "latency 20.2 min > 10.0 min"). Only layouts the engine's own code runs for the model
 * are ranked: vgsim's what-ifs on its kernels (engines/layout-support.ts: CFG parallel in the official Wan code)
 * are listed with why, never picked. A layout out of memory with the text encoder on every GPU is tried with
 * it sharded (t5=fsdp) or on the CPU (t5=cpu) where the engine has those, before it is called OOM.
 * A tight layout (it fits on the allocated peak, but its headroom is below what PyTorch's caching allocator was
 * measured to keep beyond it: perf/allocator-slack.ts) ranks after every layout with room within ROOM_TOLERANCE (10%)
 * of it by the criterion — inside that the model cannot rank them, and room is worth more; a tight layout faster by
 * more keeps its place, with its warning. Under --rank headroom every layout with room goes first: a layout with
 * more allocated headroom can still be the tight one (a VAE decode's slack is larger than a forward's).
 */
import { estimate, RUNTIME_OVERHEAD_GB, type Estimate, type InferenceOptions } from '../perf/estimate.ts';
import type { ModelSpec } from '../workload/models.ts';
import type { RequestShape } from '../workload/request.ts';
import { formatPlan, groupGpus, planProblems, SINGLE_GPU, type ParallelPlan } from '../parallel/plan.ts';
import { layoutSupport, pricesLayout, type LayoutSupport } from '../engines/layout-support.ts';
import { familyAccelerationProblems } from '../engines/family-support.ts';
import { resolveRequest } from '../workload/request.ts';
import { InputError } from '../errors.ts';
import { getNode, listNodes } from '../hardware/catalog.ts';
import { formatMissPair } from './objectives.ts';
import { roomWithin } from '../perf/allocator-slack.ts';

export type Objective = 'latency' | 'throughput' | 'headroom';

export interface PlanRow {
  parallel: string;
  gpus_per_replica: number;
  replicas: number;
  /** Valid and fits in memory. */
  feasible: boolean;
  /** 1 = best among the layouts that fit and meet the latency objective; null for the others. */
  rank: number | null;
  /** Why not ranked: a what-if, why it does not fit, or the latency objective it misses. */
  reason?: string;
  /** Why the engine's own code does not run this layout for the model (layout-support.ts): a vgsim what-if, listed but never ranked. */
  what_if?: string;
  latency_s?: number;
  /** Videos per hour per GPU, all replicas busy back to back. */
  throughput_per_gpu_h?: number;
  peak_memory_gb?: number;
  /** Fits, but a phase's headroom is below the caching allocator's measured slack (Estimate.memory.tight): may not fit in practice; ranked after the layouts that are not. */
  tight?: boolean;
  /** Why, when tight: "tight: 2.6 GB headroom in the vae_decode phase < ~9.4 GB the caching allocator kept …; may not fit". */
  tight_reason?: string;
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
  /** List the layouts the engine's own code does not run for the model (vgsim what-ifs), unranked with the reason (default); false leaves them out (plan --official). */
  whatIfs?: boolean;
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

/** Estimates one layout as a row: feasible when valid and it fits; the reason when not; `note` its what-if (layoutSupport). */
function layoutRow(s: PlanSearch, plan: ParallelPlan, req: ReturnType<typeof resolveRequest>, note: string | null): PlanRow {
  const perReplica = groupGpus(plan) * (plan.experts === 'split' ? 2 : 1);
  const base: PlanRow = { parallel: formatPlan({ ...plan, dp: 1 }), gpus_per_replica: perReplica, replicas: plan.dp, feasible: false, rank: null, ...(note ? { what_if: note } : {}) };
  const problems = planProblems({ ...plan, dp: 1 }, s.model, perReplica, { cfg: req.cfg, tokens: req.tokens });
  if (problems.length) return { ...base, reason: problems.join('; ') };
  try {
    const e = estimate({ model: s.model, gpu: s.gpu, node: s.node, plan: { ...plan, dp: 1 }, gpus: perReplica, request: s.request, options: s.options });
    return {
      ...base,
      feasible: e.fits,
      reason: e.fits ? undefined : e.memory.verdict,
      latency_s: e.total_s,
      throughput_per_gpu_h: e.throughput_per_h / perReplica,
      peak_memory_gb: e.peak_memory_gb,
      tight: e.memory.tight,
      ...(e.memory.tight_reason ? { tight_reason: e.memory.tight_reason } : {}),
      headroom_gb: e.capacity_gb - e.peak_memory_gb - RUNTIME_OVERHEAD_GB, // what is left after the fit check's runtime reserve: negative where it does not fit
      estimate: e,
    };
  } catch (err) {
    return { ...base, reason: err instanceof InputError ? err.issues.map((i) => i.message).join('; ') : (err as Error).message };
  }
}

/**
 * Where else the text encoder can run when a layout does not fit with it on every GPU: sharded over the group
 * (t5=fsdp, the official --t5_fsdp), then on the CPU (t5=cpu, --t5_cpu); only placements the model's code and
 * the engine have, and none that makes a runnable layout a what-if.
 */
function textEncoderPlacements(s: PlanSearch, plan: ParallelPlan, support: LayoutSupport): { plan: ParallelPlan; support: LayoutSupport }[] {
  if (plan.t5 !== 'gpu' || plan.offload || plan.cpuOffload) return [];
  const alts: ParallelPlan[] = [];
  if (groupGpus(plan) > 1 && s.model.parallel.t5.includes('fsdp')) alts.push({ ...plan, t5: 'fsdp' });
  if (s.model.parallel.t5.includes('cpu')) alts.push({ ...plan, t5: 'cpu' });
  return alts
    .map((p) => ({ plan: p, support: layoutSupport(s.options?.engine, p, s.model) }))
    .filter((a) => pricesLayout(a.support) && a.support.whatIf.length === support.whatIf.length);
}

/**
 * A non-Wan family's own sequential CPU offload for its single-GPU layout that does not fit (HunyuanVideo's
 * --use-cpu-offload, CogVideoX's enable_sequential_cpu_offload: single GPU, parallel/family-rules.ts): what its code
 * runs where the weights do not fit, tried like the text encoder's placements before the layout is called OOM
 * (HunyuanVideo on one 48 GB L40S: 61.8 GB without it, 36 GB with it). Wan's cpu-offload is a serving engine's
 * (engines/profiles.ts).
 */
function familyCpuOffload(s: PlanSearch, plan: ParallelPlan): { plan: ParallelPlan; support: LayoutSupport }[] {
  if (s.model.family === 'wan' || !s.model.parallel.cpuOffload || groupGpus(plan) > 1 || plan.offload || plan.cpuOffload) return [];
  const p: ParallelPlan = { ...plan, cpuOffload: true };
  return [{ plan: p, support: layoutSupport(s.options?.engine, p, s.model) }];
}

/**
 * Whether freeing `share` of the text encoder's weights on each GPU could make the estimate fit: in every phase
 * over the GPU's memory that share of its text_encoder_weights covers the excess (the breakdown's 0.01 GB
 * rounding allowed). A placement that cannot is not estimated: it would be OOM too.
 */
function textEncoderCouldFit(e: Estimate, share: number): boolean {
  return e.memory.phases.every((p) => p.peak_gb - share * (p.breakdown_gb.text_encoder_weights ?? 0) + RUNTIME_OVERHEAD_GB <= e.capacity_gb + 0.01);
}

/** A layout that fits and the engine's own code runs for the model (a what-if is listed, never ranked). */
export const runnable = (r: PlanRow) => r.feasible && !r.what_if;

export function searchPlans(s: PlanSearch): PlanRow[] {
  // an engine or acceleration the model's family does not have fails the search, not each layout in turn
  const unsupported = s.options ? familyAccelerationProblems({ attention: 'auto', dtype: 'bf16', compile: false, cfg: 'official', ...s.options }, s.model, 'engine') : [];
  if (unsupported.length) throw new InputError(unsupported);
  // a node type that carries another GPU is a contradiction in the question, not a layout that cannot run: it
  // enumerated every layout and answered "none of 8 layouts can run", as if the budget were infeasible
  const node = s.node !== undefined ? getNode(s.node) : undefined;
  if (node && s.gpu !== undefined && node.gpu !== s.gpu) {
    const carriers = listNodes().filter((n) => n.gpu === s.gpu).map((n) => n.id);
    throw new InputError([{ source: '--node', path: 'node', message: `node type ${node.id} carries ${node.gpu}, not ${s.gpu}`, hint: `leave the GPU out (the node type says which it carries)${carriers.length ? `, or give a node type that carries ${s.gpu}: ${carriers.join(', ')}` : ''}` }]);
  }
  const req = resolveRequest(s.model, s.request);
  const rows: PlanRow[] = [];
  const candidates = candidatePlans(s.model, s.budget, s.include);
  let done = 0;
  for (const plan of candidates) {
    s.onCandidate?.(++done, candidates.length);
    const support = layoutSupport(s.options?.engine, plan, s.model);
    if (!pricesLayout(support)) continue; // only layouts the engine runs or prices as a what-if
    if (s.whatIfs === false && support.whatIf.length) continue;
    let row = layoutRow(s, plan, req, support.note);
    // out of memory with the text encoder on every GPU: the engine's other placements before calling it OOM
    // (re-estimated only for a layout that does not fit, so the layouts that do cost nothing more)
    if (row.estimate && !row.feasible) {
      const e = row.estimate;
      const alts = [...textEncoderPlacements(s, plan, support), ...familyCpuOffload(s, plan)];
      let fit: PlanRow | undefined;
      for (const a of alts) {
        // what moving umT5 frees at most: all of it on the CPU, all but one shard sharded over the group
        if (!a.plan.cpuOffload && !textEncoderCouldFit(e, a.plan.t5 === 'cpu' ? 1 : 1 - 1 / groupGpus(a.plan))) continue;
        const r = layoutRow(s, a.plan, req, a.support.note);
        if (r.feasible) {
          fit = r;
          break;
        }
      }
      if (fit) row = fit;
      else if (alts.length) row.reason = `${row.reason}; ${alts.map((a) => (a.plan.cpuOffload ? 'cpu-offload' : `t5=${a.plan.t5}`)).join(' and ')} do${alts.length === 1 ? 'es' : ''} not fit either`;
    }
    rows.push(row);
  }
  const objective = s.objective ?? 'latency';
  const key = (r: PlanRow) => (objective === 'latency' ? r.latency_s! : objective === 'throughput' ? -r.throughput_per_gpu_h! : -r.headroom_gb!);
  const max = s.maxLatencyS;
  const meetsLatency = (r: PlanRow) => r.feasible && (max === undefined || r.latency_s! <= max);
  const meets = (r: PlanRow) => meetsLatency(r) && !r.what_if;
  for (const r of rows) {
    const why: string[] = r.what_if ? [`what-if: ${r.what_if}`] : [];
    if (r.feasible && !meetsLatency(r)) {
      const [at, objective] = formatMissPair({ metric: 'max' }, r.latency_s!, max!);
      why.push(`latency ${at} > the objective ${objective}`);
    }
    if (!r.feasible && r.reason) why.push(r.reason);
    if (why.length) r.reason = why.join('; ');
  }
  // ranked first (by the criterion; a tight one after every layout with room within ROOM_TOLERANCE of it: the
  // model cannot rank inside that, and room is worth more), then runnable layouts that fit but miss the objective,
  // then what-ifs that fit (by the criterion), then those that do not fit
  const roomy = rows.filter((r) => meets(r) && !r.tight);
  // the criterion as a positive cost, lower better (headroom: any layout with room has more of it)
  const cost = (r: PlanRow) => (objective === 'latency' ? r.latency_s! : objective === 'throughput' ? 1 / r.throughput_per_gpu_h! : 0);
  const yields = (r: PlanRow) => r.tight === true && roomy.some((x) => roomWithin(cost(x), cost(r)));
  const tier = (r: PlanRow) => (meets(r) ? (yields(r) ? 1 : 0) : runnable(r) ? 2 : r.feasible ? 3 : 4);
  rows.sort((a, b) => {
    if (tier(a) !== tier(b)) return tier(a) - tier(b);
    if (tier(a) === 4) return (a.latency_s ?? Infinity) - (b.latency_s ?? Infinity) || a.parallel.localeCompare(b.parallel);
    return key(a) - key(b) || a.parallel.localeCompare(b.parallel);
  });
  let rank = 0;
  for (const r of rows) if (meets(r)) r.rank = ++rank;
  return rows;
}

/**
 * The best what-if layout (one the engine's code does not run) where it beats the pick by the ranking's
 * criterion within the latency objective, with how much; null when the pick is at least as good or there is none.
 */
export function whatIfAhead(rows: readonly PlanRow[], objective: Objective = 'latency', maxLatencyS?: number): { row: PlanRow; by: number } | null {
  const pick = rows.find((r) => r.rank === 1);
  const best = rows.find((r) => r.feasible && r.what_if && (maxLatencyS === undefined || r.latency_s! <= maxLatencyS));
  if (!pick || !best) return null;
  const by = objective === 'latency' ? 1 - best.latency_s! / pick.latency_s! : objective === 'throughput' ? best.throughput_per_gpu_h! / pick.throughput_per_gpu_h! - 1 : best.headroom_gb! - pick.headroom_gb!;
  return by > 0 ? { row: best, by } : null;
}

/** Why no layout is ranked, with the closest one; null when some is. */
export function noPlanReason(rows: readonly PlanRow[], maxLatencyS?: number): string | null {
  if (rows.some((r) => r.rank !== null)) return null;
  const fits = rows.filter(runnable);
  if (fits.length) {
    const fastest = [...fits].sort((a, b) => a.latency_s! - b.latency_s!)[0]!;
    const [at, objective] = formatMissPair({ metric: 'max' }, fastest.latency_s!, maxLatencyS ?? NaN);
    return `none of ${rows.length} layouts meets the latency objective ${objective}: ${fits.length} fit, the fastest is ${fastest.parallel} at ${at}`;
  }
  const runs = rows.filter((r) => !r.what_if);
  // what-ifs that fit are no recommendation: say the engine runs none of them
  const whatIfs = rows.filter((r) => r.feasible).length;
  const beside = whatIfs ? ` (${whatIfs} what-if layout${whatIfs === 1 ? '' : 's'} the engine's code does not run would fit: --all lists them)` : '';
  // "fits" only where memory is why: a layout the engine or the model cannot run is not a memory verdict
  const oom = runs.some((r) => r.estimate && !r.estimate.fits);
  const closest = runs.find((r) => r.latency_s !== undefined);
  const first = closest ?? runs[0];
  if (closest || runs.length < 2) return `none of ${runs.length} layouts ${oom ? 'fits' : 'can run'}${first ? `; e.g. ${first.parallel}: ${first.reason ?? 'no estimate'}` : ''}${beside}`;
  // none was estimated: the reason most of them share is the one to act on (not the first layout's own)
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r.reason ?? 'no estimate', (counts.get(r.reason ?? 'no estimate') ?? 0) + 1);
  const [reason, n] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
  const example = runs.find((r) => (r.reason ?? 'no estimate') === reason)!;
  return `none of ${runs.length} layouts ${oom ? 'fits' : 'can run'}; ${n === runs.length ? 'all' : `${n} of them`}${n === 1 ? `, e.g. ${example.parallel}` : ''}: ${reason}${beside}`;
}
