/**
 * One DiT forward of a Wan model as operators, following the official Wan2.2 code path
 * (wan/modules/model.py, wan/modules/attention.py @ Wan-Video/Wan2.2; see ../shared/data/wan-architecture.md):
 *
 *  - weights in bf16 (--convert_model_dtype, or FSDP's bf16 param_dtype), the pipeline under
 *    torch.autocast(bf16): every nn.Linear casts its (fp32) input to bf16 first;
 *  - the residual stream x is fp32 (the gated residual adds run under autocast(fp32));
 *  - Wan2.2 expands the timestep to one per token: the time MLP and time_projection run per token in fp32
 *    and produce e0 [B, L, 6, d] fp32; every block adds its own modulation to it (a new 6-wide fp32 tensor);
 *  - LayerNorm in fp32; q/k RMSNorm written out as x.float().pow(2).mean().rsqrt() ... (7 kernels);
 *  - RoPE in float64 complex arithmetic (rope_apply: clone, to(float64), complex multiply, cat, stack, float);
 *  - flash_attention() casts q, k to bf16, and casts the output back to q's dtype (fp32);
 *  - cross-attention to 512 (zero-padded) text tokens, GELU-tanh FFN.
 *
 * `fused: true` models a compiled/fused implementation (torch.compile-class): each elementwise chain is
 * one kernel that reads its inputs and writes its output once, RoPE in fp32, GELU fused into the GEMM.
 * This mode is an idealisation, not calibrated by a measurement (the estimate says so).
 *
 * Sharding: `seqShards` (Ulysses × ring degree) divides the tokens each GPU holds; `ulysses` divides the
 * heads each GPU attends over; `tp` divides the linear layers' output/input features (Megatron-style).
 * With sequence parallelism the self-attention follows the official sp_attn_forward (wan/distributed/
 * sequence_parallel.py): q, k, v cast to bf16 on the local tokens, 3 all-to-alls (scatter heads, gather
 * sequence), flash_attention, 1 all-to-all back; e and e0 are computed on the full sequence and chunked
 * (the full tensors stay alive), and the head output is all-gathered at the end. Ring attention passes
 * key/value blocks around the ring behind the attention of the current block. Tensor parallelism adds
 * all-reduces after the row-parallel o/ffn.2 projections and for the across-heads q/k RMSNorm statistics.
 * The collectives are emitted as operators with bytes and a GPU group; src/parallel prices them.
 */
import { DTYPE_BYTES, StageBuilder, type AttentionKernel, type Dtype, type ElementwiseKind } from './ops.ts';
import type { DitSpec } from './models.ts';

export interface DitForwardOptions {
  /** Full sequence length (tokens of one video). */
  tokens: number;
  /** Videos per forward (2 when CFG branches are batched). */
  batch: number;
  kernel: AttentionKernel;
  /** Linear-layer precision. fp8 = e4m3 weights and activations with per-tensor scales (attention stays bf16). */
  linearDtype: 'bf16' | 'fp8';
  /**
   * How the fp32 matmuls (time MLP, time_projection, head) run: IEEE fp32 on CUDA cores (PyTorch's default)
   * or TF32 tensor cores (allow_tf32 / TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1). Default 'ieee'.
   */
  fp32Matmul?: 'ieee' | 'tf32';
  fused: boolean;
  /** Ulysses degree (heads split), ring degree (KV split); seqShards = ulysses × ring. */
  ulysses: number;
  ring: number;
  /** Tensor-parallel degree. */
  tp: number;
  /** Layers this GPU runs (PipeFusion stages split layers); default all. */
  layers?: number;
  /** Whether the weights are resident in this stage's memory (false when FSDP gathers them per block). */
  weightsResident: boolean;
  /**
   * The weights are fp32 (the checkpoint kept as stored, no --convert_model_dtype): autocast casts each
   * linear layer's weight to bf16 on every call (no cast cache without grad), a transient bf16 copy.
   */
  castWeights?: boolean;
  /**
   * Whose rope_apply memory lifetimes: the official code's (default) or the calibration harness's
   * (calibration/wan_reference.py clones first and frees later; used when comparing with its measurements).
   */
  ropeVariant?: 'official' | 'harness';
  /** 'block': one transformer block on inputs x, e0, context (the calibration harness's dit_block case). */
  part?: 'forward' | 'block';
  /** FSDP: gather each block's bf16 weights over this many GPUs (prefetched behind the previous block). */
  fsdp?: number;
  /**
   * PipeFusion: this GPU runs `layers` of the model on one of `patches` patches of the sequence, attending
   * to the full sequence through stale keys/values kept from the previous step.
   */
  patches?: number;
}

