/**
 * LightX2V's Wan block as its July 2025 code wrote it (ModelTC/LightX2V@a10e7462, the commit of its published
 * H200/RTX 4090 benchmark, docs/EN/source/getting_started/benchmark_source.md, 2025-07-19), where it differs
 * from the current `lightx2v` style (dit-kernels.ts). Two sites change; the rest (sgl-kernel q/k RMSNorm,
 * `x.add_(y * gate)`, torch LayerNorm for norm3, torch GELU) is the same code:
 *
 *  - RoPE: lightx2v/models/networks/wan/infer/utils.py:107-115 apply_rotary_emb(q) and (k), each
 *    `view_as_complex(x.to(float64))`, × freqs_i (complex128), view_as_real, cat, `.to(bfloat16)`, after
 *    compute_freqs (utils.py:7-20: a cat of three expanded complex128 tables into [L, 1, 64]) once per block
 *    (infer/transformer_infer.py:345-359). This is the official Wan rope_apply chain (model.py: to(float64),
 *    complex multiply, cat, stack, float) with the frequency table built once per block instead of per call and
 *    a bf16 instead of an fp32 result and no stack: it runs at the measured composite rate of that chain
 *    (`rope_wan`: calibration/profiles rope_apply_wan, timed on calibration/wan_reference.py's rope_apply) for
 *    the fraction of its passes' traffic it keeps (ROPE_2507_TRAFFIC). The FlashInfer in-place RoPE of the
 *    current style arrived in ModelTC/LightX2V@a1c610d7 (2025-11-27).
 *  - norm + modulate: `weights.norm1.apply(x)` (torch LayerNorm, bf16), then `norm1_out.mul_(1 + scale)
 *    .add_(shift)` — two in-place bf16 passes (transformer_infer.py:329-334, and :481-484 for norm2) instead of
 *    the Triton fuse_scale_shift kernel (ModelTC/LightX2V@f831f394, 2025-11-27).
 */
import { DTYPE_BYTES } from './ops.ts';
import type { BlockSites, SiteContext } from './dit-kernels.ts';

const ACT = DTYPE_BYTES.bf16;
const F32 = DTYPE_BYTES.fp32;
const F64 = DTYPE_BYTES.fp64;
/** RoPE frequencies per token: head_dim / 2 complex128 values (utils.py compute_freqs → [L, 1, 64]). */
const complexPerToken = (headDim: number) => (headDim / 2) * 2 * F64;

/**
 * Bytes per element of q (or k) that each chain's passes read and write, and their ratio. rope_apply as
 * profiled (wan_reference.py): clone 2+2, to(float64) 2+8, complex multiply 8+8, cat 8+8, stack 8+8,
 * float() 8+4 = 74. LightX2V July 2025: to(float64) 2+8, multiply 8+8, cat 8+8, to(bfloat16) 8+2 = 52. The
 * [L, 1, 64] complex128 frequency table (1/40 of an element's traffic per head) is left out of both.
 * Held-out check: engines_bench.py `rope` times both chains (src/perf/engine-kernels.ts).
 */
export const ROPE_2507_TRAFFIC = 52 / 74;

/** The current LightX2V sites (`base`) with the July 2025 RoPE and modulation. */
export function lightx2vJuly2025Sites(c: SiteContext, base: BlockSites): BlockSites {
  const { b, T } = c;
  const modRows = c.perTokenModulation ? 2 * T * F32 : 0;
  return {
    ...base,
    modulate(name, out) {
      // torch LayerNorm (bf16 in, bf16 out), then mul_(1 + scale) and add_(shift) in place on its output
      b.op({ kind: 'elementwise', name: `${name}.layer_norm`, ew: 'norm', bytes: T * 2 * ACT, kernels: 1 }, { outputs: [[out, T * ACT, 'activations']] });
      b.op({ kind: 'elementwise', name: `${name}.mul_scale`, ew: 'binary', bytes: T * 2 * ACT + modRows / 2, kernels: 1 });
      b.op({ kind: 'elementwise', name: `${name}.add_shift`, ew: 'binary', bytes: T * 2 * ACT + modRows / 2, kernels: 1 });
      return { tensor: out, fp32: false };
    },
    rope(name, which, rows, cols, out) {
      const E = rows * cols;
      // compute_freqs: once per block, before q's RoPE; kept until k's RoPE is done
      if (which === 'q') {
        b.op({ kind: 'elementwise', name: 'self_attn.compute_freqs', ew: 'copy', bytes: 2 * rows * complexPerToken(c.headDim), kernels: 1 }, { outputs: [['rope.freqs_i', rows * complexPerToken(c.headDim), 'rope_temporaries']] });
      }
      // x.to(float64) A; A × freqs_i → B; cat([B, x[L:]]) → C (B freed on rebinding); C.to(bf16) the output
      b.alloc(`${name}.x64`, E * F64, 'rope_temporaries');
      b.alloc(`${name}.p`, E * F64, 'rope_temporaries');
      b.free(`${name}.x64`);
      b.alloc(`${name}.cat`, E * F64, 'rope_temporaries');
      b.free(`${name}.p`);
      const frees = which === 'k' ? [`${name}.cat`, 'rope.freqs_i'] : [`${name}.cat`];
      // the official chain's nominal bytes (its composite rate is per nominal byte) × the traffic this chain keeps
      b.op({ kind: 'elementwise', name, ew: 'rope_wan', bytes: E * (ACT + F32) * ROPE_2507_TRAFFIC, kernels: 4 }, { outputs: [[out, E * ACT, 'activations']], frees });
      return false;
    },
  };
}
