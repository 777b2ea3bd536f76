/**
 * The model zoo: Wan2.1 / Wan2.2 video diffusion models as the official code runs them, and the other
 * families (HunyuanVideo, CogVideoX, LTX-Video, Mochi: families/zoo.ts).
 * The types every model has, the Wan models' own (their data: wan-models.ts, with every fact's source), and
 * the formulas over them: parameter counts, latent shapes, the expert schedule.
 */
import type { AttentionKernel } from './ops.ts';
import type {
  CogDitSpec, FamilyDitSpec, FamilyVaeSpec, Hunyuan15DitSpec, HunyuanDitSpec, LtxDitSpec, MochiDitSpec, ModelFamily, ParallelSupport, SamplerSpec, TextEncoderStack,
} from './families/specs.ts';
import { FAMILY_MODELS } from './families/zoo.ts';
import { familyDitParams } from './families/params.ts';
import { WAN_MODELS } from './wan-models.ts';

export type { ModelFamily } from './families/specs.ts';
export { UMT5_XXL, WAN21_VAE, WAN22_VAE, CLIP_VIT_H_14, WAN_MODELS } from './wan-models.ts';

/** A Wan DiT (`family` absent or 'wan'); the other families' DiTs are in families/specs.ts. */
export interface DitSpec {
  family?: 'wan';
  dim: number;
  ffnDim: number;
  heads: number;
  headDim: number;
  layers: number;
  /** (t, h, w) patch of the 3D patch embedding. */
  patch: [number, number, number];
  inChannels: number;
  outChannels: number;
  /** Sinusoidal timestep embedding width. */
  freqDim: number;
  /** Text tokens the cross-attention always sees (umT5 output zero-padded to this length). */
  textLen: number;
  textDim: number;
  /**
   * Wan2.2 code expands the timestep to one per token, so the time MLP, the 6-way modulation tensor e0
   * [L, 6, d] and its per-block add run per token in fp32; Wan2.1 code computes it once per sample.
   */
  perTokenTimestep: boolean;
  /**
   * Wan2.1 I2V: CLIP image tokens the cross-attention also attends to (WanI2VCrossAttention: k_img, v_img,
   * norm_k_img and a second attention, added to the text attention's output), after the img_emb MLP
   * (LayerNorm, Linear, GELU, Linear, LayerNorm) from `imageDim` to dim.
   */
  imageTokens?: number;
  imageDim?: number;
}

/** The CLIP ViT-H/14 image encoder of Wan2.1 I2V (wan/modules/clip.py: 32 layers of which 31 run, width 1280). */
export interface ImageEncoderSpec {
  id: 'clip-vit-h-14';
  /** Blocks run (visual(..., use_31_block=True)). */
  layers: number;
  dim: number;
  mlpDim: number;
  heads: number;
  /** 16 × 16 patches of a 224-pixel image + the class token. */
  tokens: number;
  /** Conv patch embedding input: 3 channels × 14 × 14. */
  patchK: number;
  /** Weights as loaded (fp16, visual and text towers). */
  residentBytes: number;
}

export interface VaeSpec {
  id: 'wan2.1-vae' | 'wan2.2-vae';
  zDim: number;
  /** (t, h, w) compression of pixels to latents. */
  stride: [number, number, number];
  /** Decoder base width and multipliers; see workload/vae.ts for the layer walk. */
  decoderDim: number;
  dimMult: number[];
  numResBlocks: number;
  /** Wan2.2 VAE patchifies pixels 2x2 before the convolutions. */
  patchify: number;
  /** fp32 checkpoint size, bytes. */
  checkpointBytes: number;
  params: number;
}

export interface TextEncoderSpec {
  id: 'umt5-xxl';
  layers: number;
  dim: number;
  ffnDim: number;
  heads: number;
  vocab: number;
  tokens: number;
  /** Parameters in the encoder blocks (excluding the token embedding). */
  blockParams: number;
  embeddingParams: number;
  checkpointBytes: number;
}

