/**
 * The document of a plan search (what `vgsim plan --json`, POST /api/plan and plan.json hold) and the deploy
 * artifacts of one of its layouts. Apart from api/plan.ts's request schema, so that the CLI, which checks its
 * own flags, does not load zod and the scenario schema to print it.
 */
import { noPlanReason, runnable, whatIfAhead, type Objective, type PlanRow } from '../studies/plan-search.ts';
import { fmtSeconds } from '../report/table.ts';
import { parsePlan } from '../parallel/plan.ts';
import { notOfferedLine } from '../parallel/family-rules.ts';
import { getModel } from '../workload/request.ts';
import { InputError } from '../errors.ts';
import { deployArtifacts, type DeployArtifacts } from '../deploy/artifacts.ts';
import { evidenceLineOf, gpuEvidence, nearestCaveat, scopeLine, type GpuEvidence, type NearestHeldOut } from '../perf/gpu-evidence.ts';
import { isHostBoundNote } from '../perf/host-dispatch.ts';
import { outputChangeLabels, worstPsnr } from '../engines/quality.ts';

export type PlanLayout = Omit<PlanRow, 'estimate'>;
export interface PlanResult {
  model: string;
  gpu: string;
  node: string;
  budget: number;
  rank: Objective;
  /** What the ranking's numbers rest on: the GPU's held-out record (perf/gpu-evidence.ts). */
  evidence: GpuEvidence | null;
  /** The pick's nearest held-out record (its estimate's nearest_held_out: same family, engine, GPU and GPU count); null without a pick or a record. */
  pick_nearest_held_out: NearestHeldOut | null;
  /** Whether some layout is ranked (a pick exists), as capacity, size and tco say it. */
  feasible: boolean;
  /** Layouts that fit and the engine's code runs (what-ifs are not counted). */
  fits: number;
  /** Where a what-if layout (one the engine's code does not run for the model) beats the pick by the ranking's criterion: which, by how much, and why it is not runnable; null otherwise. */
  what_if_ahead: string | null;
  /** Layouts that fit and meet max_latency_s: the ranked ones (rank 1 is the pick). */
  ranked: number;
  /** Why none is ranked (with the closest); null when some is. */
  reason: string | null;
  /** What the pick's numbers may be off by, as the text prints each "caveat:" line; empty without a pick or a caveat. */
  caveats: string[];
  /** What every number rests on, as the text prints each "evidence:" line: the GPU, then the engine and family when not the official Wan code. */
  evidence_lines: string[];
  /** A non-Wan model's parallel modes its public inference code does not have, so no layout uses them, and the code it was read from ("not offered:"); null for Wan, whose what-ifs are listed as layouts. */
  not_offered: string | null;
  layouts: PlanLayout[];
  deploy?: DeployArtifacts;
}

/** The caveats of a plan's pick (rank 1): host-bound forward, extrapolated accelerations, a held-out record off by over 10%. */
export function planCaveats(best: PlanRow | undefined): string[] {
  const e = best?.estimate;
  if (!e) return [];
  const out: string[] = [];
  // a pick whose forward the host's kernel launches bound rests on the host CPU, which the ranking cannot see
  if (e.warnings.some(isHostBoundNote)) out.push('the pick\'s DiT forward is bound by the host\'s kernel launches, so its latency and throughput follow the host CPU (vgsim estimate says by how much; measure the host with calibration/host/forward_host_probe.py)');
  // a ranking that rests on accelerations priced beyond what was measured says which
  const extrapolated = e.accelerations.filter((a) => a.extrapolated).map((a) => a.knob === 'cache' && e.step_cache ? `cache ${e.step_cache.method} (${e.step_cache.off_schedule ?? `${e.step_cache.basis} schedule`})` : `${a.knob}=${a.value}`);
  if (extrapolated.length) out.push(`the pick rests on accelerations vgsim extrapolates: ${extrapolated.join('; ')} — vgsim estimate gives each with its basis`);
  // where vgsim has been measured off by over 10% on this very kind of run, the ranking's numbers inherit it
  const near = nearestCaveat(e.nearest_held_out ?? null);
  if (near) out.push(near);
  // a request past the longest attention the profile measured: no held-out timing backs its size
  if (e.beyond_measured) out.push(e.beyond_measured);
  // a pick that changes the video says so, with the published quality where there is one (a psnr>=X objective ranks by it)
  const changes = outputChangeLabels(e.accelerations);
  if (changes.length) {
    const psnr = worstPsnr(e.quality);
    out.push(`the pick changes the video (${changes.join(', ')}): ${psnr !== null ? `published PSNR ${psnr.toFixed(1)} dB against the full model` : `quality ${e.quality_note ?? 'unknown: no published figure'}`}; vgsim estimate --json gives the records`);
  }
  return out;
}