export interface DitForward {
  builder: StageBuilder;
  /** Bytes of one block's bf16 weights (what FSDP gathers per block). */
  blockWeightBytes: number;
  /** Local tokens per GPU. */
  localTokens: number;
}

/** Bytes per element of activations that come out of a linear layer. */
const ACT = DTYPE_BYTES.bf16;
const F32 = DTYPE_BYTES.fp32;
const F64 = DTYPE_BYTES.fp64;

export function buildDitForward(dit: DitSpec, o: DitForwardOptions): DitForward {
  const b = new StageBuilder();
  const seqShards = o.ulysses * o.ring;
  const patches = o.patches ?? 1;
  // rows this forward processes: the GPU's share of the sequence (× batch), or one PipeFusion patch of it
  const L = Math.ceil((Math.ceil(o.tokens / seqShards) * o.batch) / patches);
  const d = dit.dim;
  const f = dit.ffnDim;
  const dLin = d / o.tp; // per-GPU width of q/k/v/o features under TP
  const fLin = f / o.tp;
  const headsLocal = dit.heads / o.ulysses / o.tp;
  const T = L * d; // elements of one [L, d] activation
  const layers = o.layers ?? dit.layers;
  const linear = o.linearDtype;
  const f32mm: Dtype = o.fp32Matmul === 'tf32' ? 'tf32' : 'fp32';
  const wBytes = linear === 'fp8' ? 1 : 2;
  const blockParams = 2 * (4 * (d * d + d) + 2 * d) + 2 * d + (2 * d * f + f + d) + 6 * d;
  const blockWeightBytes = blockParams * wBytes;

  const ew = (name: string, kind: ElementwiseKind, bytes: number, kernels = 1, mem: Parameters<StageBuilder['op']>[1] = {}) =>
    b.op({ kind: 'elementwise', name, ew: kind, bytes, kernels }, mem);
  const gemm = (name: string, m: number, n: number, k: number, dtype: Dtype, mem: Parameters<StageBuilder['op']>[1] = {}) =>
    b.op({ kind: 'gemm', name, m, n, k, dtype, batch: 1 }, mem);

  /**
   * nn.Linear under autocast: cast the input to bf16 when it is fp32 (eager), then the GEMM. fp8 adds an
   * activation quantisation pass. Returns the output tensor name (bf16, rows × n).
   */
  /** autocast's per-call bf16 copy of an fp32 weight (castWeights): read fp32, write bf16; freed after use. */
  const weightCast = (name: string, n: number, k: number): string | undefined => {
    if (!o.castWeights || linear === 'fp8') return undefined;
    const w = `${name}.w_bf16`;
    ew(`${name}.weight_cast`, 'cast_down', n * k * (F32 + ACT), 1, { outputs: [[w, n * k * ACT, 'activations']] });
    return w;
  };
  const linearOp = (name: string, input: { tensor: string; fp32: boolean }, rows: number, n: number, k: number, out: string) => {
    const w = weightCast(name, n, k);
    let src = input.tensor;
    if (!o.fused && input.fp32) {
      src = `${name}.in_bf16`;
      ew(`${name}.cast_in`, 'cast_down', rows * k * (F32 + ACT), 1, { outputs: [[src, rows * k * ACT, 'activations']] });
    }
    if (linear === 'fp8') {
      const q8 = `${name}.in_fp8`;
      ew(`${name}.quantize_fp8`, 'cast_down', rows * k * ((input.fp32 && o.fused ? F32 : ACT) + 1), 2, { outputs: [[q8, rows * k, 'activations']] });
      gemm(name, rows, n, k, 'fp8', { outputs: [[out, rows * n * ACT, 'activations']], frees: [q8] });
    } else {
      gemm(name, rows, n, k, 'bf16', { outputs: [[out, rows * n * ACT, 'activations']] });
    }
    if (src !== input.tensor) b.free(src);
    if (w) b.free(w);
    return out;
  };

  /**
   * WanRMSNorm over `cols` features as the official code writes it: x.float(), pow(2), mean(-1), + eps,
   * rsqrt, x * r, type_as(x), * weight (7 kernels). Time: one composite op priced by the profile's measured
   * rms_norm_wan rate; memory: the temporaries in program order. Fused: one kernel.
   */
  const rmsNorm = (name: string, _tensor: string, rows: number, cols: number, out: string) => {
    const E = rows * cols;
    if (o.tp > 1) {
      // q/k RMSNorm is across all heads ("rms_norm_across_heads"): TP needs the sum of squares of every shard
      b.op({ kind: 'collective', name: `${name}.tp_allreduce_stats`, collective: 'allreduce', bytes: rows * F32, comm: 'tp' });
    }
    if (o.fused) {
      ew(name, 'norm', E * (ACT + ACT), 1, { outputs: [[out, E * ACT, 'activations']] });
      return;
    }
    b.alloc(`${name}.f`, E * F32, 'activations');
    b.alloc(`${name}.sq`, E * F32, 'activations');
    b.free(`${name}.sq`);
    b.alloc(`${name}.n`, E * F32, 'activations');
    b.free(`${name}.f`);
    b.alloc(`${name}.nb`, E * ACT, 'activations');
    b.free(`${name}.n`);
    ew(name, 'rmsnorm_wan', E * (ACT + ACT), 7, { outputs: [[out, E * ACT, 'activations']], frees: [`${name}.nb`] });
  };

  /**
   * rope_apply on a [rows, heads, 128] bf16 tensor → fp32, in float64 complex arithmetic. Time: one composite
   * op priced by the profile's measured rope_apply_wan rate. Memory, in program order:
   *  - official (Wan-Video/Wan2.2 model.py and sequence_parallel.py rope_apply): to(float64) A, A × freqs →
   *    B (A freed on rebinding), cat → C (B freed), stack → D, float() → the fp32 output while C and D are
   *    alive: peak C + D + out;
   *  - harness (calibration/wan_reference.py, a fork's variant): a bf16 clone first, and A stays alive
   *    through the cat: peak B + C + D, one more copy (priced as a clone).
   * Fused: one kernel in fp32.
   */
  const rope = (name: string, _tensor: string, rows: number, cols: number, out: string) => {
    const E = rows * cols;
    if (o.fused) {
      ew(name, 'complex', E * (ACT + F32), 1, { outputs: [[out, E * F32, 'activations']] });
      return;
    }
    const freqBytes = rows * dit.headDim * F64; // [L, 1, hd/2] complex128
    if (o.ropeVariant === 'harness') {
      ew(`${name}.clone`, 'copy', E * 2 * ACT, 1, { outputs: [[`${name}.c`, E * ACT, 'rope_temporaries']] });
      b.alloc(`${name}.x64`, E * F64, 'rope_temporaries');
      b.alloc(`${name}.fr`, freqBytes, 'rope_temporaries');
      b.alloc(`${name}.p`, E * F64, 'rope_temporaries');
      b.free(`${name}.c`, `${name}.fr`);
      b.alloc(`${name}.cat`, E * F64, 'rope_temporaries');
      b.free(`${name}.x64`);
      b.alloc(`${name}.stack`, E * F64, 'rope_temporaries');
      ew(name, 'rope_wan', E * (ACT + F32), 10, { outputs: [[out, E * F32, 'activations']], frees: [`${name}.p`, `${name}.cat`, `${name}.stack`] });
      return;
    }
    b.alloc(`${name}.x64`, E * F64, 'rope_temporaries');
    b.alloc(`${name}.fr`, freqBytes, 'rope_temporaries');
    b.alloc(`${name}.p`, E * F64, 'rope_temporaries');
    b.free(`${name}.x64`, `${name}.fr`);
    b.alloc(`${name}.cat`, E * F64, 'rope_temporaries');
    b.free(`${name}.p`);
    b.alloc(`${name}.stack`, E * F64, 'rope_temporaries');
    ew(name, 'rope_wan', E * (ACT + F32), 10, { outputs: [[out, E * F32, 'activations']], frees: [`${name}.cat`, `${name}.stack`] });
  };

  /**
   * The official all_to_all (wan/distributed/util.py): chunk along the scatter dim and .contiguous() each
   * chunk (a copy), dist.all_to_all on the lists, torch.cat along the gather dim (a second copy).
   */
  const ulyssesAllToAll = (what: string, out: string, frees: string[] = []) => {
    const bytes = L * dLin * ACT;
    if (!o.fused) ew(`ulysses.a2a_${what}.chunk_contiguous`, 'copy', 2 * bytes, 1, { outputs: [[`${out}.in`, bytes, 'activations']] });
    b.op({ kind: 'collective', name: `ulysses.all_to_all_${what}`, collective: 'alltoall', bytes, comm: 'ulysses' }, { outputs: [[`${out}.recv`, bytes, 'activations']], frees: o.fused ? frees : [`${out}.in`, ...frees] });
    if (!o.fused) ew(`ulysses.a2a_${what}.cat`, 'copy', 2 * bytes, 1, { outputs: [[out, bytes, 'activations']], frees: [`${out}.recv`] });
    else {
      b.alloc(out, bytes, 'activations');
      b.free(`${out}.recv`);
    }
  };

  /** Megatron row-parallel projection: the partial outputs are summed across the TP group. */
  const tpAllReduce = (after: string) => {
    if (o.tp > 1) b.op({ kind: 'collective', name: `${after}.tp_allreduce`, collective: 'allreduce', bytes: T * ACT, comm: 'tp' });
  };

  /** x_mod = LN(x).float() * (1 + e[i]) + e[j]; fp32, 4 kernels (1 fused). */
  const modulate = (name: string, out: string) => {
    if (o.fused) {
      // one kernel: read x (fp32) and two modulation rows, write bf16 input of the next linear
      ew(name, 'norm', T * (F32 + 2 * F32 + ACT), 1, { outputs: [[out, T * ACT, 'activations']] });
      return;
    }
    ew(`${name}.layer_norm`, 'norm', T * 2 * F32, 1, { outputs: [[`${name}.n`, T * F32, 'activations']] });
    ew(`${name}.one_plus_scale`, 'binary', T * 2 * F32, 1, { outputs: [[`${name}.s`, T * F32, 'activations']] });
    ew(`${name}.mul`, 'binary', T * 3 * F32, 1, { outputs: [[`${name}.m`, T * F32, 'activations']], frees: [`${name}.n`, `${name}.s`] });
    ew(`${name}.add_shift`, 'binary', T * 3 * F32, 1, { outputs: [[out, T * F32, 'activations']], frees: [`${name}.m`] });
  };

  /** x = x + y * e[gate] under autocast(fp32): 2 kernels (1 fused). */
  const gatedResidual = (name: string, y: string, rowsElems: number) => {
    if (o.fused) {
      ew(name, 'binary', rowsElems * (ACT + F32 + 2 * F32), 1, { outputs: [['x.next', rowsElems * F32, 'residual']], frees: [y, 'x'] });
    } else {
      ew(`${name}.gate_mul`, 'binary', rowsElems * (ACT + 2 * F32), 1, { outputs: [[`${name}.g`, rowsElems * F32, 'activations']], frees: [y] });
      ew(`${name}.add`, 'binary', rowsElems * 3 * F32, 1, { outputs: [['x.next', rowsElems * F32, 'residual']], frees: [`${name}.g`, 'x'] });
    }
    b.alloc('x', rowsElems * F32, 'residual');
    b.free('x.next');
  };

  // ---- persistent tensors of the forward ----
  if (o.weightsResident) b.alloc('weights', blockWeightBytes * layers + embeddingBytes(dit, wBytes), 'weights');
  const Lfull = o.tokens * o.batch;
  const Lchunk = L;
  const tMode = dit.perTokenTimestep;
  const tRows = tMode ? Lfull : o.batch; // rows of the time MLP (Wan2.2: every token)

  if (o.part === 'block') {
    b.alloc('x', Lchunk * d * F32, 'residual');
    b.alloc('e0', (tMode ? Lchunk : o.batch) * 6 * d * F32, 'modulation');
    b.alloc('context', dit.textLen * o.batch * d * ACT, 'context');
  } else {
    b.section('embed');
    // patch embedding (Conv3d with stride = kernel → a GEMM over patches), on the full sequence
    const patchK = dit.inChannels * dit.patch[0] * dit.patch[1] * dit.patch[2];
    gemm('patch_embedding', Lfull, d, patchK, 'bf16', { outputs: [['x.full', Lfull * d * ACT, 'activations']] });
    // text embedding: Linear(4096→d), GELU, Linear(d→d) on 512 padded tokens per video
    gemm('text_embedding.0', dit.textLen * o.batch, d, dit.textDim, 'bf16', { outputs: [['context', dit.textLen * o.batch * d * ACT, 'context']] });
    ew('text_embedding.gelu', 'activation', dit.textLen * o.batch * d * 2 * ACT);
    gemm('text_embedding.2', dit.textLen * o.batch, d, d, 'bf16');

    b.section('time_embedding');
    // sinusoidal embedding (fp64 → fp32), then time_embedding and time_projection in fp32 (autocast fp32)
    ew('time.sinusoid', 'complex', tRows * dit.freqDim * (F64 + F32) * 2, 6, { outputs: [['time.sin', tRows * dit.freqDim * F32, 'modulation']] });
    gemm('time_embedding.0', tRows, d, dit.freqDim, f32mm, { outputs: [['time.h', tRows * d * F32, 'modulation']], frees: ['time.sin'] });
    ew('time_embedding.silu', 'activation', tRows * d * 2 * F32);
    gemm('time_embedding.2', tRows, d, d, f32mm, { outputs: [['time.e', tRows * d * F32, 'modulation']], frees: ['time.h'] });
    ew('time_projection.silu', 'activation', tRows * d * 2 * F32, 1, { outputs: [['time.es', tRows * d * F32, 'modulation']] });
    gemm('time_projection', tRows, 6 * d, d, f32mm, { outputs: [['e0', tRows * 6 * d * F32, 'modulation']], frees: ['time.es'] });
    // Wan2.2 computes e0 on the full sequence; sequence parallelism keeps a chunk view of it (the full tensor stays alive)
    // x: first block receives bf16 patch embeddings; we charge it as fp32 from the start (a 1/layers effect)
    b.alloc('x', Lchunk * d * F32, 'residual');
    b.free('x.full');
  }

  const eRows = tMode ? Lchunk : o.batch; // rows of the per-block modulation tensor
  b.section('block', o.part === 'block' ? 1 : layers);
  if (o.fsdp && o.fsdp > 1) {
    // FSDP FULL_SHARD: the fp32 shard is cast to bf16 (MixedPrecision) and the block all-gathered; the
    // next block's gather is issued while this one computes (the CPU runs ahead), so it hides behind it
    const shardParams = blockParams / o.fsdp;
    ew('fsdp.cast_shard', 'cast_down', shardParams * (F32 + wBytes), 1);
    b.op({ kind: 'collective', name: 'fsdp.allgather', collective: 'allgather', bytes: blockWeightBytes, comm: 'fsdp', hiddenBehind: 'block' }, { outputs: [['fsdp.block', blockWeightBytes, 'fsdp_gathered'], ['fsdp.prefetch', blockWeightBytes, 'fsdp_gathered']] });
  }
  if (patches > 1) {
    // PipeFusion: this patch's keys/values replace their slice of the stale full-sequence KV buffer
    ew('pipefusion.kv_update', 'copy', 2 * L * dLin * ACT * 2, 2);
  }
  // e = (modulation + e0).chunk(6): a new 6-wide fp32 tensor per block
  ew('modulation_add', 'binary', eRows * 6 * d * 2 * F32, 1, { outputs: [['e', eRows * 6 * d * F32, 'modulation']] });
  // --- self-attention ---
  modulate('norm1_modulate', 'xm');
  const xm = { tensor: 'xm', fp32: !o.fused };
  linearOp('self_attn.q', xm, L, dLin, d, 'q');
  rmsNorm('self_attn.norm_q', 'q', L, dLin, 'qn');
  b.free('q');
  linearOp('self_attn.k', xm, L, dLin, d, 'k');
  rmsNorm('self_attn.norm_k', 'k', L, dLin, 'kn');
  b.free('k');
  linearOp('self_attn.v', xm, L, dLin, d, 'v');
  rope('self_attn.rope_q', 'qn', L, dLin, 'qr');
  b.free('qn');
  rope('self_attn.rope_k', 'kn', L, dLin, 'kr');
  b.free('kn');
  const E = L * dLin;
  const sp = seqShards > 1;
  let attnOut: string;
  let attnOutFp32: boolean;
  if (!sp) {
    // flash_attention(q, k, v, k_lens=seq_lens): q → bf16 (fp32 after RoPE); k and v are gathered per sample
    // (torch.cat of u[:len]: a copy) and k cast to bf16
    if (!o.fused) {
      ew('self_attn.q_to_bf16', 'cast_down', E * (F32 + ACT), 1, { outputs: [['qh', E * ACT, 'activations']] });
      ew('self_attn.k_varlen_cat', 'copy', E * 2 * F32, 1, { outputs: [['kc', E * F32, 'activations']] });
      ew('self_attn.k_to_bf16', 'cast_down', E * (F32 + ACT), 1, { outputs: [['kh', E * ACT, 'activations']], frees: ['kc'] });
      ew('self_attn.v_varlen_cat', 'copy', E * 2 * ACT, 1, { outputs: [['vc', E * ACT, 'activations']] });
    } else {
      b.alloc('qh', 0, 'activations');
      b.alloc('kh', 0, 'activations');
      b.alloc('vc', 0, 'activations');
    }
    const lk = patches > 1 ? Math.ceil(o.tokens) : L / o.batch;
    b.op(
      { kind: 'attention', name: 'self_attn.attention', batch: o.batch, heads: headsLocal, lq: L / o.batch, lk, headDim: dit.headDim, kernel: o.kernel, dtype: 'bf16' },
      { outputs: [['attn_out', E * ACT, 'activations']], workspace: o.batch * headsLocal * L * 4 * 2 },
    );
    b.free('qh', 'kh', 'vc');
    attnOut = 'attn_out';
    attnOutFp32 = false;
    if (!o.fused) {
      // x.type(out_dtype): back to fp32 because q was fp32
      ew('self_attn.out_to_fp32', 'cast_up', E * (ACT + F32), 1, { outputs: [['attn_out32', E * F32, 'activations']], frees: ['attn_out'] });
      attnOut = 'attn_out32';
      attnOutFp32 = true;
    }
  } else {
    // sp_attn_forward: distributed_attention(half(q), half(k), half(v), seq_lens)
    if (!o.fused) {
      ew('self_attn.q_to_bf16', 'cast_down', E * (F32 + ACT), 1, { outputs: [['qh', E * ACT, 'activations']] });
      ew('self_attn.k_to_bf16', 'cast_down', E * (F32 + ACT), 1, { outputs: [['kh', E * ACT, 'activations']] });
    } else {
      b.alloc('qh', 0, 'activations');
      b.alloc('kh', 0, 'activations');
    }
    if (o.ulysses > 1) {
      // all_to_all: scatter heads, gather the sequence (one per q, k, v); not overlapped in the official code
      for (const t of ['q', 'k', 'v'] as const) {
        ulyssesAllToAll(t, `${t}a`);
      }
    } else {
      b.alloc('qa', E * ACT, 'activations');
      b.alloc('ka', E * ACT, 'activations');
      b.alloc('va', E * ACT, 'activations');
    }
    // flash_attention with k_lens: k and v gathered per sample (copies)
    ew('self_attn.k_varlen_cat', 'copy', E * 2 * ACT, 1, { outputs: [['kc', E * ACT, 'activations']] });
    ew('self_attn.v_varlen_cat', 'copy', E * 2 * ACT, 1, { outputs: [['vc', E * ACT, 'activations']] });
    const lqRing = Math.ceil(o.tokens / o.ring);
    if (o.ring > 1) {
      // ring attention: r attention steps over KV blocks of tokens/r; the next block's K and V travel the
      // ring while the current step computes
      b.op({ kind: 'collective', name: 'ring.kv_sendrecv', collective: 'sendrecv', bytes: 2 * E * ACT, comm: 'ring', hiddenBehind: 'self_attn.attention', count: o.ring - 1 }, { outputs: [['ring.kv', 2 * E * ACT, 'activations']] });
    }
    b.op(
      { kind: 'attention', name: 'self_attn.attention', batch: o.batch, heads: headsLocal, lq: lqRing, lk: lqRing, headDim: dit.headDim, kernel: o.kernel, dtype: 'bf16', count: o.ring },
      { outputs: [['attn_sp', E * ACT, 'activations']], workspace: o.batch * headsLocal * lqRing * 4 * 2 },
    );
    if (o.ring > 1) {
      // ring attention merges each step's partial output into the running output with the log-sum-exp
      // (fp32 accumulator: read acc + partial, write acc) — r−1 merges
      b.op({ kind: 'elementwise', name: 'ring.merge_partial_outputs', ew: 'binary', bytes: E * (F32 + ACT + F32) + 3 * o.batch * headsLocal * lqRing * F32, kernels: 3, count: o.ring - 1 });
      b.free('ring.kv');
    }
    b.free('qh', 'kh', 'qa', 'ka', 'va', 'kc', 'vc');
    if (o.ulysses > 1) {
      ulyssesAllToAll('out', 'attn_out', ['attn_sp']);
    } else {
      b.alloc('attn_out', E * ACT, 'activations');
      b.free('attn_sp');
    }
    attnOut = 'attn_out';
    attnOutFp32 = false;
  }
  b.free('qr', 'kr', 'v');
  linearOp('self_attn.o', { tensor: attnOut, fp32: attnOutFp32 }, L, d, dLin, 'y_sa');
  b.free(attnOut, 'xm');
  tpAllReduce('self_attn.o');
  gatedResidual('self_attn.residual', 'y_sa', T);
  // --- cross-attention (norm3 is an affine LayerNorm; no modulation) ---
  if (o.fused) ew('norm3', 'norm', T * (F32 + ACT), 1, { outputs: [['xn3', T * ACT, 'activations']] });
  else ew('norm3', 'norm', T * 2 * F32, 1, { outputs: [['xn3', T * F32, 'activations']] });
  linearOp('cross_attn.q', { tensor: 'xn3', fp32: !o.fused }, L, dLin, d, 'cq');
  rmsNorm('cross_attn.norm_q', 'cq', L, dLin, 'cqn');
  b.free('cq', 'xn3');
  const ctx = dit.textLen * o.batch;
  for (const kv of ['cross_attn.k', 'cross_attn.v']) {
    const w = weightCast(kv, dLin, d);
    gemm(kv, ctx, dLin, d, 'bf16');
    if (w) b.free(w);
  }
  ew('cross_attn.norm_k', 'norm', ctx * dLin * 16, o.fused ? 1 : 7);
  b.op(
    { kind: 'attention', name: 'cross_attn.attention', batch: o.batch, heads: dit.heads / o.tp, lq: Math.ceil(o.tokens / seqShards), lk: dit.textLen, headDim: dit.headDim, kernel: o.kernel, dtype: 'bf16' },
    { outputs: [['cattn', L * dLin * ACT, 'activations']], frees: ['cqn'] },
  );
  linearOp('cross_attn.o', { tensor: 'cattn', fp32: false }, L, d, dLin, 'y_ca');
  b.free('cattn');
  tpAllReduce('cross_attn.o');
  if (o.fused) ew('cross_attn.residual', 'binary', T * (ACT + 2 * F32), 1, { outputs: [['x.next', T * F32, 'residual']], frees: ['y_ca', 'x'] });
  else ew('cross_attn.residual', 'binary', T * (ACT + 2 * F32), 1, { outputs: [['x.next', T * F32, 'residual']], frees: ['y_ca', 'x'] });
  b.alloc('x', T * F32, 'residual');
  b.free('x.next');
  // --- FFN ---
  modulate('norm2_modulate', 'xf');
  linearOp('ffn.0', { tensor: 'xf', fp32: !o.fused }, L, fLin, d, 'h');
  b.free('xf');
  if (!o.fused) ew('ffn.gelu', 'activation', L * fLin * 2 * ACT, 1, { outputs: [['hg', L * fLin * ACT, 'activations']], frees: ['h'] });
  else b.alloc('hg', 0, 'activations'), b.free('h');
  linearOp('ffn.2', { tensor: 'hg', fp32: false }, L, d, fLin, 'y_ffn');
  b.free('hg');
  tpAllReduce('ffn.2');
  gatedResidual('ffn.residual', 'y_ffn', T);
  b.free('e');
  if (o.fsdp && o.fsdp > 1) b.free('fsdp.block', 'fsdp.prefetch');

  if (o.part === 'block') {
    b.free('x', 'e0', 'context');
    return { builder: b, blockWeightBytes, localTokens: L };
  }
  b.section('head');
  // head: LayerNorm, modulation (2 rows), Linear(d → patch·out) in fp32 autocast; then unpatchify and .float()
  const headOut = dit.outChannels * dit.patch[0] * dit.patch[1] * dit.patch[2];
  ew('head.modulate', 'norm', T * 4 * F32, o.fused ? 1 : 4);
  gemm('head.linear', L, headOut, d, f32mm);
  if (seqShards > 1) {
    // gather_forward: all_gather of the head output over the sequence-parallel group
    b.op({ kind: 'collective', name: 'sp.gather_output', collective: 'allgather', bytes: L * seqShards * headOut * F32, comm: 'sp' });
  }
  ew('head.unpatchify', 'copy', L * seqShards * headOut * 2 * F32, 2);
  b.free('x', 'e0', 'context', 'time.e');
  return { builder: b, blockWeightBytes, localTokens: L };
}

/** bf16 bytes of everything outside the blocks (embeddings, time MLP, head). */
export function embeddingBytes(dit: DitSpec, bytesPerParam = 2): number {
  const D = dit.dim;
  const patch = dit.patch[0] * dit.patch[1] * dit.patch[2];
  const params =
    dit.inChannels * D * patch + D + (dit.textDim * D + D + D * D + D) + (dit.freqDim * D + D + D * D + D) + (6 * D * D + 6 * D) + (D * patch * dit.outChannels + patch * dit.outChannels + 2 * D);
  return params * bytesPerParam;
}
