/**
 * Which operator builder runs each stage of a non-Wan model, and the sizes the cost model needs from it:
 * the DiT forward of each family, the Hugging Face text encoders (calls per request as each pipeline makes
 * them), the family's VAE decode, and the bytes of weights as each pipeline keeps them on the GPU.
 * perf/stage-builds.ts, weights.ts and encode-decode-cost.ts call these for every model whose `family` is not
 * 'wan'; Wan keeps its own builders (dit.ts, text-encoder.ts, vae.ts).
 */
import type { DitForward, DitForwardOptions } from '../dit.ts';
import type { StageBuilder } from '../ops.ts';
import type { FamilyDitSpec, FamilyVaeSpec, HfTextEncoderSpec, TextEncoderStack } from './specs.ts';
import { buildHunyuanForward } from './hunyuan-video.ts';
import { buildHunyuan15Forward } from './hunyuan-video-15.ts';
import { buildCogVideoXForward } from './cogvideox.ts';
import { buildLtxForward } from './ltx-video.ts';
import { buildMochiForward } from './mochi.ts';
import { buildHfTextEncode } from './hf-text-encode.ts';
import { buildFamilyVaeDecode, decodeCalls, type FamilyDecodeOptions } from './vae-decoders.ts';
import { encoderBytes } from './text-encoder-specs.ts';
import { familyParamSplit } from './params.ts';

export function buildFamilyDitForward(dit: FamilyDitSpec, o: DitForwardOptions): DitForward {
  switch (dit.family) {
    case 'hunyuan-video':
      return buildHunyuanForward(dit, o);
    case 'hunyuan-video-1.5':
      return buildHunyuan15Forward(dit, o);
    case 'cogvideox':
      return buildCogVideoXForward(dit, o);
    case 'ltx-video':
      return buildLtxForward(dit, o);
    case 'mochi':
      return buildMochiForward(dit, o);
  }
}

export interface StackEncodeOptions {
  /** Classifier-free guidance: the negative prompt is encoded too. */
  cfg: boolean;
  weightsResident: boolean;
  fp32Matmul: 'ieee' | 'tf32';
  fsdp?: number;
}

/** Prompts each encoder encodes per request: the prompt, and the negative prompt when real CFG is on. */
export function encoderCalls(cfg: boolean): number {
  return cfg ? 2 : 1;
}

/** Calls of one encoder per request: the stack's own rule (HunyuanVideo-1.5), else prompt + negative prompt with CFG. */
export function stackEncoderCalls(te: TextEncoderStack, e: HfTextEncoderSpec, cfg: boolean): number {
  return te.callsPerRequest ? te.callsPerRequest(e, cfg) : encoderCalls(cfg);
}

export function buildStackTextEncode(te: TextEncoderStack, o: StackEncodeOptions): StageBuilder {
  return buildHfTextEncode(te.encoders, { calls: encoderCalls(o.cfg), weightsResident: o.weightsResident, fp32Matmul: o.fp32Matmul, fsdp: o.fsdp, callsOf: (e) => stackEncoderCalls(te, e, o.cfg) });
}

/** Text-encoder weights as the pipeline keeps them on the GPU (fp16 LLaVA + CLIP, bf16 T5, Mochi's fp32 T5). */
export function stackBytes(te: TextEncoderStack): number {
  return te.encoders.reduce((a, e) => a + encoderBytes(e), 0);
}

/** FLOPs of the text encoders' linear layers for one request (2 · params · tokens per call): the host-CPU path. */
export function stackEncodeFlops(te: TextEncoderStack, cfg: boolean): number {
  return te.encoders.reduce((a, e: HfTextEncoderSpec) => a + 2 * e.blockParams * e.tokens * stackEncoderCalls(te, e, cfg), 0);
}

export function buildFamilyDecode(vae: FamilyVaeSpec, o: FamilyDecodeOptions): StageBuilder {
  return buildFamilyVaeDecode(vae, o);
}

/** VAE weights resident on the GPU (the dtype the pipeline decodes in). */
export function familyVaeBytes(vae: FamilyVaeSpec): number {
  return vae.params * (vae.dtype === 'fp32' ? 4 : 2);
}

/** Parameters outside the DiT blocks (what FSDP keeps gathered: embeddings, refiner, final layer). */
export function familyOutsideParams(dit: FamilyDitSpec): number {
  return familyParamSplit(dit).outside;
}

/** Decoder calls of a request (tiles × frame batches), for the report. */
export function familyDecodeCalls(vae: FamilyVaeSpec, o: { t: number; h: number; w: number; shards: number; tiled?: boolean }): number {
  return decodeCalls(vae, o).reduce((a, c) => a + c.count, 0);
}

/**
 * Python-loop iterations of a decode that serialise on the host: HunyuanVideo builds each tile's frame-causal
 * attention mask row by row (`for i in range(seq_len): mask[i, :(i_frame + 1) * n_hw] = 0`,
 * Tencent/HunyuanVideo@fa14b00:hyvideo/vae/unet_causal_3d_blocks.py:37-45): one slice fill per mid-block token.
 */
export function familyDecodeHostLoops(vae: FamilyVaeSpec, o: { t: number; h: number; w: number; shards: number; tiled?: boolean }): number {
  // HunyuanVideo-1.5's VAE builds its mask the same way (hunyuanvideo_15_vae.py:163-183)
  if (vae.id !== 'hunyuan-video-vae' && vae.id !== 'hunyuan-video-15-vae') return 0;
  return decodeCalls(vae, o).reduce((a, c) => a + c.count * c.t * c.h * c.w, 0);
}

/** A line describing the text encoders of a request (the estimate's stage table). */
export function stackDetail(te: TextEncoderStack, cfg: boolean): string {
  return te.encoders.map((e) => {
    const n = stackEncoderCalls(te, e, cfg);
    return `${e.id} (${e.dtype}) ${n} call${n > 1 ? 's' : ''} × ${e.tokens} tokens`;
  }).join(' + ');
}
