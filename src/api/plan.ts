/**
 * `plan` by ids: every layout of a model on a GPU budget, ranked (one document, planDocument: what `vgsim plan
 * --json` prints, POST /api/plan returns and plan.json holds), and the deploy artifacts of the best feasible layout (or a named one) on request.
 */
import { z } from 'zod';
import { searchPlans, type PlanRow } from '../studies/plan-search.ts';
import { getGpu, getNode } from '../hardware/catalog.ts';
import { defaultNodeFor } from '../perf/layout.ts';
import { formatPlan, parsePlan } from '../parallel/plan.ts';
import { getModel } from '../workload/request.ts';
import { InferenceSchema } from '../scenario/schema.ts';
import { parseResolution } from '../units.ts';
import { InputError } from '../errors.ts';
import { parseRequest, requestSourced } from './request-issues.ts';
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
  official: z.boolean().default(false).describe('list only the layouts the engine\'s own code runs for the model (the official Wan code by default); without it vgsim\'s what-if layouts are listed unranked with the reason (none is ever picked)'),
  inference: InferenceSchema.optional().describe('the scenario\'s inference section (kernels, precision, offload)'),
  deploy: z.union([z.boolean(), z.strictObject({ layout: z.string().describe('a layout of the list, e.g. "ulysses=8,fsdp"') })]).default(false)
    .describe('true: launch commands and a Kubernetes manifest for the best feasible layout; {layout}: for that one'),
});
export type PlanRequest = z.input<typeof PlanRequestSchema>;

// the document and deploy parts (no zod: `vgsim plan` imports them without the request schema)
import { deployForRow, planDocument, type PlanResult } from './plan-document.ts';
export { planCaveats, planEvidenceLines, planDocument, deployForRow, type PlanLayout, type PlanResult } from './plan-document.ts';

export function plan(req: PlanRequest): PlanResult {
  return requestSourced(() => planOf(req));
}

function planOf(req: PlanRequest): PlanResult {
  const r = parseRequest(PlanRequestSchema, req);
  if (!r.gpu && !r.node) throw new InputError([{ source: 'request', path: 'gpu', message: 'give gpu (a GPU id) or node (a node type)' }]);
  const res = r.resolution ? parseResolution(r.resolution) : undefined;
  // the catalog id (an alias such as "h100" found no evidence: "h100: NO measured profile")
  const gpu = r.gpu !== undefined ? getGpu(r.gpu).id : getNode(r.node!).gpu;
  const node = r.node ?? defaultNodeFor(gpu, r.gpus);
  const inf = r.inference;
  const rows = searchPlans({
    model: getModel(r.model), gpu, node: r.node, budget: r.gpus,
    request: { width: res?.width, height: res?.height, frames: r.frames, steps: r.steps },
    objective: r.rank,
    maxLatencyS: r.max_latency_s,
    options: inf ? { attention: inf.attention, dtype: inf.dtype, compile: inf.compile, cfg: inf.cfg, textEncoderOnCpu: inf.text_encoder === 'cpu', sustained: inf.sustained, ...accelerationOptions(inf) } : undefined,
    whatIfs: !r.official,
  });
  const out = planDocument({ model: r.model, gpu, node, budget: r.gpus, rank: r.rank, maxLatencyS: r.max_latency_s, engine: inf?.engine }, rows);
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
