/**
 * Blocks of a DiT forward that are built differently: quantised linears (and the bf16 blocks an engine keeps at
 * the ends), dense attention in the first layers of a sparse method. dit.ts builds one section per run.
 */
import { DTYPE_BYTES, type StageBuilder } from './ops.ts';
import type { BlockStyle } from './dit-kernels.ts';

/**
 * Quantised linear layers as serving engines run them: weights stored in fp8/int8 (per output channel or per
 * tensor), activations quantised on every call, the GEMM applying both scales in its epilogue.
 *  - activation 'token': one kernel per linear reads the bf16 activation and writes fp8/int8 plus a scale per
 *    row (sgl_kernel.sgl_per_token_quant_fp8, ModelTC/LightX2V@f8aee98:lightx2v/common/ops/mm/mm_weight.py:1812-1870);
 *  - 'tensor-dynamic': torchao's dynamic per-tensor scale in eager PyTorch (xdit-project/xDiT@175e0bf:
 *    xfuser/core/utils/runner_utils.py:335-357): abs and a full-tensor max (2 kernels), the scale (2 launches on
 *    a scalar), then divide (PyTorch's non-vectorised loop: the scale is a 0-dim CUDA tensor), clamp and cast
 *    (perTensorDynamicEager); compiled, inductor fuses them into a reduction and a cast;
 *  - 'tensor-static': a calibrated per-tensor scale (ModelOpt FP8): one scale-and-cast kernel.
 */
export interface LinearQuant {
  dtype: 'fp8' | 'int8';
  activation: 'token' | 'tensor-dynamic' | 'tensor-static';
  /** Which block linears: self-attention q/k/v/o, cross-attention q/k/v/o, FFN. */
  groups: readonly ('self' | 'cross' | 'ffn')[];
  /** Blocks kept in bf16 at the start and at the end (xDiT keeps Wan2.1's first and last 10). */
  denseBlocks?: { first: number; last: number };
}

/** Consecutive runs of blocks built alike: whether their linears are quantised and their attention density. */
export function blockGroups(count: number, o: { linearQuant?: LinearQuant; density?: number; denseLayers?: number }): { count: number; quantized: boolean; density: number }[] {
  const density = o.density ?? 1;
  const dense = Math.min(count, o.denseLayers ?? 0);
  const first = Math.min(count, o.linearQuant?.denseBlocks?.first ?? 0);
  const last = Math.min(count - first, o.linearQuant?.denseBlocks?.last ?? 0);
  const out: { count: number; quantized: boolean; density: number }[] = [];
  for (let i = 0; i < count; i++) {
    const g = { quantized: !!o.linearQuant && i >= first && i < count - last, density: i < dense ? 1 : density };
    const prev = out[out.length - 1];
    if (prev && prev.quantized === g.quantized && prev.density === g.density) prev.count++;
    else out.push({ count: 1, ...g });
  }
  return out;
}

/**
 * The activation quantisation of one quantised linear's input ([rows, k], `inBytes` per element) into `out`
 * (fp8/int8, rows × k bytes), as the scheme's kernels run it (see LinearQuant); `style` 'inductor' is the
 * compiled dynamic per-tensor path. calibration/engines_bench.py `quant` times these passes
 * (src/perf/engine-kernels.ts compares).
 */
export function activationQuantization(b: StageBuilder, activation: LinearQuant['activation'], style: BlockStyle, name: string, rows: number, k: number, inBytes: number, out: string): void {
  const E = rows * k;
  const mem = { outputs: [[out, E, 'activations']] as [string, number, string][] };
  if (activation === 'token') quantOp(b, `${name}.quantize_per_token`, 'cast_down', E * (inBytes + 1) + rows * DTYPE_BYTES.fp32, 1, mem);
  else if (activation === 'tensor-static') quantOp(b, `${name}.quantize_per_tensor`, 'cast_down', E * (inBytes + 1), 1, mem);
  else if (style === 'inductor') {
    // inductor's split reduction at its own rate, then one small kernel: the max of the partials and the scale
    quantOp(b, `${name}.amax`, 'reduce_full_split', E * inBytes, 1);
    quantOp(b, `${name}.amax_scale`, 'copy', 2 * 2 * DTYPE_BYTES.fp32, 1);
    quantOp(b, `${name}.scale_cast`, 'cast_down', E * (inBytes + 1), 1, mem);
  } else perTensorDynamicEager(b, name, rows * k, inBytes, mem);
}

/**
 * Dynamic per-tensor quantisation as eager PyTorch runs it (`s = x.abs().max().float() / 448;
 * (x / s).clamp(-448, 448).to(float8_e4m3fn)`), one op per kernel:
 *  - abs: a vectorised unary pass (read + write, the copy rate);
 *  - max: a full-tensor reduction to one scalar, at its measured rate (perf/full-reduction.ts, 'reduce_full');
 *  - .float() and / 448 on that scalar: two launches, no traffic to speak of;
 *  - x / s: s is a 0-dim CUDA tensor, not a CPU scalar, so TensorIterator sees a broadcast (stride-0) operand and
 *    the op is not contiguous: PyTorch runs its non-vectorised loop (pytorch/pytorch aten/src/ATen/native/cuda/
 *    CUDALoops.cuh gpu_kernel_impl: `if (contiguous) launch_vectorized_kernel ... else launch_legacy_kernel`
 *    with an OffsetCalculator; with a bf16 x the fp32 scale also takes the dynamic-casting branch), priced at that
 *    loop's measured rate (`strided`, perf/sm-bound-elementwise.ts; calibrated on VAE bias adds, not here);
 *  - clamp with Python scalars: vectorised, read + write;
 *  - .to(float8_e4m3fn): a narrowing cast, read `inBytes` + write 1.
 * Checked (held out) by engines_bench.py `quant` per_tensor_dynamic_fp8_eager and `reduce` abs_max_eager /
 * scale_cast_eager (src/perf/engine-kernels.ts).
 */
export function perTensorDynamicEager(b: StageBuilder, name: string, elements: number, inBytes: number, mem: OpMemory = {}): void {
  const E = elements;
  quantOp(b, `${name}.abs`, 'copy', 2 * E * inBytes, 1);
  quantOp(b, `${name}.max`, 'reduce_full', E * inBytes, 1);
  quantOp(b, `${name}.scale`, 'copy', 2 * (DTYPE_BYTES.fp32 + DTYPE_BYTES.fp32), 2);
  quantOp(b, `${name}.divide`, 'binary', 2 * E * inBytes, 1, {}, true);
  quantOp(b, `${name}.clamp`, 'copy', 2 * E * inBytes, 1);
  quantOp(b, `${name}.cast`, 'cast_down', E * (inBytes + 1), 1, mem);
}

type QuantKind = 'reduce_full' | 'reduce_full_split' | 'cast_down' | 'copy' | 'binary';
type OpMemory = Parameters<StageBuilder['op']>[1];

/** One elementwise op of a quantisation pass; `strided`: PyTorch's non-vectorised loop (an operand is broadcast). */
function quantOp(b: StageBuilder, name: string, kind: QuantKind, bytes: number, kernels: number, mem: OpMemory = {}, strided = false): void {
  b.op({ kind: 'elementwise', name, ew: kind, bytes, kernels, ...(strided ? { strided } : {}) }, mem);
}