/** What a plan's numbers rest on: the GPU's profile and held-out record, and the engine's and family's when not the official Wan code. */
export function planEvidenceLines(gpu: string, gpusPerReplica: number, engine: string | undefined, family: string): string[] {
  const out = [evidenceLineOf(gpu, gpusPerReplica)];
  if (engine !== undefined && engine !== 'official') out.push(scopeLine('engine', engine));
  if (family !== 'wan') out.push(scopeLine('family', family));
  return out;
}

/**
 * The document of `vgsim plan --json` and POST /api/plan (and plan.json): every layout, ranked first, with
 * whether there is a pick and why not, its caveats and what the numbers rest on.
 */
export function planDocument(q: { model: string; gpu: string; node: string; budget: number; rank: Objective; maxLatencyS?: number; engine?: string }, rows: readonly PlanRow[]): PlanResult {
  const ranked = rows.filter((x) => x.rank !== null);
  const best = rows.find((x) => x.rank === 1);
  const reason = noPlanReason(rows, q.maxLatencyS);
  const ahead = whatIfAhead(rows, q.rank, q.maxLatencyS);
  return {
    model: q.model, gpu: q.gpu, node: q.node, budget: q.budget, rank: q.rank, evidence: gpuEvidence(q.gpu) ?? null,
    pick_nearest_held_out: best?.estimate?.nearest_held_out ?? null,
    feasible: reason === null,
    fits: rows.filter(runnable).length,
    what_if_ahead: ahead ? whatIfAheadText(ahead.row, ahead.by, q.rank) : null,
    ranked: ranked.length,
    reason,
    caveats: planCaveats(best),
    evidence_lines: planEvidenceLines(q.gpu, ranked[0]?.gpus_per_replica ?? 1, q.engine, getModel(q.model).family),
    not_offered: notOfferedLine(getModel(q.model)),
    layouts: rows.map(({ estimate: _e, ...x }) => x),
  };
}

/** "ulysses=4,cfg=2,fsdp would take 2.4 min per request, 7% less than the pick; not runnable: not in the official Wan2.2 code: CFG parallel (cfg=2)". */
function whatIfAheadText(r: PlanRow, by: number, rank: Objective): string {
  const gain = rank === 'latency' ? `would take ${fmtSeconds(r.latency_s!)} per request, ${(by * 100).toFixed(0)}% less than the pick`
    : rank === 'throughput' ? `would serve ${r.throughput_per_gpu_h!.toFixed(2)} videos/h per GPU, ${(by * 100).toFixed(0)}% more than the pick`
      : `would leave ${r.headroom_gb!.toFixed(1)} GB headroom, ${by.toFixed(1)} GB more than the pick`;
  return `${r.parallel} ${gain}; not runnable: ${r.what_if}`;
}

/** Deploy artifacts for one ranked row (its request shape and node come from its estimate). */
export function deployForRow(row: PlanRow, modelId: string, node: string): DeployArtifacts {
  const e = row.estimate;
  if (!row.feasible || !e) throw new InputError([{ source: 'request', path: 'deploy.layout', message: `layout ${row.parallel} is not feasible: ${row.reason ?? 'no estimate'}` }]);
  const spec = parsePlan(row.parallel, 'layout');
  return deployArtifacts({
    model: getModel(modelId), parallel: { ...spec, dp: 1 }, gpusPerReplica: row.gpus_per_replica, replicas: row.replicas, node,
    width: e.request.width, height: e.request.height, frames: e.request.frames, steps: e.request.steps,
    dtype: e.options.dtype === 'fp8' ? 'fp8' : 'bf16', compile: e.options.compile,
  });
}

