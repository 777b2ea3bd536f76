/**
 * The memory-bound kernels around a Wan DiT block's GEMMs and attention, as each runtime writes them. dit.ts
 * builds the block's structure (linears, attention, collectives) and asks one of these styles for every
 * elementwise site: the norm-and-modulate before self-attention and the FFN, the q/k RMSNorm, RoPE, the
 * casts and copies around attention, the gated residual adds, the cross-attention norm and residual, GELU.
 *
 * Styles (the source of each is named at its implementation):
 *  - official   Wan-Video/Wan2.2 model.py under autocast: fp32 residual stream, fp32 LayerNorm + modulation
 *               (4 kernels), autocast's casts before every linear, 7-kernel RMSNorm, float64 complex RoPE,
 *               flash_attention()'s casts and varlen copies. `fused: true` keeps vgsim's uncalibrated
 *               compiled idealisation of this path (every chain one kernel, GELU in the GEMM epilogue).
 *  - diffusers  WanTransformerBlock of diffusers (also run by xDiT, cache-dit and vllm-omni, and written the
 *               same way by FastVideo): bf16 residual stream, each fp32 region entered and left with casts
 *               (.float() … .type_as), real-valued RoPE with float64 frequencies, attention called directly.
 *  - sglang     SGLang Diffusion's Wan block: CuTeDSL LayerNormScaleShift and ScaleResidualLayerNormScaleShift
 *               (residual + gate·x, LayerNorm, scale/shift in one kernel), fused in-place q/k RMSNorm,
 *               FlashInfer in-place RoPE; the FFN's gated residual eager.
 *  - lightx2v   LightX2V's Wan infer (unified BF16): torch LayerNorm + Triton fused scale/shift, in-place
 *               `x.add_(y * gate)`, sgl-kernel RMSNorm, FlashInfer RoPE in fp32.
 *  - lightx2v-2507  the same infer as of July 2025 (its published benchmark): float64 complex RoPE and an
 *               unfused in-place modulate (dit-kernels-lightx2v-2507.ts).
 *  - inductor   torch.compile (inductor, default mode) of a bf16-residual engine: every pointwise/reduction
 *               chain between two GEMMs or attention calls is one generated kernel that reads its inputs and
 *               writes its output once; GEMMs stay cuBLAS calls (no epilogue fusion in the default mode), so
 *               GELU is its own kernel.
 */
import { DTYPE_BYTES, type ElementwiseKind, type StageBuilder } from './ops.ts';
import { lightx2vJuly2025Sites } from './dit-kernels-lightx2v-2507.ts';

export type BlockStyle = 'official' | 'diffusers' | 'sglang' | 'lightx2v' | 'lightx2v-2507' | 'inductor';

const ACT = DTYPE_BYTES.bf16;
const F32 = DTYPE_BYTES.fp32;
const F64 = DTYPE_BYTES.fp64;

type Mem = Parameters<StageBuilder['op']>[1];

export interface SiteContext {
  b: StageBuilder;
  style: BlockStyle;
  /** official only: the compiled idealisation. */
  fused: boolean;
  /** Elements of one [L, d] activation. */
  T: number;
  headDim: number;
  /** Per-token modulation (Wan2.2 code): every scale/shift/gate row is T-sized fp32, not a broadcast row. */
  perTokenModulation: boolean;
  ropeVariant?: 'official' | 'harness';
  tp: number;
}

/** A tensor handed to the next linear, and whether it is fp32 (autocast casts it per call). */
export interface Activation {
  tensor: string;
  fp32: boolean;
}