export interface ExpertSchedule {
  /** Steps with t >= boundary * 1000 use the high-noise expert. */
  boundary: number;
  shift: number;
}

/** What every model has, whatever its family. */
interface ModelBase {
  id: string;
  name: string;
  task: 't2v' | 'i2v' | 'ti2v';
  /** 1, or 2 for the A14B two-expert models (one full DiT per expert, timestep-routed). */
  experts: 1 | 2;
  expertSchedule?: ExpertSchedule;
  /** The sampler as the official script runs it (steps come from `defaults`). */
  sampler: SamplerSpec;
  /** Parallel modes the public inference code implements. */
  parallel: ParallelSupport;
  /** Attention kernel the official code calls on Hopper (undefined: FlashAttention-3 there, as Wan's code prefers). */
  attention?: AttentionKernel;
  /** The official pipeline tiles the VAE decode (non-Wan families; default true where the decoder tiles). */
  vaeTiling?: boolean;
  /** Frames must be k·n + 1 (default: the VAE's temporal stride). */
  frameModulus?: number;
  /** Checkpoint release used for the numbers (a repository and commit, or a model card). */
  release?: string;
  defaults: { steps: number; frames: number; width: number; height: number; fps: number; guidance: boolean };
  /** W×H sizes the official code supports. */
  sizes: [number, number][];
  /** What reading the model assumed, printed with an estimate's notes (a user's config: the keys vgsim did not read). */
  notes?: string[];
  /** The one W×H the DiT can run at, and why (a learned position table of fixed size); undefined: any size the shape rules allow. */
  onlySize?: { width: number; height: number; why: string };
  /** DiT checkpoint dtype on disk in the official release. */
  checkpointDtype: 'fp32' | 'bf16';
  /**
   * DiT weight dtype on the GPU as the model's official script runs it on one GPU: Wan2.2's README
   * commands pass --convert_model_dtype (bf16); Wan2.1's generate.py has no such flag and keeps the fp32
   * checkpoint, which autocast casts per layer.
   */
  officialWeightDtype: 'bf16' | 'fp32';
  /** Whether I2V encodes the conditioning clip with the VAE before sampling (A14B I2V: full clip on every rank). */
  vaeEncodeFrames: 'none' | 'clip' | 'image';
  sources: Record<string, string>;
}

export interface WanModel extends ModelBase {
  family: 'wan';
  dit: DitSpec;
  vae: VaeSpec;
  textEncoder: TextEncoderSpec;
  /** Wan2.1 I2V's CLIP image encoder (run once per request on the conditioning image). */
  imageEncoder?: ImageEncoderSpec;
}
export interface HunyuanVideoModel extends ModelBase {
  family: 'hunyuan-video';
  dit: HunyuanDitSpec;
  vae: FamilyVaeSpec;
  textEncoder: TextEncoderStack;
}
export interface HunyuanVideo15Model extends ModelBase {
  family: 'hunyuan-video-1.5';
  dit: Hunyuan15DitSpec;
  vae: FamilyVaeSpec;
  textEncoder: TextEncoderStack;
}
export interface CogVideoXModel extends ModelBase {
  family: 'cogvideox';
  dit: CogDitSpec;
  vae: FamilyVaeSpec;
  textEncoder: TextEncoderStack;
}
export interface LtxVideoModel extends ModelBase {
  family: 'ltx-video';
  dit: LtxDitSpec;
  vae: FamilyVaeSpec;
  textEncoder: TextEncoderStack;
}
export interface MochiModel extends ModelBase {
  family: 'mochi';
  dit: MochiDitSpec;
  vae: FamilyVaeSpec;
  textEncoder: TextEncoderStack;
}

