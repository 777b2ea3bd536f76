/**
 * One DiT forward of LTX-Video (2B / 13B) as operators, following the official code
 * (Lightricks/LTX-Video@5260738:ltx_video/models/transformers/transformer3d.py:204-500, attention.py:38-330,
 * 918-1100):
 *
 *  - bf16 weights and activations; `batch` = the conditions of the step (1 + CFG + STG, batched);
 *  - patchify (a rearrange copy) and proj_in Linear(128 → d): one token per latent voxel (patch 1);
 *  - RoPE tables over the whole inner dim, computed each forward in fp32 from the fractional pixel
 *    coordinates and cast to bf16 (transformer3d.py:204-257): [batch, N, d] cos and sin;
 *  - AdaLayerNormSingle on the per-sample timestep (sinusoid → d → d → 6d) and the caption projection
 *    (4096 → d → d, GELU-tanh) of the 256 T5 tokens;
 *  - per block (attention.py:198-330): RMSNorm (no affine, fp32 inside) + scale/shift, self-attention (q/k/v
 *    with bias, RMSNorm over the full inner dim on q and k, RoPE in bf16 — negate/stack copy and two products
 *    — SDPA without mask, transpose + reshape copy, to_out), gated residual; cross-attention to the caption
 *    (q from the video rows, k/v from the 256 caption rows, q/k RMSNorm, SDPA with the padding mask as an
 *    additive bias: the memory-efficient kernel), ungated residual; RMSNorm + scale/shift, FF d → 4d → d
 *    (GELU-tanh), gated residual;
 *  - final LayerNorm + scale/shift, proj_out d → 128, unpatchify.
 * STG's "attention_values" blend (attention.py:1079-1084) is left out: a few passes over the attention output
 * of the perturbed blocks, next to the dozens of passes per block priced here.
 *
 * Context parallel (diffusers' _cp_plan for LTXVideoTransformer3DModel: sequence split, gather at proj_out):
 * video rows split over the group, Ulysses all-to-alls of q/k/v and the output of the self-attention.
 */
import type { DitForward, DitForwardOptions } from '../dit.ts';
import type { LtxDitSpec } from './specs.ts';
import { ACT, F32, forwardFrame } from './dit-kit.ts';