export interface BlockSites {
  /** Bytes per element of the residual stream x. */
  residualBytes: number;
  /** norm1 / norm2: LayerNorm(x)·(1 + scale) + shift. */
  modulate(name: string, out: string): Activation;
  /** The q/k RMSNorm over `cols` features (across heads). */
  qkNorm(name: string, which: 'q' | 'k', rows: number, cols: number, out: string): void;
  /** RoPE on q or k; returns whether the output is fp32. */
  rope(name: string, which: 'q' | 'k', rows: number, cols: number, out: string): boolean;
  /** Before the (non-sequence-parallel) attention: produce qh, kh, vc from qr, kr, v. */
  attentionInputs(E: number): void;
  /** Before sequence-parallel attention: q/k casts (the official sp_attn_forward halves them). */
  spInputs(E: number): void;
  /** Whether the official flash_attention()'s per-sample k/v gathers (varlen cat) are copies here. */
  varlenCopies: boolean;
  /** After the non-SP attention: the output tensor for the o projection. */
  attentionOutput(out: string, E: number): Activation;
  /** x = x + y·gate (self-attention and FFN); `ffn` marks the FFN's (its own pattern in some engines). */
  gatedResidual(name: string, y: string, ffn: boolean): void;
  /** norm3 before cross-attention. */
  crossNorm(out: string): Activation;
  /** x = x + cross-attention output. */
  crossResidual(y: string): void;
  /** GELU between ffn.0 and ffn.2 (in the GEMM epilogue for the fused idealisation). */
  gelu(h: string, out: string, elems: number): void;
  /** Linear inputs that are fp32 are cast to bf16 per call (autocast, eager). */
  castsLinearInputs: boolean;
}

export function blockSites(c: SiteContext): BlockSites {
  if (c.style === 'lightx2v-2507') return lightx2vJuly2025Sites(c, engineSites({ ...c, style: 'lightx2v' }));
  return c.style === 'official' ? officialSites(c) : engineSites(c);
}

function ewOf(b: StageBuilder) {
  return (name: string, kind: ElementwiseKind, bytes: number, kernels = 1, mem: Mem = {}) =>
    b.op({ kind: 'elementwise', name, ew: kind, bytes, kernels }, mem);
}

/** Replaces the residual x by x.next (the result of a residual add). */
function advanceResidual(b: StageBuilder, bytes: number): void {
  b.alloc('x', bytes, 'residual');
  b.free('x.next');
}

// ---------------------------------------------------------------------------------------------------
// official (Wan-Video/Wan2.2 @42bf4cf wan/modules/model.py, attention.py; see dit.ts's header)

