/**
 * Peak memory of the family DiT forwards as the Python code holds its tensors (src/workload/families/*.ts):
 * a block's input stays bound in the caller until the block returns, a module call's argument until the call
 * returns, and a block's locals until it returns (no autograd under no_grad, so nothing else keeps them).
 * Each case hand-counts the tensors live at the peak in units of one bf16 [rows, dim] tensor, at the token
 * counts of calibration/families/h200-l4.json, one block of each kind (the per-block peak does not depend on
 * depth), single GPU, bf16, no compile.
 */
import { describe, expect, it } from 'vitest';
import { MODELS, type FamilyModel } from '../src/workload/models.ts';
import { reducedDepthModel } from '../src/workload/families/depth-config.ts';
import { buildFamilyDitForward } from '../src/workload/families/stages.ts';
import type { FamilyDitSpec } from '../src/workload/families/specs.ts';

const model = (id: string) => reducedDepthModel(MODELS.find((m) => m.id === id) as FamilyModel, 1, MODELS).dit as FamilyDitSpec;
const peakOf = (dit: FamilyDitSpec, tokens: number) =>
  buildFamilyDitForward(dit, { tokens, batch: 1, kernel: 'cudnn', linearDtype: 'bf16', fused: false, ulysses: 1, ring: 1, tp: 1, weightsResident: false }).builder.peakMemory();
/** Equal up to the batch-row tensors (modulation vectors, time embeddings: kilobytes) left out of the hand counts. */
const near = (got: number, want: number) => expect(Math.abs(got / want - 1)).toBeLessThan(2e-4);

describe('family DiT forwards: tensors live at the peak as the code holds them', () => {
  it('HunyuanVideo single block: x_mod (fp32 under autocast), q/k and the dual-stream img/txt stay bound — 23 units at cat(attn, mlp)', () => {
    const dit = model('hunyuan-video');
    const N = 33 * 45 * 80; // latent 33x90x160, patch 1x2x2
    const S = N + 256;
    const U = S * 3072 * 2;
    const p = peakOf(dit, N);
    // x 1 + img,txt 1 (models.py:670,686) + x_mod fp32 2 (models.py:338) + linear1 7 (3d + 4d) + q 1 + k 1 (cats,
    // models.py:358-359) + attention out 1 + gelu(mlp) 4 + cat 5; before: 18 (img/txt, x_mod, q, k freed early)
    const rope = 2 * N * 128 * 4;
    expect(p.at).toMatch(/^single\.cat_attn_mlp/);
    near(p.bytes, 23 * U + rope);
  });

  it('CogVideoX block: the block input, to_out output and FF input stay bound — 12 units at the FF GELU', () => {
    const dit = model('cogvideox1.5-5b');
    const N = 11 * 48 * 85; // latent 21x96x170 → 22 frames / 2, patch 2x2x2
    const S = N + 226;
    const U = S * 3072 * 2;
    const p = peakOf(dit, N);
    // new x 1 + block input 1 + to_out output 1 + FF input (the cat) 1 + proj_in 4 + gelu 4; before: 9 at the GELU
    // (and the peak at the fp32 RoPE on q, which also comes to about 12 units)
    const rope = 2 * N * 64 * 4;
    near(p.bytes, 12 * U + rope);
    expect(p.at).toMatch(/^ff\.gelu/);
  });

  it('Mochi block: the block inputs, x_attn and the MLP input stay bound — peak at the SwiGLU gate', () => {
    const dit = model('mochi-1');
    const N = 28 * 30 * 53; // latent 28x60x106, patch 1x2x2
    const T = 256;
    const X = N * 3072 * 2; // one bf16 [N, 3072]
    const h = 8192 / 3072;
    const p = peakOf(dit, N);
    // video stream: new x 1 + block input 1 + x_attn 1 + x_mod 1 + w1 2h + silu h + silu·gate h (in X units);
    // text stream (T rows of 1536): new y, block input y, y_attn; RoPE cos and sin fp32 [N, 24, 64] each.
    // Before: 12.67 X at this op (block input, x_attn and x_mod freed early)
    const text = 3 * T * 1536 * 2;
    const rope = N * 3072 * 4;
    expect(p.at).toMatch(/^mlp_x\.mul_gate/);
    near(p.bytes, (4 + 4 * h) * X + text + rope);
  });

  it('LTX-Video block: the block input and the FF input stay bound — 11 units at the FF GELU', () => {
    const dit = model('ltx-video-2b');
    const N = 16 * 22 * 38;
    const X = N * 2048 * 2;
    const p = peakOf(dit, N);
    // new x 1 + block input 1 + FF input 1 + proj_in 4 + gelu 4 (before: 9); bf16 cos/sin tables [N, 2048] 2;
    // the caption projection (256 x 2048 bf16) lives through the blocks
    const ctx = 256 * 2048 * 2;
    expect(p.at).toMatch(/^ff\.gelu/);
    near(p.bytes, 11 * X + 2 * X + ctx);
  });
});
