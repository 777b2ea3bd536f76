/**
 * `estimate` by ids and plain values: what `vgsim estimate --json` and POST /api/estimate compute. The body is
 * validated by EstimateRequestSchema, whose `inference` section is the scenario's own InferenceSchema.
 */
import { z } from 'zod';
import type { Estimate } from '../perf/estimate.ts';
import { InferenceSchema } from '../scenario/schema.ts';
import { PostprocessSchema } from '../scenario/postprocess-schema.ts';
import { parseRequest, requestSourced } from './request-issues.ts';
import { runEstimate } from './estimate-run.ts';
import { MAX_BATCH, MAX_OVERSUBSCRIPTION } from '../input-bounds.ts';
import { thousands } from '../units.ts';

const positiveInt = z.number().int().positive();

export const EstimateRequestSchema = z.strictObject({
  model: z.string().default('').describe('model id (GET /api/models); or give official'),
  official: z.string().optional().describe('an official launch line ("torchrun --nproc_per_node=8 generate.py --task t2v-A14B --size 1280*720 --ulysses_size 8 --dit_fsdp --t5_fsdp"): sets model, size, GPUs, plan and weights as generate.py would'),
  gpu: z.string().optional().describe('GPU id (GET /api/gpus); or give node'),
  node: z.string().optional().describe('node type (GET /api/nodes); default: the catalog node for the GPU'),
  gpus: positiveInt.optional().describe('GPUs in the replica (default: what parallel needs)'),
  parallel: z.string().default('none').describe('parallel plan, e.g. "ulysses=8,fsdp"'),
  nodes: positiveInt.optional().describe('spread the replica evenly over this many nodes'),
  gpus_per_node: positiveInt.optional().describe('use only this many GPUs of each node'),
  fabric: z.string().optional().describe('inter-node link id'),
  oversubscription: z.number().min(1).max(MAX_OVERSUBSCRIPTION, `at most ${MAX_OVERSUBSCRIPTION}:1 (fabrics are built 1:1 to about 4:1)`).default(1),
  resolution: z.string().regex(/^\d+x\d+$/, 'expected WIDTHxHEIGHT, e.g. 1280x720').optional(),
  frames: positiveInt.optional(),
  steps: positiveInt.optional(),
  batch: positiveInt.max(MAX_BATCH, `at most ${thousands(MAX_BATCH)} videos in one forward (more than any serving engine batches)`).default(1),
  guidance: z.boolean().optional().describe('classifier-free guidance (two DiT passes per step); default: the model\'s (true except HunyuanVideo, whose guidance is distilled)'),
  image: z.boolean().optional().describe('image-to-video request for ti2v models (VAE-encodes the reference image)'),
  inference: InferenceSchema.default(InferenceSchema.parse({})).describe('the scenario\'s inference section: attention, dtype, compile, cfg, offload, text_encoder, sustained, power_limit_w, fp32_matmul, weight_dtype, host_dispatch_us'),
  postprocess: PostprocessSchema.optional().describe('post-processing after the VAE decode on this replica (the scenario\'s workload.mix[].postprocess)'),
  /** A GPU profile file (the HTTP API opens it only inside the folders its file policy allows: serve/file-policy.ts). */
  profile: z.string().optional(),
});
export type EstimateRequest = z.input<typeof EstimateRequestSchema>;
export type ValidEstimateRequest = z.output<typeof EstimateRequestSchema>;

/** Time, memory and energy of one request; the body is validated first (throws InputError with every problem). */
export function estimate(req: EstimateRequest): Estimate {
  return requestSourced(() => runEstimate(parseRequest(EstimateRequestSchema, req)));
}