export type ModelSpec = WanModel | HunyuanVideoModel | HunyuanVideo15Model | CogVideoXModel | LtxVideoModel | MochiModel;
/** The non-Wan models. */
export type FamilyModel = Exclude<ModelSpec, WanModel>;
/** Any DiT spec (Wan's or a family's). */
export type AnyDitSpec = DitSpec | FamilyDitSpec;


export const MODELS: readonly ModelSpec[] = [...WAN_MODELS, ...FAMILY_MODELS];

/** Whether a DiT spec is Wan's (its builder is dit.ts). */
export function isWanDit(d: AnyDitSpec): d is DitSpec {
  return d.family === undefined || d.family === 'wan';
}

/** The model as a Wan model (its Wan-only fields), or an error naming its family. */
export function asWan(m: ModelSpec): WanModel {
  if (m.family !== 'wan') throw new Error(`${m.id} is a ${m.family} model, not a Wan model`);
  return m;
}

/** DiT parameter count: Wan's (wan-architecture.md §A.1 formula; matches the checkpoint sizes exactly) or the family's. */
export function ditParams(d: AnyDitSpec): number {
  if (!isWanDit(d)) return familyDitParams(d);
  const { dim: D, ffnDim: F, inChannels, outChannels, freqDim, textDim } = d;
  const patch = d.patch[0] * d.patch[1] * d.patch[2];
  const perBlock = 2 * (4 * (D * D + D) + 2 * D) + 2 * D + (2 * D * F + F + D) + 6 * D;
  const embeddings = inChannels * D * patch + D + (textDim * D + D + D * D + D) + (freqDim * D + D + D * D + D) + (6 * D * D + 6 * D);
  const head = D * patch * outChannels + patch * outChannels + 2 * D;
  return d.layers * (perBlock + imageCrossParams(d)) + embeddings + head + imageEmbeddingParams(d);
}

/** Per block: WanI2VCrossAttention's k_img, v_img (Linear d→d with bias) and norm_k_img (d); 0 without image tokens. */
export function imageCrossParams(d: DitSpec): number {
  return d.imageTokens ? 2 * (d.dim * d.dim + d.dim) + d.dim : 0;
}

/** img_emb (MLPProj): LayerNorm(in), Linear(in, in), GELU, Linear(in, dim), LayerNorm(dim); 0 without image tokens. */
export function imageEmbeddingParams(d: DitSpec): number {
  const i = d.imageDim ?? 0;
  return d.imageTokens ? 2 * i + (i * i + i) + (i * d.dim + d.dim) + 2 * d.dim : 0;
}

/** Latent grid and DiT token count for a request (wan-architecture.md §A.6). */
export function latentShape(model: ModelSpec, width: number, height: number, frames: number) {
  const [st, sh, sw] = model.vae.stride;
  const t = Math.floor((frames - 1) / st) + 1;
  const h = Math.floor(height / sh);
  const w = Math.floor(width / sw);
  const [pt, ph, pw] = model.dit.patch;
  // CogVideoX 1.5 pads the latent frames to a multiple of its temporal patch (pipeline_cogvideox.py:680-687)
  const tokens = Math.ceil(t / pt) * Math.floor(h / ph) * Math.floor(w / pw);
  return { channels: model.vae.zDim, t, h, w, tokens };
}

/**
 * Steps that use the high-noise expert: the official UniPC scheduler's timesteps
 * (sigmas = linspace(0.999, 0, N+1)[:-1]; σ' = shift·σ/(1+(shift−1)·σ); t = int(σ'·1000)), compared with
 * boundary·1000 (wan-architecture.md §A.4).
 */
export function highNoiseSteps(schedule: ExpertSchedule, steps: number): number {
  let high = 0;
  for (let i = 0; i < steps; i++) {
    const sigma = 0.999 - (0.999 * i) / steps;
    const shifted = (schedule.shift * sigma) / (1 + (schedule.shift - 1) * sigma);
    const t = Math.floor(shifted * 1000);
    if (t >= schedule.boundary * 1000) high++;
  }
  return high;
}
