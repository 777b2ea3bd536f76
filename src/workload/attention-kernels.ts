/**
 * An attention call as operators: the kernel and, for the quantised kernels, the passes that prepare its
 * inputs on every call (they are not inside the kernel, and the kernels' published speeds exclude them).
 *
 *  - sage2 (thu-ml/SageAttention@d1a57a5:sageattention/core.py, sageattn_qk_int8_pv_fp8_cuda_sm90, ~lines
 *    920-990): smooth_k = k.mean over the sequence (a reduction over K); per_thread_int8_triton quantises Q and
 *    K (K minus its mean) to INT8 with per-thread scales (two Triton kernels, read bf16, write int8); V is
 *    padded to a multiple of 128 tokens with torch.cat — a full copy of V whenever kv_len % 128 ≠ 0 (Wan's
 *    32,760 and 75,600 tokens both); per_channel_fp8 transposes and pads V (transpose_pad_permute_cuda, a
 *    copy) and quantises it to FP8 with per-channel scales (two CUDA kernels, one op here); then the fused
 *    kernel. The INT8 and FP8 kernels are priced at their own measured rates (perf/sage-input-rates.ts).
 *  - sage1 (sageattn_qk_int8_pv_fp16_triton, the same file ~lines 160-330): smooth_k as above, V cast to fp16
 *    (v.to(torch.float16): a copy of V in PyTorch's non-vectorised loop, the model's activations being bf16),
 *    per_block_int8 quantises Q and K (read bf16, write int8; its measured rate); the Triton kernel takes V in
 *    fp16 as it is (no padding, transpose or FP8 pass).
 *  - fa3-fp8 as xDiT calls it (xdit-project/xDiT@175e0bf:xfuser/core/distributed/attention_backend.py:606-640):
 *    per_tensor_quant of each of Q, K, V, one eager op per kernel, each at the rate of its kind: x.to(float32)
 *    (a widening cast), torch.abs (an fp32 unary pass, the copy rate), .max() (a full reduction to one scalar,
 *    perf/full-reduction.ts), / dtypeMax on that scalar (one launch), x / scale (the scale is a 0-dim CUDA
 *    tensor: PyTorch's non-vectorised loop, as in block-groups.ts perTensorDynamicEager), .to(float8_e4m3fn)
 *    (a narrowing cast; scale.expand(...).to(float32) is a view and a no-op cast); then permute(...).contiguous()
 *    of each (an fp8 copy), then FA3 with descales. The fp32 copy and its abs are alive together: a workspace of
 *    two fp32 copies while the tensor is quantised. Checked (held out) by engines_bench.py
 *    xdit_fa3_fp8_input_passes.
 *  - sparse attention (radial, sliding-tile, SVG, ...): the dense kernel on a fraction `density` of the
 *    query-key blocks (time ∝ density at the kernel's own rate: an assumption — block-sparse kernels run
 *    somewhat below the dense kernel's efficiency, not measured here).
 *  - Video Sparse Attention (`vsa`, engines/sparse-attention.ts), as FastVideo's VSA backend and the vsa
 *    package's video_sparse_attn (V1, mid-2025) run it: tile() of q, k, v and the gate — a zero-filled padded
 *    buffer and an index gather each; q, k, v transpose(1, 2).contiguous(); per tile the mean of q, k and v
 *    (.float() — an fp32 copy — then sum over the tile); the coarse attention over tiles in eager torch
 *    (two batched matmuls, the scale and the softmax on tiles²) and its output repeated to every token; topk of
 *    the tile scores and the boolean mask; the fine block-sparse kernel on the top-k tiles at
 *    VSA_FINE_EFFICIENCY of the dense kernel's rate; out_coarse × gate + out_fine (two passes); untile's two
 *    index gathers back to the token order.
 */
import { DTYPE_BYTES, type AttentionOp, type StageBuilder } from './ops.ts';
import { VSA_FINE_EFFICIENCY, type VsaLayout } from './vsa.ts';

const ACT = DTYPE_BYTES.bf16;
const F32 = DTYPE_BYTES.fp32;

/** One attention call: the attention operator's shape and kernel, `count` calls of it in a row (ring attention's steps). */
export type AttentionCall = Pick<AttentionOp, 'name' | 'batch' | 'heads' | 'lq' | 'lk' | 'headDim' | 'kernel' | 'density'> & Partial<Pick<AttentionOp, 'count'>> & {
  /** Video Sparse Attention's tiling (its own chain of operators instead of the dense kernel). */
  vsa?: VsaLayout;
};

