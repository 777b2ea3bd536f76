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
 * `style` swaps the elementwise kernels for a serving engine's (dit-kernels.ts); `linearQuant` runs the
 * block linears in FP8/INT8 with the engine's activation-quantisation kernels; `kernel` and `density` choose
 * the attention kernel (attention-kernels.ts adds a quantised kernel's input passes); `denseBlocks` and
 * `denseLayers` keep the first/last blocks in bf16 or dense attention.
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
import { imageCrossParams, imageEmbeddingParams, type DitSpec } from './models.ts';
import { blockSites, type BlockStyle } from './dit-kernels.ts';
import { attentionCall } from './attention-kernels.ts';
import type { VsaLayout } from './vsa.ts';
import { activationQuantization, blockGroups, type LinearQuant } from './block-groups.ts';
import { embeddings } from './dit-embeddings.ts';

export type { LinearQuant } from './block-groups.ts';

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
  /** Rank of a LoRA run unfused (PEFT) on every block linear: two skinny GEMMs, a scaling multiply and an add each (engines/lora.ts). */
  loraRank?: number;
  /** 'block': one transformer block on inputs x, e0, context (the calibration harness's dit_block case). */
  part?: 'forward' | 'block';
  /** FSDP: gather each block's bf16 weights over this many GPUs (prefetched behind the previous block). */
  fsdp?: number;
  /**
   * PipeFusion: this GPU runs `layers` of the model on one of `patches` patches of the sequence, attending
   * to the full sequence through stale keys/values kept from the previous step.
   */
  patches?: number;
  /** Whose elementwise kernels (default 'official', which honours `fused`). */
  style?: BlockStyle;
  /** FP8/INT8 block linears with their activation quantisation (overrides linearDtype for the blocks). */
  linearQuant?: LinearQuant;
  /** Fraction of the self-attention's query-key blocks computed (sparse attention); default 1. */
  density?: number;
  /** The first this many blocks attend densely (sparse attention's dense_layers). */
  denseLayers?: number;
  vsa?: VsaLayout; // Video Sparse Attention's tiling: blocks with density < 1 run VSA's chain and its gate linear
  /** Override of DitSpec.perTokenTimestep (engines built on diffusers expand t per token only for TI2V). */
  perTokenTimestep?: boolean;
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

export function buildDitForward(dit: DitSpec, o: DitForwardOptions): DitForward {
  const b = new StageBuilder();
  const seqShards = o.ulysses * o.ring;
  const patches = o.patches ?? 1;
  // rows this forward processes: the GPU's share of the sequence (× batch), or one PipeFusion patch of it
  const L = Math.ceil((Math.ceil(o.tokens / seqShards) * o.batch) / patches);
  const [d, f] = [dit.dim, dit.ffnDim];
  const dLin = d / o.tp; // per-GPU width of q/k/v/o features under TP
  const fLin = f / o.tp;
  const headsLocal = dit.heads / o.ulysses / o.tp;
  const T = L * d; // elements of one [L, d] activation
  const layers = o.layers ?? dit.layers;
  const style = o.style ?? 'official';
  const fused = style === 'official' && o.fused;
  b.compiled = fused || style === 'inductor'; // every elementwise op one of Inductor's Triton kernels
  const quant = o.linearQuant;
  const linear = o.linearDtype;
  const f32mm: Dtype = o.fp32Matmul === 'tf32' ? 'tf32' : 'fp32';
  const wBytes = quant ? 1 : linear === 'fp8' ? 1 : 2;
  const blockParams = 2 * (4 * (d * d + d) + 2 * d) + 2 * d + (2 * d * f + f + d) + 6 * d + imageCrossParams(dit);
  const blockWeightBytes = blockParams * wBytes;
  const tMode = o.perTokenTimestep ?? dit.perTokenTimestep;
  const sites = blockSites({ b, style, fused: o.fused, T, headDim: dit.headDim, perTokenModulation: tMode, ropeVariant: o.ropeVariant, tp: o.tp });
  const R = sites.residualBytes;

  const ew = (name: string, kind: ElementwiseKind, bytes: number, kernels = 1, mem: Parameters<StageBuilder['op']>[1] = {}) =>
    b.op({ kind: 'elementwise', name, ew: kind, bytes, kernels }, mem);
  const gemm = (name: string, m: number, n: number, k: number, dtype: Dtype, mem: Parameters<StageBuilder['op']>[1] = {}) =>
    b.op({ kind: 'gemm', name, m, n, k, dtype, batch: 1 }, mem);

  /** Whether the block linears of a group run quantised in the block group being built. */
  let quantHere = false;
  const quantized = (group: 'self' | 'cross' | 'ffn') => quantHere && !!quant && quant.groups.includes(group);

  /** autocast's per-call bf16 copy of an fp32 weight (castWeights): read fp32, write bf16; freed after use. */
  const weightCast = (name: string, n: number, k: number): string | undefined => {
    if (!o.castWeights || linear === 'fp8' || quant) return undefined;
    const w = `${name}.w_bf16`;
    ew(`${name}.weight_cast`, 'cast_down', n * k * (F32 + ACT), 1, { outputs: [[w, n * k * ACT, 'activations']] });
    return w;
  };
  /** The activation quantisation of a quantised linear (see LinearQuant); a compiled official block compiles it too. */
  const quantizeInput = (name: string, rows: number, k: number, inBytes: number, out: string) =>
    activationQuantization(b, quant!.activation, fused ? 'inductor' : style, name, rows, k, inBytes, out);

  /**
   * nn.Linear under autocast: cast the input to bf16 when it is fp32 (eager), then the GEMM. fp8 adds an
   * activation quantisation pass. Returns the output tensor name (bf16, rows × n).
   */
  const linearOp = (name: string, input: { tensor: string; fp32: boolean }, rows: number, n: number, k: number, out: string, group: 'self' | 'cross' | 'ffn') => {
    if (quantized(group)) {
      const q = `${name}.in_q`;
      quantizeInput(name, rows, k, input.fp32 ? F32 : ACT, q);
      gemm(name, rows, n, k, quant!.dtype, { outputs: [[out, rows * n * ACT, 'activations']], frees: [q] });
      if (o.loraRank) loraDelta(name, rows, n, k, o.loraRank, out);
      return out;
    }
    const w = weightCast(name, n, k);
    let src = input.tensor;
    if (sites.castsLinearInputs && input.fp32) {
      src = `${name}.in_bf16`;
      ew(`${name}.cast_in`, 'cast_down', rows * k * (F32 + ACT), 1, { outputs: [[src, rows * k * ACT, 'activations']] });
    }
    if (linear === 'fp8' && !quant) {
      const q8 = `${name}.in_fp8`;
      ew(`${name}.quantize_fp8`, 'cast_down', rows * k * ((input.fp32 && fused ? F32 : ACT) + 1), 2, { outputs: [[q8, rows * k, 'activations']] });
      gemm(name, rows, n, k, 'fp8', { outputs: [[out, rows * n * ACT, 'activations']], frees: [q8] });
    } else {
      gemm(name, rows, n, k, 'bf16', { outputs: [[out, rows * n * ACT, 'activations']] });
    }
    if (src !== input.tensor) b.free(src);
    if (w) b.free(w);
    if (o.loraRank) loraDelta(name, rows, n, k, o.loraRank, out);
    return out;
  };

  /**
   * PEFT's unfused LoRA after a linear (engines/lora.ts): `result + lora_B(lora_A(x)) * scaling` — the two GEMMs,
   * the multiply by a Python float (a vectorised pass writing a new rows × n tensor) and the add (another).
   */
  const loraDelta = (name: string, rows: number, n: number, k: number, r: number, out: string) => {
    gemm(`${name}.lora_A`, rows, r, k, 'bf16', { outputs: [[`${name}.lora_a`, rows * r * ACT, 'activations']] });
    gemm(`${name}.lora_B`, rows, n, r, 'bf16', { outputs: [[`${name}.lora_b`, rows * n * ACT, 'activations']], frees: [`${name}.lora_a`] });
    ew(`${name}.lora_scale`, 'copy', 2 * rows * n * ACT, 1, { outputs: [[`${name}.lora_scaled`, rows * n * ACT, 'activations']], frees: [`${name}.lora_b`] });
    ew(`${name}.lora_add`, 'binary', 3 * rows * n * ACT, 1, { outputs: [[`${out}.lora_sum`, rows * n * ACT, 'activations']], frees: [`${name}.lora_scaled`] });
    b.free(`${out}.lora_sum`); // the sum replaces the linear's output tensor: same bytes, already counted under its name
  };

  /**
   * The official all_to_all (wan/distributed/util.py): chunk along the scatter dim and .contiguous() each
   * chunk (a copy), dist.all_to_all on the lists, torch.cat along the gather dim (a second copy).
   */
  const ulyssesAllToAll = (what: string, out: string, frees: string[] = []) => {
    const bytes = L * dLin * ACT;
    if (!fused) ew(`ulysses.a2a_${what}.chunk_contiguous`, 'copy', 2 * bytes, 1, { outputs: [[`${out}.in`, bytes, 'activations']] });
    b.op({ kind: 'collective', name: `ulysses.all_to_all_${what}`, collective: 'alltoall', bytes, comm: 'ulysses' }, { outputs: [[`${out}.recv`, bytes, 'activations']], frees: fused ? frees : [`${out}.in`, ...frees] });
    if (!fused) ew(`ulysses.a2a_${what}.cat`, 'copy', 2 * bytes, 1, { outputs: [[out, bytes, 'activations']], frees: [`${out}.recv`] });
    else {
      b.alloc(out, bytes, 'activations');
      b.free(`${out}.recv`);
    }
  };

  /** Megatron row-parallel projection: the partial outputs are summed across the TP group. */
  const tpAllReduce = (after: string) => {
    if (o.tp > 1) b.op({ kind: 'collective', name: `${after}.tp_allreduce`, collective: 'allreduce', bytes: T * ACT, comm: 'tp' });
  };

  // ---- persistent tensors of the forward ----
  if (o.weightsResident) b.alloc('weights', blockWeightBytes * layers + embeddingBytes(dit, wBytes), 'weights');
  const Lfull = o.tokens * o.batch;
  const Lchunk = L;
  const tRows = tMode ? Lfull : o.batch; // rows of the time MLP (Wan2.2: every token)

  const imgTokens = dit.imageTokens ?? 0;
  if (o.part === 'block') {
    b.alloc('x', Lchunk * d * R, 'residual');
    b.alloc('e0', (tMode ? Lchunk : o.batch) * 6 * d * F32, 'modulation');
    b.alloc('context', (dit.textLen + imgTokens) * o.batch * d * ACT, 'context');
  } else {
    embeddings(b, dit, { rows: Lfull, timeRows: tRows, batch: o.batch, f32mm });
    // Wan2.2 computes e0 on the full sequence; sequence parallelism keeps a chunk view of it (the full tensor stays alive)
    // x: first block receives bf16 patch embeddings; we charge it in the residual dtype from the start (a 1/layers effect)
    b.alloc('x', Lchunk * d * R, 'residual');
    b.free('x.full');
  }

  const eRows = tMode ? Lchunk : o.batch; // rows of the per-block modulation tensor
  const sp = seqShards > 1;
  const E = L * dLin;

  /** One transformer block (the section's repeat count says how many run like it). */
  const block = (density: number) => {
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
    // e = (modulation + e0).chunk(6), a new fp32 tensor; per-token, the [1, 6, d] modulation broadcasts (ops.ts)
    ew('modulation_add', !tMode ? 'binary' : 'binary_wan_modulation', eRows * 6 * d * 2 * F32, 1, { outputs: [['e', eRows * 6 * d * F32, 'modulation']] });
    // --- self-attention ---
    const xm = sites.modulate('norm1_modulate', 'xm');
    linearOp('self_attn.q', xm, L, dLin, d, 'q', 'self');
    sites.qkNorm('self_attn.norm_q', 'q', L, dLin, 'qn');
    b.free('q');
    linearOp('self_attn.k', xm, L, dLin, d, 'k', 'self');
    sites.qkNorm('self_attn.norm_k', 'k', L, dLin, 'kn');
    b.free('k');
    linearOp('self_attn.v', xm, L, dLin, d, 'v', 'self');
    const vsa = o.vsa && density < 1 ? o.vsa : undefined; // VSA: FastVideo's to_gate_compress, a 4th projection of xm
    if (vsa) linearOp('self_attn.gate_compress', xm, L, dLin, d, 'g', 'self');
    sites.rope('self_attn.rope_q', 'q', L, dLin, 'qr');
    b.free('qn');
    sites.rope('self_attn.rope_k', 'k', L, dLin, 'kr');
    b.free('kn');
    let attnOut: { tensor: string; fp32: boolean };
    if (!sp) {
      sites.attentionInputs(E);
      const lk = patches > 1 ? Math.ceil(o.tokens) : L / o.batch;
      attentionCall(b, { name: 'self_attn.attention', batch: o.batch, heads: headsLocal, lq: L / o.batch, lk, headDim: dit.headDim, kernel: o.kernel, density, ...(vsa ? { vsa } : {}) },
        { outputs: [['attn_out', E * ACT, 'activations']], workspace: o.batch * headsLocal * L * 4 * 2 });
      b.free('qh', 'kh', 'vc');
      attnOut = sites.attentionOutput('attn_out', E);
    } else {
      sites.spInputs(E);
      if (o.ulysses > 1) {
        // all_to_all: scatter heads, gather the sequence (one per q, k, v); not overlapped in the official code
        for (const t of ['q', 'k', 'v'] as const) {
          ulyssesAllToAll(t, `${t}a`);
        }
        if (vsa) ulyssesAllToAll('gate', 'ga', ['g']);
      } else {
        b.alloc('qa', E * ACT, 'activations');
        b.alloc('ka', E * ACT, 'activations');
        b.alloc('va', E * ACT, 'activations');
      }
      // flash_attention with k_lens: k and v gathered per sample (copies)
      if (sites.varlenCopies) {
        ew('self_attn.k_varlen_cat', 'copy', E * 2 * ACT, 1, { outputs: [['kc', E * ACT, 'activations']] });
        ew('self_attn.v_varlen_cat', 'copy', E * 2 * ACT, 1, { outputs: [['vc', E * ACT, 'activations']] });
      } else {
        b.alloc('kc', 0, 'activations');
        b.alloc('vc', 0, 'activations');
      }
      const lqRing = Math.ceil(o.tokens / o.ring);
      if (o.ring > 1) {
        // ring attention: r attention steps over KV blocks of tokens/r; the next block's K and V travel the
        // ring while the current step computes
        b.op({ kind: 'collective', name: 'ring.kv_sendrecv', collective: 'sendrecv', bytes: 2 * E * ACT, comm: 'ring', hiddenBehind: 'self_attn.attention', count: o.ring - 1 }, { outputs: [['ring.kv', 2 * E * ACT, 'activations']] });
      }
      attentionCall(b, { name: 'self_attn.attention', batch: o.batch, heads: headsLocal, lq: lqRing, lk: lqRing, headDim: dit.headDim, kernel: o.kernel, density, count: o.ring, ...(vsa ? { vsa } : {}) },
        { outputs: [['attn_sp', E * ACT, 'activations']], workspace: o.batch * headsLocal * lqRing * 4 * 2 });
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
      attnOut = { tensor: 'attn_out', fp32: false };
    }
    b.free('qr', 'kr', 'v');
    if (vsa) b.free(o.ulysses > 1 ? 'ga' : 'g');
    linearOp('self_attn.o', attnOut, L, d, dLin, 'y_sa', 'self');
    b.free(attnOut.tensor, 'xm');
    tpAllReduce('self_attn.o');
    sites.gatedResidual('self_attn.residual', 'y_sa', false);
    // --- cross-attention (norm3 is an affine LayerNorm; no modulation) ---
    const xn3 = sites.crossNorm('xn3');
    linearOp('cross_attn.q', xn3, L, dLin, d, 'cq', 'cross');
    sites.qkNorm('cross_attn.norm_q', 'q', L, dLin, 'cqn');
    b.free('cq', 'xn3');
    const ctx = dit.textLen * o.batch;
    for (const kv of ['cross_attn.k', 'cross_attn.v']) {
      if (quantized('cross')) {
        linearOp(kv, { tensor: 'context', fp32: false }, ctx, dLin, d, `${kv}.out`, 'cross');
        b.free(`${kv}.out`);
        continue;
      }
      const w = weightCast(kv, dLin, d);
      gemm(kv, ctx, dLin, d, 'bf16');
      if (w) b.free(w);
      if (o.loraRank) loraDelta(kv, ctx, dLin, d, o.loraRank, `${kv}.out`);
    }
    const normKernels = fused || (style !== 'official' && style !== 'diffusers') ? 1 : 7;
    ew('cross_attn.norm_k', 'norm', ctx * dLin * 16, normKernels);
    const lqCross = Math.ceil(o.tokens / seqShards);
    if (imgTokens) {
      // WanI2VCrossAttention: k_img, v_img on the CLIP tokens, norm_k_img, their own attention, added to the text one
      const ci = imgTokens * o.batch;
      for (const kv of ['cross_attn.k_img', 'cross_attn.v_img']) {
        const w = weightCast(kv, dLin, d);
        gemm(kv, ci, dLin, d, 'bf16');
        if (w) b.free(w);
        if (o.loraRank) loraDelta(kv, ci, dLin, d, o.loraRank, `${kv}.out`);
      }
      ew('cross_attn.norm_k_img', 'norm', ci * dLin * 16, normKernels);
      attentionCall(b, { name: 'cross_attn.attention_img', batch: o.batch, heads: dit.heads / o.tp, lq: lqCross, lk: imgTokens, headDim: dit.headDim, kernel: o.kernel },
        { outputs: [['cattn_img', L * dLin * ACT, 'activations']] });
    }
    attentionCall(b, { name: 'cross_attn.attention', batch: o.batch, heads: dit.heads / o.tp, lq: lqCross, lk: dit.textLen, headDim: dit.headDim, kernel: o.kernel },
      { outputs: [['cattn', L * dLin * ACT, 'activations']], frees: ['cqn'] });
    if (imgTokens) ew('cross_attn.add_img', 'binary', L * dLin * 3 * ACT, 1, { frees: ['cattn_img'] });
    linearOp('cross_attn.o', { tensor: 'cattn', fp32: false }, L, d, dLin, 'y_ca', 'cross');
    b.free('cattn');
    tpAllReduce('cross_attn.o');
    sites.crossResidual('y_ca');
    // --- FFN ---
    const xf = sites.modulate('norm2_modulate', 'xf');
    linearOp('ffn.0', xf, L, fLin, d, 'h', 'ffn');
    b.free('xf');
    sites.gelu('h', 'hg', L * fLin);
    linearOp('ffn.2', { tensor: 'hg', fp32: false }, L, d, fLin, 'y_ffn', 'ffn');
    b.free('hg');
    tpAllReduce('ffn.2');
    sites.gatedResidual('ffn.residual', 'y_ffn', true);
    b.free('e');
    if (o.fsdp && o.fsdp > 1) b.free('fsdp.block', 'fsdp.prefetch');
  };

  // blocks that differ (bf16 ends of a quantised model, dense first layers of sparse attention) get their
  // own section; the rest repeat as one
  const count = o.part === 'block' ? 1 : layers;
  for (const g of blockGroups(count, o)) {
    b.section('block', g.count);
    quantHere = g.quantized;
    block(g.density);
  }

  if (o.part === 'block') {
    b.free('x', 'e0', 'context');
    return { builder: b, blockWeightBytes, localTokens: L };
  }
  b.section('head');
  // head: LayerNorm, modulation (2 rows), Linear(d → patch·out) in fp32 autocast; then unpatchify and .float()
  const headOut = dit.outChannels * dit.patch[0] * dit.patch[1] * dit.patch[2];
  ew('head.modulate', 'norm', T * 4 * F32, fused ? 1 : 4);
  gemm('head.linear', L, headOut, d, f32mm);
  if (seqShards > 1) {
    // gather_forward: all_gather of the head output over the sequence-parallel group
    b.op({ kind: 'collective', name: 'sp.gather_output', collective: 'allgather', bytes: L * seqShards * headOut * F32, comm: 'sp' });
  }
  ew('head.unpatchify', 'copy', L * seqShards * headOut * 2 * F32, 2);
  b.free('x', 'e0', 'context', 'time.e');
  if (imgTokens) b.free('context.img');
  return { builder: b, blockWeightBytes, localTokens: L };
}

/** bf16 bytes of everything outside the blocks (embeddings, time MLP, head). */
export function embeddingBytes(dit: DitSpec, bytesPerParam = 2): number {
  const D = dit.dim;
  const patch = dit.patch[0] * dit.patch[1] * dit.patch[2];
  const params =
    dit.inChannels * D * patch + D + (dit.textDim * D + D + D * D + D) + (dit.freqDim * D + D + D * D + D) + (6 * D * D + 6 * D) + (D * patch * dit.outChannels + patch * dit.outChannels + 2 * D) + imageEmbeddingParams(dit);
  return params * bytesPerParam;
}
