/**
 * `vgsim plan` for the non-Wan families: the layouts are what each model's public inference code runs (ModelSpec.parallel),
 * the output says which modes it leaves out and why, and the code's own low-memory path is tried before "none fits".
 */
import { describe, expect, it } from 'vitest';
import { plan } from '../src/api/plan.ts';
import { runVgsim } from '../src/docs/readme-commands.ts';

describe('plan for a family', () => {
  it('says which parallel modes its public code lacks and where that was read (HunyuanVideo: no CFG parallel, no FSDP, …)', () => {
    const hv = plan({ model: 'hunyuan-video', gpu: 'h100-sxm', gpus: 8 });
    expect(hv.not_offered).toMatch(/^CFG parallel \(its guidance is distilled: one forward per step\), FSDP, tensor parallel, PipeFusion, model offload: not in HunyuanVideo's public inference code \(Tencent\/HunyuanVideo@/);
    // no layout uses a mode it names
    expect(hv.layouts.some((l) => /cfg=2|fsdp|tp=|pipefusion=|(^|,)offload/.test(l.parallel))).toBe(false);
    expect(plan({ model: 'ltx-video-13b', gpu: 'h100-sxm', gpus: 8 }).not_offered).toMatch(/^CFG parallel, FSDP, /);
    // Wan's layouts outside the official code are listed as what-ifs with the reason: no such line
    expect(plan({ model: 'wan2.1-t2v-1.3b', gpu: 'h100-sxm', gpus: 2 }).not_offered).toBeNull();
    const text = runVgsim('plan --model cogvideox-5b --gpu h100-sxm --gpus 2 --top 1').output;
    expect(text).toMatch(/^not offered: FSDP, tensor parallel, PipeFusion: not in CogVideoX-5B's public inference code/m);
  });
  it('tries the family\'s own sequential CPU offload on one GPU before calling it out of memory (HunyuanVideo on one L40S had no recommendation)', () => {
    const hv = plan({ model: 'hunyuan-video', gpu: 'l40s', gpus: 1 });
    expect(hv.feasible).toBe(true);
    expect(hv.layouts[0]).toMatchObject({ parallel: 'cpu-offload', rank: 1 });
    // where the layout fits as it is, it stays as it is
    expect(plan({ model: 'hunyuan-video', gpu: 'h100-sxm', gpus: 1 }).layouts.map((l) => l.parallel)).toEqual(['none']);
    // a family without it in its code keeps the OOM (LTX-Video: no sequential CPU offload)
    expect(plan({ model: 'ltx-video-13b', gpu: 'l4', gpus: 1 }).layouts.some((l) => l.parallel === 'cpu-offload')).toBe(false);
  });
});
