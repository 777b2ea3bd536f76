/**
 * Which parallel plans exist for a model: the modes its public inference code implements
 * (ModelSpec.parallel, with sources in the zoo) and the family-specific limits of that code. plan.ts adds
 * these problems to its generic rules, and the plan search only proposes layouts that pass them.
 */
import type { ModelSpec } from '../workload/models.ts';
import type { ParallelPlan } from './plan.ts';

export function supportProblems(plan: ParallelPlan, model: ModelSpec): string[] {
  const s = model.parallel;
  const out: string[] = [];
  const missing = (what: string) => out.push(`${model.name}'s public inference code has no ${what} (${s.source})`);
  if (plan.ulysses > 1 && !s.ulysses) missing('Ulysses sequence parallelism');
  if (plan.ring > 1 && !s.ring) missing('ring attention');
  if (plan.tp > 1 && !s.tp) missing('tensor parallelism');
  if (plan.pipefusion > 1 && !s.pipefusion) missing('PipeFusion');
  if (plan.cfg === 2 && !s.cfg) missing(model.sampler.guidance === 'embedded' ? 'CFG parallelism (its guidance is distilled: one forward per step)' : 'CFG parallelism');
  if (plan.fsdp && !s.fsdp) missing('FSDP weight sharding (weights are replicated on every GPU)');
  if (plan.offload && !s.offload) missing('model offload between stages');
  if (plan.cpuOffload && !s.cpuOffload) missing('sequential CPU offload');
  if (plan.vae === 'patch' && !s.vaeSplit) missing('split VAE decode');
  if (!s.t5.includes(plan.t5)) missing(`text encoder placement t5=${plan.t5}`);
  const group = plan.ulysses * plan.ring * plan.tp * plan.pipefusion * plan.cfg;
  // single-GPU-only offload paths
  if (model.family === 'hunyuan-video' && plan.cpuOffload && group > 1) out.push(`${model.name}: --use-cpu-offload is single-GPU only (Tencent/HunyuanVideo@fa14b00:hyvideo/inference.py:161-162)`);
  if (model.family === 'mochi' && plan.offload && group > 1) out.push(`${model.name}: --cpu_offload is single-GPU only (genmoai/mochi@0c86aeb:demos/cli.py:50-55)`);
  return out;
}

/**
 * The parallel modes a non-Wan model's public inference code does not have, one phrase each, for `plan` to say why
 * it offers no such layout (the search never builds them: studies/plan-search.ts candidatePlans); empty for Wan,
 * whose layouts outside an engine's code plan lists as what-ifs with the reason.
 */
export function modesNotOffered(model: ModelSpec): string[] {
  if (model.family === 'wan') return [];
  const s = model.parallel;
  const out: string[] = [];
  if (!s.ulysses) out.push('Ulysses');
  if (!s.ring) out.push('ring attention');
  if (!s.cfg) out.push(model.defaults.guidance ? 'CFG parallel' : 'CFG parallel (its guidance is distilled: one forward per step)');
  if (!s.fsdp) out.push('FSDP');
  if (!s.tp) out.push('tensor parallel');
  if (!s.pipefusion) out.push('PipeFusion');
  if (!s.offload) out.push('model offload');
  if (!s.cpuOffload) out.push('sequential CPU offload');
  return out;
}

/** "not offered: FSDP, tensor parallel, …: not in <model>'s public inference code (<source>)", or null where nothing is left out. */
export function notOfferedLine(model: ModelSpec): string | null {
  const modes = modesNotOffered(model);
  return modes.length ? `${modes.join(', ')}: not in ${model.name}'s public inference code (${model.parallel.source})` : null;
}
