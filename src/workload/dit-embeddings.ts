/**
 * The part of a Wan DiT forward before the blocks (official code: wan/modules/model.py WanModel.forward): the
 * patch embedding on the full sequence, the text embedding of the 512 padded umT5 tokens, Wan2.1 I2V's img_emb
 * on the CLIP tokens, and the timestep embedding (sinusoid in float64, time MLP and projection under fp32
 * autocast; one row per token in Wan2.2's code, per sample in Wan2.1's). Leaves x.full, context (and
 * context.img), time.e and e0 allocated for dit.ts.
 */
import { DTYPE_BYTES, type Dtype, type ElementwiseKind, type StageBuilder } from './ops.ts';
import type { DitSpec } from './models.ts';

const ACT = DTYPE_BYTES.bf16;
const F32 = DTYPE_BYTES.fp32;
const F64 = DTYPE_BYTES.fp64;

export function embeddings(b: StageBuilder, dit: DitSpec, o: { rows: number; timeRows: number; batch: number; f32mm: Dtype }): void {
  const d = dit.dim;
  const Lfull = o.rows;
  const tRows = o.timeRows;
  const f32mm = o.f32mm;
  const imgTokens = dit.imageTokens ?? 0;
  const ew = (name: string, kind: ElementwiseKind, bytes: number, kernels = 1, mem: Parameters<StageBuilder['op']>[1] = {}) =>
    b.op({ kind: 'elementwise', name, ew: kind, bytes, kernels }, mem);
  const gemm = (name: string, m: number, n: number, k: number, dtype: Dtype, mem: Parameters<StageBuilder['op']>[1] = {}) =>
    b.op({ kind: 'gemm', name, m, n, k, dtype, batch: 1 }, mem);
  b.section('embed');
  // patch embedding (Conv3d with stride = kernel → a GEMM over patches), on the full sequence
  const patchK = dit.inChannels * dit.patch[0] * dit.patch[1] * dit.patch[2];
  gemm('patch_embedding', Lfull, d, patchK, 'bf16', { outputs: [['x.full', Lfull * d * ACT, 'activations']] });
  // text embedding: Linear(4096→d), GELU, Linear(d→d) on 512 padded tokens per video
  gemm('text_embedding.0', dit.textLen * o.batch, d, dit.textDim, 'bf16', { outputs: [['context', dit.textLen * o.batch * d * ACT, 'context']] });
  ew('text_embedding.gelu', 'activation', dit.textLen * o.batch * d * 2 * ACT);
  gemm('text_embedding.2', dit.textLen * o.batch, d, d, 'bf16');
  if (imgTokens) {
    // img_emb (MLPProj) on the CLIP tokens: LayerNorm, Linear, GELU, Linear to dim, LayerNorm; concatenated
    // in front of the text context
    const ri = imgTokens * o.batch;
    const di = dit.imageDim ?? d;
    ew('img_emb.norms', 'norm', ri * (di + d) * 2 * ACT, 2);
    gemm('img_emb.0', ri, di, di, 'bf16');
    ew('img_emb.gelu', 'activation', ri * di * 2 * ACT);
    gemm('img_emb.3', ri, d, di, 'bf16');
    ew('img_emb.concat_context', 'copy', (dit.textLen + imgTokens) * o.batch * d * 2 * ACT, 1, { outputs: [['context.img', ri * d * ACT, 'context']] });
  }

  b.section('time_embedding');
  // sinusoidal embedding (fp64 → fp32), then time_embedding and time_projection in fp32 (autocast fp32)
  ew('time.sinusoid', 'complex', tRows * dit.freqDim * (F64 + F32) * 2, 6, { outputs: [['time.sin', tRows * dit.freqDim * F32, 'modulation']] });
  gemm('time_embedding.0', tRows, d, dit.freqDim, f32mm, { outputs: [['time.h', tRows * d * F32, 'modulation']], frees: ['time.sin'] });
  ew('time_embedding.silu', 'activation', tRows * d * 2 * F32);
  gemm('time_embedding.2', tRows, d, d, f32mm, { outputs: [['time.e', tRows * d * F32, 'modulation']], frees: ['time.h'] });
  ew('time_projection.silu', 'activation', tRows * d * 2 * F32, 1, { outputs: [['time.es', tRows * d * F32, 'modulation']] });
  gemm('time_projection', tRows, 6 * d, d, f32mm, { outputs: [['e0', tRows * 6 * d * F32, 'modulation']], frees: ['time.es'] });
}