/** SageAttention pads V to a multiple of this many tokens (core.py: v_pad_len = 128 - kv_len % 128). */
export const SAGE_V_BLOCK = 128;

/**
 * The memory-bound passes around one attention call, each run `count` times: `ew` adds one (named under the
 * call), `tmp` names a tensor it creates (of `category`), `done` frees those tensors after the kernel.
 */
function callPasses(b: StageBuilder, a: AttentionCall, category: string) {
  const n = a.count ?? 1;
  const temps: string[] = [];
  const ew = (name: string, kind: 'reduce' | 'reduce_full' | 'cast_down' | 'copy' | 'cast_up' | 'binary' | 'sage_int8_qk_thread' | 'sage_int8_qk_block' | 'sage_fp8_v', bytes: number, kernels: number, outputs: [string, number][] = [], o: { strided?: boolean; workspace?: number } = {}) =>
    b.op({ kind: 'elementwise', name: `${a.name}.${name}`, ew: kind, bytes, kernels, count: n, ...(o.strided ? { strided: true } : {}) }, { outputs: outputs.map(([t, by]) => [t, by, category]), ...(o.workspace ? { workspace: o.workspace } : {}) });
  const tmp = (t: string) => {
    temps.push(`${a.name}.${t}`);
    return `${a.name}.${t}`;
  };
  const done = () => {
    if (temps.length) b.free(...temps);
  };
  return { n, ew, tmp, done };
}

export function attentionCall(b: StageBuilder, a: AttentionCall, mem: Parameters<StageBuilder['op']>[1]): void {
  if (a.vsa) return vsaAttention(b, { ...a, vsa: a.vsa }, mem);
  const q = a.batch * a.heads * a.lq * a.headDim; // elements of Q (and of the output)
  const kv = a.batch * a.heads * a.lk * a.headDim; // elements of K, and of V
  const { n, ew, tmp, done } = callPasses(b, a, 'attention_quant');
  let dtype: 'bf16' | 'int8' | 'fp8' = 'bf16';
  if (a.kernel === 'sage1') {
    dtype = 'int8';
    ew('sage_smooth_k', 'reduce', kv * ACT, 1);
    // bf16 → fp16 is none of the conversions PyTorch's copy vectorises (aten/src/ATen/native/cuda/Copy.cu
    // direct_copy_kernel_cuda: float ↔ bf16/half, int → long, bool → long): the generic dynamic-casting loop
    ew('sage_v_fp16', 'copy', 2 * kv * ACT, 1, [[tmp('v_fp16'), kv * ACT]], { strided: true });
    ew('sage_quant_qk', 'sage_int8_qk_block', (q + kv) * (ACT + 1), 2, [[tmp('q_int8'), q], [tmp('k_int8'), kv]]);
  } else if (a.kernel === 'sage2') {
    dtype = 'int8';
    ew('sage_smooth_k', 'reduce', kv * ACT, 1);
    ew('sage_quant_qk', 'sage_int8_qk_thread', (q + kv) * (ACT + 1), 2, [[tmp('q_int8'), q], [tmp('k_int8'), kv]]);
    const pad = a.lk % SAGE_V_BLOCK === 0 ? 0 : SAGE_V_BLOCK - (a.lk % SAGE_V_BLOCK);
    const vPadded = a.batch * a.heads * (a.lk + pad) * a.headDim;
    if (pad > 0) ew('sage_pad_v', 'copy', (kv + vPadded) * ACT, 1, [[tmp('v_pad'), vPadded * ACT]]);
    // per_channel_fp8: the transposed, padded copy (alive while it is quantised) and the FP8 pass, two kernels
    ew('sage_quant_v', 'sage_fp8_v', 2 * vPadded * ACT + vPadded * (ACT + 1), 2, [[tmp('v_fp8'), vPadded]], { workspace: vPadded * ACT });
  } else if (a.kernel === 'fa3-fp8') {
    dtype = 'fp8';
    for (const [t, elems] of [['q', q], ['k', kv], ['v', kv]] as const) {
      const fp32Copies = 2 * elems * F32; // x.to(float32) and its abs (then x / scale) alive at once
      ew(`fp8_quant_${t}.to_fp32`, 'cast_up', elems * (ACT + F32), 1, [], { workspace: fp32Copies });
      ew(`fp8_quant_${t}.abs`, 'copy', 2 * elems * F32, 1);
      ew(`fp8_quant_${t}.max`, 'reduce_full', elems * F32, 1);
      ew(`fp8_quant_${t}.scale`, 'copy', 2 * F32, 1);
      ew(`fp8_quant_${t}.divide`, 'binary', 2 * elems * F32, 1, [], { strided: true });
      ew(`fp8_quant_${t}.cast`, 'cast_down', elems * (F32 + 1), 1, [[tmp(`${t}_fp8`), elems]]);
      ew(`fp8_contiguous_${t}`, 'copy', elems * 2, 1);
    }
  }
  b.op({ kind: 'attention', name: a.name, batch: a.batch, heads: a.heads, lq: a.lq, lk: a.lk, headDim: a.headDim, kernel: a.kernel, dtype, ...(a.density !== undefined && a.density < 1 ? { density: a.density } : {}), count: n }, mem);
  done();
}

