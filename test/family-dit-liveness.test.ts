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

  it('CogVideoX block: the norm1 output, the processor\'s cat and q/k/v stay bound through diffusers\' RoPE — 13 units at its x_rotated · sin', () => {
    const dit = model('cogvideox1.5-5b');
    const N = 11 * 48 * 85; // latent 21x96x170 → 22 frames / 2, patch 2x2x2
    const S = N + 226;
    const U = S * 3072 * 2;
    const p = peakOf(dit, N);
    // block input 1 + norm1 output 1 (block locals until norm2) + the processor's cat 1 (until SDPA rebinds it) + q 1
    // + k 1 + v 1, and apply_rotary_emb on the N video rows of q: x_rotated (bf16, a local) + x·cos, x_rotated.float()
    // and x_rotated·sin (fp32) = 7 N-row units; before: 12 units (norm1 output and the cat freed early, RoPE in
    // fp32 throughout); the FF GELU (12 units) comes next
    const rope = 2 * N * 64 * 4;
    expect(p.at).toMatch(/^attn1\.rope_q\.mul_sin/);
    near(p.bytes, 6 * U + 7 * N * 3072 * 2 + rope);
  });

  it('HunyuanVideo-1.5 double block: img_modulated, q/k/v and attn stay bound (block locals) — 16 units at the img MLP GELU', () => {
    const dit = model('hunyuan-video-1.5-480p');
    const N = 31 * 30 * 53; // latent 31x30x53, patch 1
    const L = 1000 + 256 + 729; // LLM, byT5 and vision rows of the text stream
    const X = N * 2048 * 2;
    const Y = L * 2048 * 2;
    const p = peakOf(dit, N);
    // caller's img 1 + new img 1 + img_modulated 1 + img_q 1 + img_k 1 + img_v 1 + attn (video rows) 1 + the MLP
    // input 1 + fc1 4 + gelu 4 = 16 X (img_attn is a view at batch 1); text stream: caller's txt, txt_modulated,
    // txt_q, txt_k, txt_v, attn's text rows = 6 Y; RoPE cos and sin fp32 [N, 128]. Before: 12 X at the image RoPE
    const rope = 2 * N * 128 * 4;
    expect(p.at).toMatch(/^img_mlp\.gelu/);
    near(p.bytes, 16 * X + 6 * Y + rope);
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