function officialSites(c: SiteContext): BlockSites {
  const { b, T } = c;
  const ew = ewOf(b);
  const fused = c.fused;
  const perToken = c.perTokenModulation;
  return {
    residualBytes: F32,
    castsLinearInputs: !fused,
    varlenCopies: true,
    /** x_mod = LN(x).float() * (1 + e[i]) + e[j]; fp32, 4 kernels (1 fused); e[i], e[j] strided chunks (per-token) or broadcast [B, 1, d] rows. */
    modulate(name, out) {
      if (fused) {
        // one kernel: read x (fp32) and two modulation rows, write bf16 input of the next linear
        ew(name, 'norm', T * (F32 + 2 * F32 + ACT), 1, { outputs: [[out, T * ACT, 'activations']] });
        return { tensor: out, fp32: false };
      }
      ew(`${name}.layer_norm`, 'norm', T * 2 * F32, 1, { outputs: [[`${name}.n`, T * F32, 'activations']] });
      ew(`${name}.one_plus_scale`, perToken ? 'binary_strided' : 'binary', perToken ? T * 2 * F32 : 0, 1, { outputs: [[`${name}.s`, perToken ? T * F32 : 0, 'activations']] });
      ew(`${name}.mul`, perToken ? 'binary' : 'binary_bcast', T * (perToken ? 3 : 2) * F32, 1, { outputs: [[`${name}.m`, T * F32, 'activations']], frees: [`${name}.n`, `${name}.s`] });
      ew(`${name}.add_shift`, perToken ? 'binary_strided' : 'binary_bcast', T * (perToken ? 3 : 2) * F32, 1, { outputs: [[out, T * F32, 'activations']], frees: [`${name}.m`] });
      return { tensor: out, fp32: true };
    },
    /**
     * WanRMSNorm as the official code writes it: x.float(), pow(2), mean(-1), + eps, rsqrt, x * r, type_as(x),
     * * weight (7 kernels). Time: one composite op priced by the profile's measured rms_norm_wan rate; memory:
     * the temporaries in program order. Fused: one kernel.
     */
    qkNorm(name, _which, rows, cols, out) {
      officialRmsNorm(c, name, rows, cols, out);
    },
    /**
     * rope_apply on a [rows, heads, 128] bf16 tensor → fp32, in float64 complex arithmetic. Time: one composite
     * op priced by the profile's measured rope_apply_wan rate. Memory, in program order:
     *  - official (model.py and sequence_parallel.py rope_apply): to(float64) A, A × freqs → B (A freed on
     *    rebinding), cat → C (B freed), stack → D, float() → the fp32 output while C and D are alive;
     *  - harness (calibration/wan_reference.py, a fork's variant): a bf16 clone first, and A stays alive
     *    through the cat. The profile's rope_apply_wan timed this variant, so its clone is in the composite
     *    rate; the official chain (no clone) is priced at the same rate on the same bytes, about 4 of 74
     *    bytes per element (5%) more than its own traffic (not corrected, to keep the official path's pins).
     * Fused: one kernel in fp32.
     */
    rope(name, _which, rows, cols, out) {
      const E = rows * cols;
      if (fused) {
        ew(name, 'complex', E * (ACT + F32), 1, { outputs: [[out, E * F32, 'activations']] });
        return true;
      }
      const freqBytes = rows * c.headDim * F64; // [L, 1, hd/2] complex128
      if (c.ropeVariant === 'harness') {
        // the clone's time is inside the composite rate: the profile timed this harness rope_apply, clone included
        // (profile_gpu.py rope_apply_wan; pricing it again overshot engines_bench.py's rope_apply by 5-6%)
        b.alloc(`${name}.c`, E * ACT, 'rope_temporaries');
        b.alloc(`${name}.x64`, E * F64, 'rope_temporaries');
        b.alloc(`${name}.fr`, freqBytes, 'rope_temporaries');
        b.alloc(`${name}.p`, E * F64, 'rope_temporaries');
        b.free(`${name}.c`, `${name}.fr`);
        b.alloc(`${name}.cat`, E * F64, 'rope_temporaries');
        b.free(`${name}.x64`);
        b.alloc(`${name}.stack`, E * F64, 'rope_temporaries');
        ew(name, 'rope_wan', E * (ACT + F32), 10, { outputs: [[out, E * F32, 'activations']], frees: [`${name}.p`, `${name}.cat`, `${name}.stack`] });
        return true;
      }
      b.alloc(`${name}.x64`, E * F64, 'rope_temporaries');
      b.alloc(`${name}.fr`, freqBytes, 'rope_temporaries');
      b.alloc(`${name}.p`, E * F64, 'rope_temporaries');
      b.free(`${name}.x64`, `${name}.fr`);
      b.alloc(`${name}.cat`, E * F64, 'rope_temporaries');
      b.free(`${name}.p`);
      b.alloc(`${name}.stack`, E * F64, 'rope_temporaries');
      ew(name, 'rope_wan', E * (ACT + F32), 10, { outputs: [[out, E * F32, 'activations']], frees: [`${name}.cat`, `${name}.stack`] });
      return true;
    },
    // flash_attention(q, k, v, k_lens=seq_lens): q → bf16 (fp32 after RoPE); k and v are gathered per sample
    // (torch.cat of u[:len]: a copy) and k cast to bf16
    attentionInputs(E) {
      if (!fused) {
        ew('self_attn.q_to_bf16', 'cast_down', E * (F32 + ACT), 1, { outputs: [['qh', E * ACT, 'activations']] });
        ew('self_attn.k_varlen_cat', 'copy', E * 2 * F32, 1, { outputs: [['kc', E * F32, 'activations']] });
        ew('self_attn.k_to_bf16', 'cast_down', E * (F32 + ACT), 1, { outputs: [['kh', E * ACT, 'activations']], frees: ['kc'] });
        ew('self_attn.v_varlen_cat', 'copy', E * 2 * ACT, 1, { outputs: [['vc', E * ACT, 'activations']] });
      } else {
        b.alloc('qh', 0, 'activations');
        b.alloc('kh', 0, 'activations');
        b.alloc('vc', 0, 'activations');
      }
    },
    // sp_attn_forward: distributed_attention(half(q), half(k), half(v), seq_lens)
    spInputs(E) {
      if (!fused) {
        ew('self_attn.q_to_bf16', 'cast_down', E * (F32 + ACT), 1, { outputs: [['qh', E * ACT, 'activations']] });
        ew('self_attn.k_to_bf16', 'cast_down', E * (F32 + ACT), 1, { outputs: [['kh', E * ACT, 'activations']] });
      } else {
        b.alloc('qh', 0, 'activations');
        b.alloc('kh', 0, 'activations');
      }
    },
    attentionOutput(out, E) {
      if (fused) return { tensor: out, fp32: false };
      // x.type(out_dtype): back to fp32 because q was fp32
      ew('self_attn.out_to_fp32', 'cast_up', E * (ACT + F32), 1, { outputs: [['attn_out32', E * F32, 'activations']], frees: [out] });
      return { tensor: 'attn_out32', fp32: true };
    },
    /** x = x + y * e[gate] under autocast(fp32): 2 kernels (1 fused); bf16 y × an fp32 strided or broadcast gate. */
    gatedResidual(name, y) {
      if (fused) {
        ew(name, 'binary', T * (ACT + F32 + 2 * F32), 1, { outputs: [['x.next', T * F32, 'residual']], frees: [y, 'x'] });
      } else {
        ew(`${name}.gate_mul`, perToken ? 'binary_cast_strided' : 'binary_cast_bcast', T * (ACT + (perToken ? 2 : 1) * F32), 1, { outputs: [[`${name}.g`, T * F32, 'activations']], frees: [y] });
        ew(`${name}.add`, 'binary', T * 3 * F32, 1, { outputs: [['x.next', T * F32, 'residual']], frees: [`${name}.g`, 'x'] });
      }
      advanceResidual(b, T * F32);
    },
    // norm3 is an affine LayerNorm; no modulation
    crossNorm(out) {
      if (fused) ew('norm3', 'norm', T * (F32 + ACT), 1, { outputs: [[out, T * ACT, 'activations']] });
      else ew('norm3', 'norm', T * 2 * F32, 1, { outputs: [[out, T * F32, 'activations']] });
      return { tensor: out, fp32: !fused };
    },
    crossResidual(y) {
      ew('cross_attn.residual', 'binary', T * (ACT + 2 * F32), 1, { outputs: [['x.next', T * F32, 'residual']], frees: [y, 'x'] });
      advanceResidual(b, T * F32);
    },
    gelu(h, out, elems) {
      if (!fused) ew('ffn.gelu', 'activation', elems * 2 * ACT, 1, { outputs: [[out, elems * ACT, 'activations']], frees: [h] });
      else {
        b.alloc(out, 0, 'activations');
        b.free(h);
      }
    },
  };
}

