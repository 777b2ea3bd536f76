/**
 * An attention call as operators: the kernel and, for the quantised kernels, the passes that prepare its
 * inputs on every call (they are not inside the kernel, and the kernels' published speeds exclude them).
 *
 *  - sage2 (thu-ml/SageAttention@d1a57a5:sageattention/core.py, sageattn_qk_int8_pv_fp8_cuda_sm90, ~lines
 *    920-990): smooth_k = k.mean over the sequence (a reduction over K); per_thread_int8_triton quantises Q and
 *    K (K minus its mean) to INT8 with per-thread scales (two Triton kernels, read bf16, write int8); V is
 *    padded to a multiple of 128 tokens with torch.cat — a full copy of V whenever kv_len % 128 ≠ 0 (Wan's
 *    32,760 and 75,600 tokens both); per_channel_fp8 transposes and pads V (transpose_pad_permute_cuda, a
 *    copy) and quantises it to FP8 with per-channel scales; then the fused kernel.
 *  - fa3-fp8 as xDiT calls it (xdit-project/xDiT@175e0bf:xfuser/core/distributed/attention_backend.py:606-640):
 *    per_tensor_quant of each of Q, K, V, one eager op per kernel, each at the rate of its kind: x.to(float32)
 *    (a widening cast), torch.abs (an fp32 unary pass, the copy rate), .max() (a full reduction to one scalar,
 *    perf/full-reduction.ts), / dtypeMax on that scalar (one launch), x / scale (the scale is a 0-dim CUDA
 *    tensor: PyTorch's non-vectorised loop, as in block-groups.ts perTensorDynamicEager), .to(float8_e4m3fn)
 *    (a narrowing cast; scale.expand(...).to(float32) is a view and a no-op cast); then permute(...).contiguous()
 *    of each (an fp8 copy), then FA3 with descales. The fp32 copy and its abs are alive together: a workspace of
 *    two fp32 copies while the tensor is quantised. Checked (held out) by engines_bench.py
 *    xdit_fa3_fp8_input_passes.
 *  - sparse attention (radial, sliding-tile, SVG, VSA, ...): the dense kernel on a fraction `density` of the
 *    query-key blocks (time ∝ density at the kernel's own rate: an assumption — block-sparse kernels run
 *    somewhat below the dense kernel's efficiency, not measured here).
 */
import { DTYPE_BYTES, type AttentionOp, type StageBuilder } from './ops.ts';

const ACT = DTYPE_BYTES.bf16;
const F32 = DTYPE_BYTES.fp32;

/** One attention call: the attention operator's shape and kernel, `count` calls of it in a row (ring attention's steps). */
export type AttentionCall = Pick<AttentionOp, 'name' | 'batch' | 'heads' | 'lq' | 'lk' | 'headDim' | 'kernel' | 'density'> & Partial<Pick<AttentionOp, 'count'>>;

/** SageAttention pads V to a multiple of this many tokens (core.py: v_pad_len = 128 - kv_len % 128). */
export const SAGE_V_BLOCK = 128;

export function attentionCall(b: StageBuilder, a: AttentionCall, mem: Parameters<StageBuilder['op']>[1]): void {
  const q = a.batch * a.heads * a.lq * a.headDim; // elements of Q (and of the output)
  const kv = a.batch * a.heads * a.lk * a.headDim; // elements of K, and of V
  const n = a.count ?? 1;
  const ew = (name: string, kind: 'reduce' | 'reduce_full' | 'cast_down' | 'copy' | 'cast_up' | 'binary', bytes: number, kernels: number, outputs: [string, number][] = [], o: { strided?: boolean; workspace?: number } = {}) =>
    b.op({ kind: 'elementwise', name: `${a.name}.${name}`, ew: kind, bytes, kernels, count: n, ...(o.strided ? { strided: true } : {}) }, { outputs: outputs.map(([t, by]) => [t, by, 'attention_quant']), ...(o.workspace ? { workspace: o.workspace } : {}) });
  const temps: string[] = [];
  const tmp = (t: string) => {
    temps.push(`${a.name}.${t}`);
    return `${a.name}.${t}`;
  };
  let dtype: 'bf16' | 'int8' | 'fp8' = 'bf16';
  if (a.kernel === 'sage2') {
    dtype = 'int8';
    ew('sage_smooth_k', 'reduce', kv * ACT, 1);
    ew('sage_quant_qk', 'cast_down', (q + kv) * (ACT + 1), 2, [[tmp('q_int8'), q], [tmp('k_int8'), kv]]);
    const pad = a.lk % SAGE_V_BLOCK === 0 ? 0 : SAGE_V_BLOCK - (a.lk % SAGE_V_BLOCK);
    const vPadded = a.batch * a.heads * (a.lk + pad) * a.headDim;
    if (pad > 0) ew('sage_pad_v', 'copy', (kv + vPadded) * ACT, 1, [[tmp('v_pad'), vPadded * ACT]]);
    ew('sage_v_transpose', 'copy', 2 * vPadded * ACT, 1, [[tmp('v_t'), vPadded * ACT]]);
    ew('sage_quant_v', 'cast_down', vPadded * (ACT + 1), 1, [[tmp('v_fp8'), vPadded]]);
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
  if (temps.length) b.free(...temps);
}