/** Video Sparse Attention's chain (see the header): `a.lq` tokens per sample, gate included. */
function vsaAttention(b: StageBuilder, a: AttentionCall & { vsa: VsaLayout }, mem: Parameters<StageBuilder['op']>[1]): void {
  const { tiles: N, topk, paddedTokens: Lp } = a.vsa;
  const bh = a.batch * a.heads;
  const E = bh * a.lq * a.headDim; // elements of q (and of k, v, the gate, the output) before padding
  const Ep = bh * Lp * a.headDim; // after padding every tile to 64 tokens
  const scores = bh * N * N; // tile-pair scores per call
  const { n, ew, tmp, done } = callPasses(b, a, 'activations');
  /** A pass whose output tensor is named after it. */
  const made = (name: string, kind: 'copy' | 'binary', bytes: number, out: number) => ew(name, kind, bytes, 1, [[tmp(name), out]]);
  for (const t of ['q', 'k', 'v', 'gate']) {
    made(`vsa_tile_${t}.zeros`, 'copy', Ep * ACT, Ep * ACT); // torch.zeros of the padded buffer
    ew(`vsa_tile_${t}.gather`, 'copy', 2 * E * ACT, 1); // x_padded[:, non_pad_index] = x[:, tile_partition_indices]
  }
  for (const t of ['q', 'k', 'v']) made(`vsa_transpose_${t}`, 'copy', 2 * Ep * ACT, Ep * ACT);
  for (const t of ['q', 'k', 'v']) {
    ew(`vsa_pool_${t}.float`, 'cast_up', Ep * (ACT + F32), 1, [], { workspace: Ep * F32 }); // .float(): an fp32 copy, freed after the sum
    ew(`vsa_pool_${t}.sum`, 'reduce', Ep * F32 + bh * N * a.headDim * F32, 1);
  }
  // coarse attention over the tiles (eager: q_c @ k_cᵀ, scale, softmax, @ v_c)
  b.op({ kind: 'gemm', name: `${a.name}.vsa_coarse_scores`, m: N, n: N, k: a.headDim, dtype: 'bf16', batch: bh, count: n });
  ew('vsa_coarse_scale', 'copy', 2 * scores * ACT, 1);
  ew('vsa_coarse_softmax', 'reduce', 2 * scores * ACT, 1);
  b.op({ kind: 'gemm', name: `${a.name}.vsa_coarse_out`, m: N, n: a.headDim, k: N, dtype: 'bf16', batch: bh, count: n });
  made('vsa_coarse_repeat', 'copy', Ep * ACT, Ep * ACT);
  ew('vsa_topk', 'reduce', scores * ACT + bh * N * topk * 8, 1);
  ew('vsa_block_mask', 'copy', 2 * scores, 1);
  // the fine stage: block-sparse attention on the chosen tiles of the padded sequence
  b.op({ kind: 'attention', name: a.name, batch: a.batch, heads: a.heads, lq: Lp, lk: Lp, headDim: a.headDim, kernel: a.kernel, dtype: 'bf16', density: topk / N, efficiency: VSA_FINE_EFFICIENCY, count: n }, { outputs: [[tmp('vsa_fine'), Ep * ACT, 'activations']] });
  made('vsa_gate_mul', 'binary', 3 * Ep * ACT, Ep * ACT);
  ew('vsa_add', 'binary', 3 * Ep * ACT, 1);
  // untile: x[:, non_pad_index][:, reverse_tile_partition_indices] on the transposed-back output
  made('vsa_untile_unpad', 'copy', 2 * E * ACT, E * ACT);
  b.op({ kind: 'elementwise', name: `${a.name}.vsa_untile_order`, ew: 'copy', bytes: 2 * E * ACT, kernels: 1, count: n }, mem);
  done();
}