export function buildLtxForward(dit: LtxDitSpec, o: DitForwardOptions): DitForward {
  const { k, b, P, B, Nl, R, T, L, heads, hd, split, wBytes } = forwardFrame(dit, o);
  const d = dit.dim;
  const f = dit.ffnDim;
  const blockWeightBytes = split.blocks[0]!.params * wBytes;
  // masked attention (the caption padding mask): flash cannot take a mask; cuDNN can when asked for
  const maskedKernel = o.kernel === 'cudnn' ? 'cudnn' : 'efficient';

  if (o.weightsResident) b.alloc('weights', split.total * wBytes, 'weights');

  b.section('embed');
  k.ew('patchify', 'copy', 2 * R * dit.inChannels * F32, 1);
  let x = k.linear('proj_in', R, d, dit.inChannels);
  // precompute_freqs_cis: fp32 products, cos, sin, repeat_interleave, padding, cast to bf16 (about 8 passes)
  k.ew('rope.precompute_freqs_cis', 'complex', R * d * (4 * F32 + 4 * ACT), 8, { outputs: [['freqs_cos', R * d * ACT, 'rope_tables'], ['freqs_sin', R * d * ACT, 'rope_tables']] });
  b.section('time_embedding');
  const t1 = k.linear('adaln_single.linear_1', B, d, dit.freqDim);
  const t2 = k.linear('adaln_single.linear_2', B, d, d, [t1]);
  const temb = k.linear('adaln_single.linear', B, 6 * d, d, [t2]);
  const c1 = k.linear('caption_projection.linear_1', T, d, dit.textDim);
  const cg = k.gelu('caption_projection.gelu', T * d, [c1]);
  const ctx = k.linear('caption_projection.linear_2', T, d, d, [cg]);

  b.section('block', dit.layers);
  const E = R * d;
  const n1 = k.rmsNorm('norm1', E);
  const m1 = k.modulate('norm1.scale_shift', n1, E, [n1]);
  const q0 = k.linear('attn1.to_q', R, d, d);
  const k0 = k.linear('attn1.to_k', R, d, d);
  const v = k.linear('attn1.to_v', R, d, d, [m1]);
  const qn = k.rmsNorm('attn1.q_norm', E, [q0]);
  const kn = k.rmsNorm('attn1.k_norm', E, [k0]);
  const q = k.ropeBf16('attn1.rope_q', E, [qn]);
  const kk = k.ropeBf16('attn1.rope_k', E, [kn]);
  let a1: string;
  if (P > 1) {
    const u = o.ulysses;
    const recv = [q, kk, v].map((t, i) => (u > 1 ? k.allToAll(`attn1.ulysses.all_to_all_${'qkv'[i]}`, E, [t]) : t));
    const a = k.attention('attn1.attention', { batch: B, heads, lq: Nl * u, lk: Nl * P, headDim: hd }, recv);
    a1 = u > 1 ? k.allToAll('attn1.ulysses.all_to_all_out', E, [a]) : a;
  } else {
    a1 = k.attention('attn1.attention', { batch: B, heads, lq: Nl, lk: Nl, headDim: hd }, [q, kk, v]);
  }
  const a1r = k.cat('attn1.transpose_reshape', E, [a1]);
  const o1 = k.linear('attn1.to_out', R, d, d, [a1r]);
  // the block's input stays bound in the caller (`hidden_states = block(hidden_states, ...)`, transformer3d.py;
  // families_reference.py:546) until the block returns
  const xIn = x;
  x = k.gatedResidual('attn1.residual', x, o1, E, true, { residual: true });
  // cross-attention: q from the video rows, k/v from the projected caption rows
  const cq0 = k.linear('attn2.to_q', R, d, d);
  const cq = k.rmsNorm('attn2.q_norm', E, [cq0]);
  const ck0 = k.linear('attn2.to_k', T, d, dit.crossDim);
  const ck = k.rmsNorm('attn2.k_norm', T * d, [ck0]);
  const cv = k.linear('attn2.to_v', T, d, dit.crossDim);
  const a2 = k.attention('attn2.attention', { batch: B, heads: dit.heads, lq: Nl, lk: L, headDim: hd, kernel: maskedKernel }, [cq, ck, cv]);
  const a2r = k.cat('attn2.transpose_reshape', E, [a2]);
  const o2 = k.linear('attn2.to_out', R, d, d, [a2r]);
  x = k.gatedResidual('attn2.residual', x, o2, E, false);
  const n2 = k.rmsNorm('norm2', E);
  const m2 = k.modulate('norm2.scale_shift', n2, E, [n2]);
  // ff_output = self.ff(norm_hidden_states) (attention.py BasicTransformerBlock): the FF input is a local until
  // the block returns (families_reference.py:513: the call's argument, alive until ff returns)
  const h = k.linear('ff.proj_in', R, f, d);
  const g = k.gelu('ff.gelu', R * f, [h]);
  const y = k.linear('ff.proj_out', R, d, f, [g, m2]);
  x = k.gatedResidual('ff.residual', x, y, E);
  b.free(xIn);

  b.section('head');
  const nf = k.layerNorm('norm_out', x, E);
  const mf = k.modulate('norm_out.scale_shift', nf, E, [nf]);
  const out = k.linear('proj_out', R, dit.outChannels, d, [mf]);
  if (P > 1) b.op({ kind: 'collective', name: 'sp.all_gather_output', collective: 'allgather', bytes: R * P * dit.outChannels * ACT, comm: 'sp' });
  k.ew('unpatchify', 'copy', 2 * R * P * dit.outChannels * ACT, 1);
  b.free(out, x, temb, ctx, 'freqs_cos', 'freqs_sin');
  return { builder: b, blockWeightBytes, localTokens: Nl };
}