function officialRmsNorm(c: SiteContext, name: string, rows: number, cols: number, out: string): void {
  const { b } = c;
  const E = rows * cols;
  if (c.tp > 1) {
    // q/k RMSNorm is across all heads ("rms_norm_across_heads"): TP needs the sum of squares of every shard
    b.op({ kind: 'collective', name: `${name}.tp_allreduce_stats`, collective: 'allreduce', bytes: rows * F32, comm: 'tp' });
  }
  if (c.fused && c.style === 'official') {
    ewOf(b)(name, 'norm', E * (ACT + ACT), 1, { outputs: [[out, E * ACT, 'activations']] });
    return;
  }
  b.alloc(`${name}.f`, E * F32, 'activations');
  b.alloc(`${name}.sq`, E * F32, 'activations');
  b.free(`${name}.sq`);
  b.alloc(`${name}.n`, E * F32, 'activations');
  b.free(`${name}.f`);
  b.alloc(`${name}.nb`, E * ACT, 'activations');
  b.free(`${name}.n`);
  ewOf(b)(name, 'rmsnorm_wan', E * (ACT + ACT), 7, { outputs: [[out, E * ACT, 'activations']], frees: [`${name}.nb`] });
}

// ---------------------------------------------------------------------------------------------------
// serving engines: bf16 residual stream

