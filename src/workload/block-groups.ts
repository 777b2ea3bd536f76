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
 *    xfuser/core/utils/runner_utils.py:335-357): abs and max over the whole activation (2 kernels), then
 *    divide, clamp and cast (3 kernels); compiled, inductor fuses them into a reduction and a cast;
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
  const ew = (n: string, kind: 'reduce' | 'cast_down', bytes: number, kernels: number, mem = {}) => b.op({ kind: 'elementwise', name: n, ew: kind, bytes, kernels }, mem);
  const mem = { outputs: [[out, E, 'activations']] as [string, number, string][] };
  if (activation === 'token') ew(`${name}.quantize_per_token`, 'cast_down', E * (inBytes + 1) + rows * DTYPE_BYTES.fp32, 1, mem);
  else if (activation === 'tensor-static') ew(`${name}.quantize_per_tensor`, 'cast_down', E * (inBytes + 1), 1, mem);
  else if (style === 'inductor') {
    ew(`${name}.amax`, 'reduce', E * inBytes, 1);
    ew(`${name}.scale_cast`, 'cast_down', E * (inBytes + 1), 1, mem);
  } else {
    ew(`${name}.abs_max`, 'reduce', E * (2 * inBytes + inBytes), 2);
    ew(`${name}.div_clamp_cast`, 'cast_down', E * (4 * inBytes + inBytes + 1), 3, mem);
  }
}
