/**
 * `plan` by ids: every layout of a model on a GPU budget, ranked (what `vgsim plan --json` prints and POST
 * /api/plan returns), and the deploy artifacts of the best feasible layout (or a named one) on request.
 */
import { z } from 'zod';
import { noPlanReason, searchPlans, type Objective, type PlanRow } from '../studies/plan-search.ts';
import { getNode } from '../hardware/catalog.ts';
import { defaultNodeFor } from '../perf/layout.ts';
import { formatPlan, parsePlan } from '../parallel/plan.ts';
import { getModel } from '../workload/request.ts';
import { InferenceSchema } from '../scenario/schema.ts';
import { parseResolution } from '../units.ts';
import { InputError } from '../errors.ts';
import { deployArtifacts, type DeployArtifacts } from '../deploy/artifacts.ts';
import { parseRequest } from './request-issues.ts';
import { gpuEvidence, type GpuEvidence, type NearestHeldOut } from '../perf/gpu-evidence.ts';
import { accelerationOptions } from '../engines/inference-spec.ts';

const positiveInt = z.number().int().positive();

export const PlanRequestSchema = z.strictObject({
  model: z.string().describe('model id'),
  gpu: z.string().optional().describe('GPU id (or node)'),
  node: z.string().optional().describe('node type'),
  gpus: positiveInt.max(4096).describe('GPU budget (replicas × GPUs per replica)'),
  resolution: z.string().regex(/^\d+x\d+$/, 'expected WIDTHxHEIGHT, e.g. 1280x720').optional(),
  frames: positiveInt.optional(),
  steps: positiveInt.optional(),
  rank: z.enum(['latency', 'throughput', 'headroom']).default('latency'),
  max_latency_s: z.number().positive().optional().describe('latency objective: rank only layouts whose one request takes at most this many seconds'),
  official: z.boolean().default(false).describe('only what the official Wan code runs'),
  inference: InferenceSchema.optional().describe('the scenario\'s inference section (kernels, precision, offload)'),
  deploy: z.union([z.boolean(), z.strictObject({ layout: z.string().describe('a layout of the list, e.g. "ulysses=8,fsdp"') })]).default(false)
    .describe('true: launch commands and a Kubernetes manifest for the best feasible layout; {layout}: for that one'),
});
export type PlanRequest = z.input<typeof PlanRequestSchema>;

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
  /** Layouts that fit. */
  feasible: number;
  /** Layouts that fit and meet max_latency_s: the ranked ones (rank 1 is the pick). */
  ranked: number;
  /** Why none is ranked (with the closest); null when some is. */
  reason: string | null;
  layouts: PlanLayout[];
  deploy?: DeployArtifacts;
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

export function plan(req: PlanRequest): PlanResult {
  const r = parseRequest(PlanRequestSchema, req);
  if (!r.gpu && !r.node) throw new InputError([{ source: 'request', path: 'gpu', message: 'give gpu (a GPU id) or node (a node type)' }]);
  const res = r.resolution ? parseResolution(r.resolution) : undefined;
  const gpu = r.gpu ?? getNode(r.node!).gpu;
  const node = r.node ?? defaultNodeFor(gpu, r.gpus);
  const inf = r.inference;
  const rows = searchPlans({
    model: getModel(r.model), gpu, node: r.node, budget: r.gpus,
    request: { width: res?.width, height: res?.height, frames: r.frames, steps: r.steps },
    objective: r.rank,
    maxLatencyS: r.max_latency_s,
    options: inf ? { attention: inf.attention, dtype: inf.dtype, compile: inf.compile, cfg: inf.cfg, textEncoderOnCpu: inf.text_encoder === 'cpu', sustained: inf.sustained, ...accelerationOptions(inf) } : undefined,
    include: r.official ? { ring: false, tp: false, pipefusion: false, cfg: false, expertSplit: false } : undefined,
  });
  const out: PlanResult = {
    model: r.model, gpu, node, budget: r.gpus, rank: r.rank, evidence: gpuEvidence(gpu) ?? null,
    pick_nearest_held_out: rows.find((x) => x.rank === 1)?.estimate?.nearest_held_out ?? null,
    feasible: rows.filter((x) => x.feasible).length,
    ranked: rows.filter((x) => x.rank !== null).length,
    reason: noPlanReason(rows, r.max_latency_s),
    layouts: rows.map(({ estimate: _e, ...x }) => x),
  };
  if (r.deploy !== false) {
    let row: PlanRow | undefined;
    if (r.deploy === true) row = rows.find((x) => x.rank === 1);
    else {
      const want = formatPlan(parsePlan(r.deploy.layout, 'deploy.layout'));
      row = rows.find((x) => formatPlan(parsePlan(x.parallel)) === want);
      if (!row) throw new InputError([{ source: 'request', path: 'deploy.layout', message: `no layout "${r.deploy.layout}" in this plan`, hint: `layouts: ${rows.filter((x) => x.feasible).slice(0, 8).map((x) => x.parallel).join(', ')}` }]);
    }
    if (!row) throw new InputError([{ source: 'request', path: 'deploy', message: 'no feasible layout to deploy' }]);
    out.deploy = deployForRow(row, r.model, node);
  }
  return out;
}
