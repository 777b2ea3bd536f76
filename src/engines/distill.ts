/**
 * Distilled few-step Wan models: the steps and the CFG of a request become properties of the weights. A
 * distill changes no operator of a forward (same architecture, same shapes), only how many forwards run.
 */
import type { ModelSpec } from '../workload/models.ts';

export interface DistillPreset {
  id: 'lightx2v-4step' | 'lightning-4step' | 'fastwan-3step';
  name: string;
  steps: number;
  /** Classifier-free guidance distilled away: one forward per step. */
  cfg: false;
  /** Base models that have such weights. */
  models: readonly string[];
  source: string;
}

export const DISTILLS: readonly DistillPreset[] = [
  {
    id: 'lightx2v-4step',
    name: 'LightX2V StepDistill-CfgDistill (4 steps, no CFG)',
    steps: 4,
    cfg: false,
    models: ['wan2.1-t2v-14b', 'wan2.1-i2v-14b', 'wan2.2-t2v-a14b', 'wan2.2-i2v-a14b'],
    source: 'ModelTC/LightX2V@f8aee98:docs/EN/source/method_tutorials/step_distill.md (4 steps [1000,750,500,250], shift 5, enable_cfg false); lightx2v/Wan2.1-Distill-Models, Wan2.2-Distill-Models (LightX2V README model list)',
  },
  {
    id: 'lightning-4step',
    name: 'Wan2.2-Lightning NFE4 (4 steps, guidance 1.0: uncond skipped)',
    steps: 4,
    cfg: false,
    models: ['wan2.2-t2v-a14b', 'wan2.2-i2v-a14b'],
    source: 'ModelTC/Wan2.2-Lightning@92efeb4:wan/configs/wan_t2v_A14B.py:34-37, wan_i2v_A14B.py:34-37 (4 steps, guide (1.0, 1.0), shift 5)',
  },
  {
    id: 'fastwan-3step',
    name: 'FastWan DMD (3 steps, no CFG)',
    steps: 3,
    cfg: false,
    models: ['wan2.1-t2v-1.3b', 'wan2.1-t2v-14b', 'wan2.2-ti2v-5b'],
    source: 'https://hao-ai-lab.github.io/FastVideo/distillation/dmd.html (FastWan2.1-T2V-1.3B, FastWan2.1-T2V-14B-480P, FastWan2.2-TI2V-5B: 3-step DMD [1000,757,522])',
  },
];

export type DistillId = DistillPreset['id'];

export function getDistill(id: string): DistillPreset | undefined {
  return DISTILLS.find((d) => d.id === id);
}

/** Why a distill does not apply to a model (undefined: it does). */
export function distillProblem(d: DistillPreset, model: ModelSpec): string | undefined {
  return d.models.includes(model.id) ? undefined : `${d.name} exists for ${d.models.join(', ')}, not ${model.id}`;
}