/** Sources of the engine styles (repository@commit:path:line), shown by `vgsim list engines`. */
export const STYLE_SOURCES: Record<Exclude<BlockStyle, 'official'>, string> = {
  diffusers:
    'huggingface/diffusers@58eb52c:src/diffusers/models/transformers/transformer_wan.py:488-502 (block forward: .float() … .type_as, FP32LayerNorm), :104-115 (real-valued RoPE), :375 (float64 frequencies), :208-209 (torch.nn.RMSNorm q/k), :549 (rope kept out of the bf16 cast); hao-ai-lab/FastVideo@2f3d407:fastvideo/models/dits/wanvideo.py:393-431 (the same pattern, eager ScaleResidualLayerNormScaleShift)',
  sglang:
    'lm-sys/lm-sys.github.io@d4de1c5:blog/2026-02-16-sglang-diffusion-advanced-optimizations.md §6 (CuTeDSL LayerNormScaleShift, ScaleResidualLayerNormScaleShift); lm-sys/lm-sys.github.io@01313de:blog/2026-01-16-sglang-diffusion.md "Kernel Improvements" (fused in-place QK norm, FlashInfer in-place RoPE); sgl-project/sglang@417c1050:python/sglang/multimodal_gen/runtime/models/dits/wanvideo.py (block structure, eager FFN residual)',
  'lightx2v-2507':
    'ModelTC/LightX2V@a10e7462:lightx2v/models/networks/wan/infer/utils.py:7-20 (compute_freqs, complex128), :107-115 (apply_rotary_emb in float64), infer/transformer_infer.py:329-334 and :481-484 (LayerNorm, then mul_/add_ in place), :345-359 (freqs once per block, RoPE on q and k)',
  lightx2v:
    'ModelTC/LightX2V@f8aee98:lightx2v/models/networks/wan/infer/transformer_infer.py:41-42 (Triton fuse_scale_shift), :284-298 (norm1 + modulate), :389 and :502 (x.add_(y * gate)), :309-313 (q/k norm, RoPE on q and k together), :445 (x.add_(attn_out)); lightx2v/models/networks/wan/weights/transformer_weights.py:107 (sgl-kernel RMSNorm), :365 (FlashInfer RoPE, fp32 compute)',
  inductor:
    'torch.compile default mode: inductor fuses pointwise and reduction chains into generated kernels and calls cuBLAS for matmuls (no epilogue fusion outside max-autotune); engines: xdit-project/xDiT@175e0bf:xfuser/model_executor/models/runner_models/base_model.py:400-460, ModelTC/LightX2V@f8aee98:lightx2v/common/transformer_infer/transformer_infer.py:9-33, diffusers _repeated_blocks (transformer_wan.py:551)',
};

