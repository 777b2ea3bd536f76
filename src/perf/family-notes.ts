/**
 * What an estimate of a non-Wan model should say about how it was priced: the assumptions that differ from
 * Wan's calibrated path (attention head dims the profile did not measure, prompt-length upper bounds, the
 * LTX schedule's inferred shift, where parallel modes come from).
 */
import type { AttentionKernel } from '../workload/ops.ts';
import type { ModelSpec } from '../workload/models.ts';
import type { ParallelPlan } from '../parallel/plan.ts';

export function familyNotes(model: ModelSpec, plan: ParallelPlan, kernel: AttentionKernel): string[] {
  const notes: string[] = [];
  if (model.dit.headDim !== 128) {
    // head dim 64 was timed on an H200 for cuDNN and SageAttention2 (calibration/engines/h200-sage-shapes.json): cuDNN within 3%
    const checked = model.dit.headDim === 64 && (kernel === 'cudnn' || kernel === 'sage2') ? `checked at head dim 64 on an H200 for ${kernel === 'cudnn' ? 'cuDNN' : 'SageAttention2'}, calibration/engines/h200-sage-shapes.json` : 'not measured here';
    notes.push(`${model.name}: attention at head dim ${model.dit.headDim}: the profile's head-dim-128 rate scaled by the FA3 paper's head-dim-${model.dit.headDim < 128 ? 64 : 256}/128 ratio for ${kernel === 'sage2' || kernel === 'sage1' ? 'the Sage kernel\'s reference (cuDNN on Hopper, FlashAttention-2 before)' : 'the kernel'} (${checked})`);
  }
  if (model.family === 'hunyuan-video' || model.family === 'mochi') {
    notes.push(`${model.name}: the prompt is taken at its full ${model.dit.textLen} text tokens (an upper bound: the code attends over the valid tokens only)`);
  }
  if (model.family === 'ltx-video' && model.sampler.passes && model.sampler.passes.length > 1) {
    notes.push(`${model.name}: per-step CFG/STG batch from the scheduler the repository maps the diffusers release to (SD3 shift, terminal 0.1); the checkpoint's own scheduler metadata was not read`);
  }
  if (plan.ulysses * plan.ring > 1) notes.push(`${model.name}: sequence parallel as ${model.parallel.source.split(';')[0]}`);
  if (kernel === 'fa2' && model.attention === 'fa2') notes.push(`${model.name}: attention by FlashAttention-2 as its code calls it (measured flash curve)`);
  return notes;
}
