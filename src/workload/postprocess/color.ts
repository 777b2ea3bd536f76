/**
 * Color correction of one frame, as calibration/postprocess_bench.py runs it in eager PyTorch on a fp16/bf16
 * RGB frame: a 3×3 color matrix (einsum), an offset, a clamp and a gamma — four memory-bound passes, each
 * reading and writing the frame (no network, no FLOPs worth pricing); and the conversion of the final RGB
 * frame to 8-bit YUV 4:2:0 for the encoder (read 3 channels, write 1.5 bytes per pixel), when the encoder is
 * fed from the GPU.
 */
import { DTYPE_BYTES, StageBuilder } from '../ops.ts';
import type { NetDtype } from './frame-net.ts';

export function buildColorCall(width: number, height: number, dtype: NetDtype): StageBuilder {
  const b = new StageBuilder().section('color');
  const frame = 3 * width * height * DTYPE_BYTES[dtype];
  b.alloc('frame', frame, 'postprocess_activations');
  b.op({ kind: 'elementwise', name: 'color.matrix', ew: 'binary', bytes: 2 * frame, kernels: 1 }, { outputs: [['y', frame, 'postprocess_activations']] });
  b.op({ kind: 'elementwise', name: 'color.offset', ew: 'binary', bytes: 2 * frame, kernels: 1 }, { outputs: [['z', frame, 'postprocess_activations']], frees: ['y'] });
  b.op({ kind: 'elementwise', name: 'color.clamp', ew: 'binary', bytes: 2 * frame, kernels: 1 });
  b.op({ kind: 'elementwise', name: 'color.gamma', ew: 'activation', bytes: 2 * frame, kernels: 1 });
  b.free('z', 'frame');
  return b;
}

/** RGB (fp16/bf16) → 8-bit YUV 4:2:0 of one frame on the GPU, before NVENC. */
export function buildYuvCall(width: number, height: number, dtype: NetDtype): StageBuilder {
  const b = new StageBuilder().section('to_yuv420');
  const px = width * height;
  b.op({ kind: 'elementwise', name: 'rgb_to_yuv420', ew: 'cast_down', bytes: 3 * px * DTYPE_BYTES[dtype] + 1.5 * px, kernels: 2 });
  return b;
}