function engineSites(c: SiteContext): BlockSites {
  const { b, T } = c;
  const ew = ewOf(b);
  const s = c.style;
  // scale/shift (or gate) rows read by a modulating kernel: two T-sized fp32 rows with per-token modulation
  const modRows = c.perTokenModulation ? 2 * T * F32 : 0;
  const gateRows = c.perTokenModulation ? T * F32 : 0;
  /** norm+modulate outputs produced early by a fused residual kernel (SGLang), taken by the next site. */
  const ready = new Set<string>();
  /** The op that writes the new residual (and, fused, the next norm's output `also`). */
  const newResidual = (name: string, kind: ElementwiseKind, bytes: number, kernels: number, frees: string[], also?: string) => {
    const outputs: [string, number, string][] = [['x.next', T * ACT, 'residual']];
    if (also) outputs.push([also, T * ACT, 'activations']);
    ew(name, kind, bytes, kernels, { outputs, frees: [...frees, 'x'] });
    advanceResidual(b, T * ACT);
  };
  return {
    residualBytes: ACT,
    castsLinearInputs: false,
    varlenCopies: false,
    modulate(name, out) {
      if (ready.delete(out)) return { tensor: out, fp32: false };
      if (s === 'diffusers') {
        // (norm(x.float()) * (1 + scale) + shift).type_as(x): cast up, LayerNorm, 1+scale, mul, add, cast down
        ew(`${name}.to_fp32`, 'cast_up', T * (ACT + F32), 1, { outputs: [[`${name}.xf`, T * F32, 'activations']] });
        ew(`${name}.layer_norm`, 'norm', T * 2 * F32, 1, { outputs: [[`${name}.n`, T * F32, 'activations']], frees: [`${name}.xf`] });
        ew(`${name}.one_plus_scale`, 'binary', T * 2 * F32, 1, { outputs: [[`${name}.s`, T * F32, 'activations']] });
        ew(`${name}.mul`, 'binary', T * 3 * F32, 1, { outputs: [[`${name}.m`, T * F32, 'activations']], frees: [`${name}.n`, `${name}.s`] });
        ew(`${name}.add_shift`, 'binary', T * 3 * F32, 1, { outputs: [[`${name}.a`, T * F32, 'activations']], frees: [`${name}.m`] });
        ew(`${name}.type_as`, 'cast_down', T * (F32 + ACT), 1, { outputs: [[out, T * ACT, 'activations']], frees: [`${name}.a`] });
      } else if (s === 'lightx2v') {
        // phase.norm1.apply(x) (torch LayerNorm, bf16) then the Triton fuse_scale_shift kernel (carried per SM elsewhere: sm-bound-carry.ts)
        ew(`${name}.layer_norm`, 'norm', T * 2 * ACT, 1, { outputs: [[`${name}.n`, T * ACT, 'activations']] });
        b.op({ kind: 'elementwise', name: `${name}.scale_shift`, ew: 'binary', bytes: T * 2 * ACT + modRows, kernels: 1, triton: true }, { outputs: [[out, T * ACT, 'activations']], frees: [`${name}.n`] });
      } else {
        // sglang LayerNormScaleShift (CuTeDSL, fp32 compute) / inductor: one kernel, x in, modulated bf16 out
        ew(name, 'norm', T * 2 * ACT + modRows, 1, { outputs: [[out, T * ACT, 'activations']] });
      }
      return { tensor: out, fp32: false };
    },
    qkNorm(name, which, rows, cols, out) {
      const E = rows * cols;
      if (c.tp > 1) b.op({ kind: 'collective', name: `${name}.tp_allreduce_stats`, collective: 'allreduce', bytes: rows * F32, comm: 'tp' });
      if (s === 'diffusers') {
        // torch.nn.RMSNorm: PyTorch's composite rms_norm (upcast, pow, mean, add eps, rsqrt, mul, weight, cast)
        // — the same chain as WanRMSNorm, priced by the same measured composite rate (inferred equivalence)
        officialRmsNorm({ ...c, fused: false, tp: 1 }, name, rows, cols, out);
      } else if (s === 'sglang') {
        // one fused in-place kernel normalises q and k together, issued once both exist
        b.alloc(out, E * ACT, 'activations');
        if (which === 'k') ew('self_attn.norm_qk_fused', 'norm', 2 * E * 2 * ACT, 1);
      } else {
        ew(name, 'norm', E * 2 * ACT, 1, { outputs: [[out, E * ACT, 'activations']] });
      }
    },
    rope(name, which, rows, cols, out) {
      const E = rows * cols;
      if (s === 'diffusers') {
        // out[..., 0::2] = x1·cos − x2·sin; out[..., 1::2] = x1·sin + x2·cos with float64 cos/sin:
        // 4 multiplies (bf16 × fp64 → fp64, half the elements each), a sub and an add in fp64, two strided
        // assignments into the bf16 output
        const half = E / 2;
        const freq = rows * (c.headDim / 2) * F64;
        ew(`${name}.mul`, 'binary', 4 * (half * (ACT + F64) + freq), 4, { outputs: [[out, E * ACT, 'activations'], [`${name}.p`, 3 * half * F64, 'rope_temporaries']] });
        ew(`${name}.add_sub`, 'binary', 2 * half * 3 * F64, 2);
        ew(`${name}.interleave`, 'cast_down', 2 * half * (F64 + ACT), 2, { frees: [`${name}.p`] });
        return false;
      }
      if (s === 'inductor') {
        ew(name, 'complex', E * 2 * ACT + rows * c.headDim * F32, 1, { outputs: [[out, E * ACT, 'activations']] });
        return false;
      }
      // FlashInfer apply_rope_with_cos_sin_cache_inplace: q and k in one kernel, fp32 cos/sin cache
      b.alloc(out, E * ACT, 'activations');
      if (which === 'k') ew('self_attn.rope_qk_flashinfer', 'complex', 2 * E * 2 * ACT + rows * c.headDim * F32, 1);
      return false;
    },
    attentionInputs() {
      // q, k, v handed to the kernel as they are (bf16 [B, L, H, D] views)
      b.alloc('qh', 0, 'activations');
      b.alloc('kh', 0, 'activations');
      b.alloc('vc', 0, 'activations');
    },
    spInputs() {
      b.alloc('qh', 0, 'activations');
      b.alloc('kh', 0, 'activations');
    },
    attentionOutput(out) {
      return { tensor: out, fp32: false };
    },
    gatedResidual(name, y, ffn) {
      if (s === 'diffusers') {
        // (x.float() + y[.float()] * gate).type_as(x)
        const yf = ffn ? `${name}.yf` : y;
        ew(`${name}.x_to_fp32`, 'cast_up', T * (ACT + F32), 1, { outputs: [[`${name}.xf`, T * F32, 'activations']] });
        if (ffn) ew(`${name}.y_to_fp32`, 'cast_up', T * (ACT + F32), 1, { outputs: [[yf, T * F32, 'activations']], frees: [y] });
        ew(`${name}.gate_mul`, 'binary', T * ((ffn ? F32 : ACT) + 2 * F32), 1, { outputs: [[`${name}.g`, T * F32, 'activations']], frees: [yf] });
        ew(`${name}.add`, 'binary', T * 3 * F32, 1, { outputs: [[`${name}.s`, T * F32, 'activations']], frees: [`${name}.g`, `${name}.xf`] });
        newResidual(`${name}.type_as`, 'cast_down', T * (F32 + ACT), 1, [`${name}.s`]);
      } else if (s === 'lightx2v') {
        // x.add_(y * gate) in bf16: a multiply and an in-place add
        ew(`${name}.gate_mul`, 'binary', T * 2 * ACT + gateRows, 1, { outputs: [[`${name}.g`, T * ACT, 'activations']], frees: [y] });
        newResidual(`${name}.add_`, 'binary', T * 3 * ACT, 1, [`${name}.g`]);
      } else if (s === 'sglang' && !ffn) {
        // ScaleResidualLayerNormScaleShift: residual + gate·x, then norm3 (affine LayerNorm) in the same kernel
        newResidual(name, 'norm', T * 4 * ACT + gateRows, 1, [y], 'xn3');
        ready.add('xn3');
      } else if (s === 'sglang') {
        // ScaleResidual (eager): residual + x·gate in fp32, then .to(bf16)
        ew(`${name}.gate_mul`, 'binary', T * (ACT + 2 * F32), 1, { outputs: [[`${name}.g`, T * F32, 'activations']], frees: [y] });
        ew(`${name}.add`, 'binary', T * (ACT + 2 * F32), 1, { outputs: [[`${name}.s`, T * F32, 'activations']], frees: [`${name}.g`] });
        newResidual(`${name}.to_bf16`, 'cast_down', T * (F32 + ACT), 1, [`${name}.s`]);
      } else {
        newResidual(name, 'binary', T * 3 * ACT + gateRows, 1, [y]);
      }
    },
    crossNorm(out) {
      if (ready.delete(out)) return { tensor: out, fp32: false };
      if (s === 'diffusers') {
        // norm2(x.float()).type_as(x) (FP32LayerNorm, affine)
        ew('norm3.to_fp32', 'cast_up', T * (ACT + F32), 1, { outputs: [['norm3.xf', T * F32, 'activations']] });
        ew('norm3', 'norm', T * 2 * F32, 1, { outputs: [['norm3.n', T * F32, 'activations']], frees: ['norm3.xf'] });
        ew('norm3.type_as', 'cast_down', T * (F32 + ACT), 1, { outputs: [[out, T * ACT, 'activations']], frees: ['norm3.n'] });
      } else {
        ew('norm3', 'norm', T * 2 * ACT, 1, { outputs: [[out, T * ACT, 'activations']] });
      }
      return { tensor: out, fp32: false };
    },
    crossResidual(y) {
      if (s === 'sglang') {
        // ScaleResidualLayerNormScaleShift (gate 1): x + y, then norm2 and the FFN's scale/shift in one kernel
        newResidual('cross_attn.residual_norm2_modulate', 'norm', T * 4 * ACT + modRows, 1, [y], 'xf');
        ready.add('xf');
        return;
      }
      newResidual('cross_attn.residual', 'binary', T * 3 * ACT, 1, [y]);
    },
    gelu(h, out, elems) {
      ew('ffn.gelu', 'activation', elems * 2 * ACT, 1, { outputs: [[out, elems * ACT, 'activations']], frees: [h] });
    },
  };
}
