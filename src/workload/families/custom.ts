/**
 * User-defined DiTs of the non-Wan families: a zoo model of the family with overrides (a scenario's
 * `models:` entry whose base is a HunyuanVideo, CogVideoX, LTX-Video or Mochi model), or a diffusers
 * `transformer/config.json` of HunyuanVideoTransformer3DModel, HunyuanVideo15Transformer3DModel,
 * CogVideoXTransformer3DModel, LTXVideoTransformer3DModel or MochiTransformer3DModel (keys as the diffusers
 * classes define them: huggingface/diffusers@58eb52c:src/diffusers/models/transformers/transformer_hunyuan_video.py:904-925,
 * transformer_hunyuan_video15.py:562-584,
 * cogvideox_transformer_3d.py:222-251, transformer_ltx.py:417-460, transformer_mochi.py:345-356).
 * The VAE, text encoders, sampler and parallel support stay the base model's.
 */
import { InputError, shown, type InputIssue } from '../../errors.ts';
import { configIntProblem, headSplitProblem } from '../config-limits.ts';
import type { FamilyModel, ModelSpec } from '../models.ts';
import type { CogDitSpec, FamilyDitSpec, Hunyuan15DitSpec, HunyuanDitSpec, LtxDitSpec, MochiDitSpec } from './specs.ts';

/** The overrides a scenario's `models:` entry may give (the scenario schema's `dit` keys). */
export interface DitOverrides {
  dim?: number;
  ffn_dim?: number;
  heads?: number;
  head_dim?: number;
  layers?: number;
  in_channels?: number;
  out_channels?: number;
  patch?: [number, number, number];
  per_token_timestep?: boolean;
  text_len?: number;
}

/** A family model with DiT overrides; keys that mean nothing for the family are an InputError. */
export function familyCustomModel(base: FamilyModel, m: { id: string; name?: string; dit?: DitOverrides; experts?: 1 | 2; boundary?: number; shift?: number; vae?: string; defaults?: Partial<ModelSpec['defaults']> }, source = 'models'): ModelSpec {
  const issues: InputIssue[] = [];
  const bad = (path: string, why: string) => issues.push({ source, path, message: `${why} (base ${base.id} is a ${base.family} model)`, hint: 'set the architecture with a diffusers transformer/config.json (diffusers_config), or pick a Wan base' });
  if (m.experts === 2 || m.boundary !== undefined || m.shift !== undefined) bad('experts', 'two-expert (A14B-style) schedules exist for Wan models only');
  if (m.vae !== undefined) bad('vae', `the ${m.vae} is a Wan VAE; the family's own VAE is used`);
  const d = m.dit ?? {};
  if (d.per_token_timestep !== undefined) bad('dit.per_token_timestep', 'per-token timesteps are a Wan2.2 feature');
  if (d.layers !== undefined && base.family === 'hunyuan-video') bad('dit.layers', 'HunyuanVideo has dual- and single-stream blocks (num_layers, num_single_layers)');
  if (issues.length) throw new InputError(issues);
  const heads = d.heads ?? base.dit.heads;
  const dim = d.dim ?? (d.head_dim ? d.head_dim * heads : base.dit.dim);
  const split = headSplitProblem(dim, heads, source, 'dit.dim');
  if (split) throw new InputError([split]);
  const dit = {
    ...base.dit,
    dim,
    heads,
    headDim: dim / heads,
    ffnDim: d.ffn_dim ?? (base.dit.ffnDim / base.dit.dim) * dim,
    layers: d.layers ?? base.dit.layers,
    inChannels: d.in_channels ?? base.dit.inChannels,
    outChannels: d.out_channels ?? base.dit.outChannels,
    patch: d.patch ?? base.dit.patch,
    textLen: d.text_len ?? base.dit.textLen,
  } as FamilyDitSpec;
  return withDit(base, dit, { id: m.id, name: m.name ?? m.id, defaults: { ...base.defaults, ...m.defaults }, sources: { ...base.sources, custom: `user-defined (base ${base.id})` } });
}

function withDit(base: FamilyModel, dit: FamilyDitSpec, extra: Pick<ModelSpec, 'id' | 'name' | 'defaults' | 'sources'>, fixed?: Pick<ModelSpec, 'onlySize' | 'sizes' | 'defaults'>): ModelSpec {
  // a user's DiT runs in bf16 unless the inference options say otherwise
  return { ...base, ...extra, dit, officialWeightDtype: base.family === 'mochi' ? base.officialWeightDtype : 'bf16', ...fixed } as ModelSpec;
}

/**
 * A CogVideoX config with `use_learned_positional_embeddings` (CogVideoX-5B-I2V's) holds a position table of its
 * sample size: diffusers' CogVideoXPatchEmbed raises "It is currently not possible to generate videos at a different
 * resolution that the defaults" when the latent differs from sample_width × sample_height
 * (huggingface/diffusers@58eb52c:src/diffusers/models/embeddings.py, CogVideoXPatchEmbed.forward), so the model runs
 * at that size only: the latent's times the VAE's spatial stride (8), which is also its default.
 */
function cogLearnedSize(cfg: Cfg, num: (key: string, fallback?: number) => number, b: FamilyModel): Pick<ModelSpec, 'onlySize' | 'sizes' | 'defaults'> | undefined {
  if (cfg.use_learned_positional_embeddings !== true) return undefined;
  const stride = b.vae.stride[1];
  const width = num('sample_width', 90) * stride;
  const height = num('sample_height', 60) * stride;
  return {
    onlySize: { width, height, why: `use_learned_positional_embeddings: a position table of sample_width ${width / stride} × sample_height ${height / stride} latents; diffusers' CogVideoXPatchEmbed refuses any other size` },
    sizes: [[width, height]],
    defaults: { ...b.defaults, width, height },
  };
}

type Cfg = Record<string, unknown>;

/** Reads a diffusers transformer config of a supported non-Wan class into a model. */
export function familyModelFromConfig(cfg: Cfg, cls: string, file: string, id: string, name: string, zoo: readonly ModelSpec[]): ModelSpec {
  const m = familyModelOf(cfg, cls, file, id, name, zoo);
  return { ...m, notes: [...(m.notes ?? []), ...unreadKeysNote(cfg, CLASS_KEYS_READ[cls as keyof typeof CLASS_KEYS_READ] ?? [], cls, m), ...imageConditionedNote(cfg, cls)] };
}

/**
 * A CogVideoX image-to-video transformer takes the image's latents concatenated to the noisy video's on the
 * channels (diffusers CogVideoXImageToVideoPipeline; CogVideoX-5b-I2V's config: in_channels 32, out_channels 16).
 * Its DiT is priced from the config (the wider patch embedding included); the pipeline's VAE encode of the image
 * is not a stage vgsim runs for this family, and the output says so.
 */
function imageConditionedNote(cfg: Cfg, cls: string): string[] {
  const inC = cfg.in_channels;
  const outC = cfg.out_channels;
  if (cls !== 'CogVideoXTransformer3DModel' || typeof inC !== 'number' || typeof outC !== 'number' || !(inC > outC)) return [];
  return [`${cls} config with in_channels ${inC} > out_channels ${outC}: an image-to-video checkpoint (the image's latents concatenated on the channels); its DiT is priced from the config, but the VAE encode of the conditioning image is not priced (a text-to-video request's stages)`];
}

/**
 * The keys each class's reading below takes from a config (besides _class_name and the other "_" metadata). Every
 * other key is named in a note: vgsim prices the DiT from these, so a key it does not read — a diffusers option
 * that changes no shape (activation_fn, norm_eps), or one that would (a fine-tune's extra num_kv_heads) — is taken
 * as the base model has it, and the user sees which.
 */
const CLASS_KEYS_READ = {
  HunyuanVideoTransformer3DModel: ['num_attention_heads', 'attention_head_dim', 'num_layers', 'num_single_layers', 'num_refiner_layers', 'mlp_ratio', 'patch_size', 'patch_size_t', 'in_channels', 'out_channels', 'text_embed_dim', 'pooled_projection_dim', 'guidance_embeds', 'image_condition_type'],
  HunyuanVideo15Transformer3DModel: ['num_attention_heads', 'attention_head_dim', 'num_layers', 'num_refiner_layers', 'mlp_ratio', 'patch_size', 'patch_size_t', 'in_channels', 'out_channels', 'text_embed_dim', 'text_embed_2_dim', 'image_embed_dim', 'target_size'],
  CogVideoXTransformer3DModel: ['num_attention_heads', 'attention_head_dim', 'num_layers', 'in_channels', 'out_channels', 'time_embed_dim', 'text_embed_dim', 'max_text_seq_length', 'patch_size', 'patch_size_t', 'patch_bias', 'use_rotary_positional_embeddings', 'use_learned_positional_embeddings', 'sample_width', 'sample_height'],
  LTXVideoTransformer3DModel: ['num_attention_heads', 'attention_head_dim', 'num_layers', 'cross_attention_dim', 'in_channels', 'out_channels', 'patch_size', 'patch_size_t', 'caption_channels'],
  MochiTransformer3DModel: ['num_attention_heads', 'attention_head_dim', 'num_layers', 'pooled_projection_dim', 'in_channels', 'out_channels', 'patch_size', 'text_embed_dim', 'max_sequence_length', 'time_embed_dim'],
} as const;

/** "<name>: config keys not read (taken as <base> has them): a, b": the keys of `cfg` outside `read`, or nothing. */
export function unreadKeysNote(cfg: Cfg, read: readonly string[], cls: string, m: { name: string; sources: Record<string, string> }): string[] {
  const unread = Object.keys(cfg).filter((k) => !k.startsWith('_') && !read.includes(k)).sort();
  const base = /base ([^)]+)\)/.exec(m.sources.custom ?? '')?.[1];
  return unread.length ? [`${m.name}: ${cls} config keys not read, taken as ${base ?? 'the base model'} has them: ${unread.join(', ')}`] : [];
}

function familyModelOf(cfg: Cfg, cls: string, file: string, id: string, name: string, zoo: readonly ModelSpec[]): ModelSpec {
  const num = (key: string, fallback?: number): number => {
    const v = cfg[key];
    if (typeof v === 'number') {
      // sizes are whole numbers in bounds; a ratio (mlp_ratio) is a positive finite number
      const bad = key.endsWith('ratio') ? (Number.isFinite(v) && v > 0 && v <= 64 ? undefined : `expected a ratio above 0, at most 64, got ${v}`) : configIntProblem(key, v);
      if (bad) throw new InputError([{ source: file, path: key, message: `${bad} (a ${cls} config)` }]);
      return v;
    }
    if (fallback !== undefined && (v === undefined || v === null)) return fallback;
    throw new InputError([{ source: file, path: key, message: v === undefined ? `missing number "${key}" (a ${cls} config sets it)` : `expected a number for "${key}" in a ${cls} config, got ${shown(v)}` }]);
  };
  const base = (bid: string) => zoo.find((x) => x.id === bid) as FamilyModel;
  const heads = num('num_attention_heads');
  const headDim = num('attention_head_dim');
  const dim = heads * headDim;
  switch (cls) {
    case 'HunyuanVideoTransformer3DModel': {
      if (cfg.image_condition_type !== undefined && cfg.image_condition_type !== null) {
        throw new InputError([{ source: file, path: 'image_condition_type', message: `image-to-video HunyuanVideo ("${String(cfg.image_condition_type)}") is not modelled; text-to-video configs only` }]);
      }
      const b = base('hunyuan-video');
      const double = num('num_layers', 20);
      const single = num('num_single_layers', 40);
      const p = num('patch_size', 2);
      return withDit(b, {
        ...(b.dit as HunyuanDitSpec), family: 'hunyuan-video', dim, heads, headDim, doubleLayers: double, singleLayers: single, layers: double + single,
        refinerLayers: num('num_refiner_layers', 2), ffnDim: Math.round(num('mlp_ratio', 4) * dim), inChannels: num('in_channels', 16), outChannels: num('out_channels', 16),
        patch: [num('patch_size_t', 1), p, p], textDim: num('text_embed_dim', 4096), pooledDim: num('pooled_projection_dim', 768), guidanceEmbed: cfg.guidance_embeds !== false,
      }, { id, name, defaults: b.defaults, sources: { ...b.sources, custom: `diffusers config ${file} (base ${b.id})` } });
    }
    case 'HunyuanVideo15Transformer3DModel': {
      // the diffusers pipeline has no SR stage: the --sr false model of the config's resolution (target_size 640: 480p, 960: 720p)
      const b = base(num('target_size', 640) >= 960 ? 'hunyuan-video-1.5-720p-no-sr' : 'hunyuan-video-1.5-480p-no-sr');
      const p = num('patch_size', 1);
      return withDit(b, {
        ...(b.dit as Hunyuan15DitSpec), family: 'hunyuan-video-1.5', dim, heads, headDim, layers: num('num_layers', 54), refinerLayers: num('num_refiner_layers', 2), ffnDim: Math.round(num('mlp_ratio', 4) * dim),
        inChannels: num('in_channels', 65), outChannels: num('out_channels', 32), patch: [num('patch_size_t', 1), p, p], textDim: num('text_embed_dim', 3584), byt5Dim: num('text_embed_2_dim', 1472), visionDim: num('image_embed_dim', 1152),
      }, { id, name, defaults: b.defaults, sources: { ...b.sources, custom: `diffusers config ${file} (base ${b.id})` } });
    }
    case 'CogVideoXTransformer3DModel': {
      const pt = cfg.patch_size_t === null || cfg.patch_size_t === undefined ? undefined : num('patch_size_t');
      const b = base(typeof pt === 'number' && pt > 1 ? 'cogvideox1.5-5b' : 'cogvideox-5b');
      const p = num('patch_size', 2);
      return withDit(b, {
        ...(b.dit as CogDitSpec), family: 'cogvideox', dim, heads, headDim, layers: num('num_layers'), ffnDim: 4 * dim, inChannels: num('in_channels', 16), outChannels: num('out_channels', 16),
        timeEmbedDim: num('time_embed_dim', 512), textDim: num('text_embed_dim', 4096), textLen: num('max_text_seq_length', 226), patch: [typeof pt === 'number' ? pt : 1, p, p], patchBias: cfg.patch_bias !== false,
        // RoPE unless the config turns it off; an additive embedding when it does (3D sin-cos) or when it is learned
        rope: cfg.use_rotary_positional_embeddings !== false, additivePositions: cfg.use_rotary_positional_embeddings === false || cfg.use_learned_positional_embeddings === true,
      }, { id, name, defaults: b.defaults, sources: { ...b.sources, custom: `diffusers config ${file} (base ${b.id})` } }, cogLearnedSize(cfg, num, b));
    }
    case 'LTXVideoTransformer3DModel': {
      const b = base(headDim >= 128 ? 'ltx-video-13b' : 'ltx-video-2b');
      const p = num('patch_size', 1);
      return withDit(b, {
        ...(b.dit as LtxDitSpec), family: 'ltx-video', dim, heads, headDim, layers: num('num_layers'), ffnDim: 4 * dim, crossDim: num('cross_attention_dim', dim), inChannels: num('in_channels', 128), outChannels: num('out_channels', 128),
        patch: [num('patch_size_t', 1), p, p], textDim: num('caption_channels', 4096),
      }, { id, name, defaults: b.defaults, sources: { ...b.sources, custom: `diffusers config ${file} (base ${b.id})` } });
    }
    case 'MochiTransformer3DModel': {
      const b = base('mochi-1');
      const dimY = num('pooled_projection_dim', 1536);
      const p = num('patch_size', 2);
      // SwiGLU hidden: int(2·4·d/3) (transformer_mochi.py:154; genmo layers.py:85-110 rounds to 256: 8192 / 4096 at the release sizes)
      const swiglu = (d: number) => 256 * Math.ceil(Math.floor((2 * 4 * d) / 3) / 256);
      return withDit(b, {
        ...(b.dit as MochiDitSpec), family: 'mochi', dim, heads, headDim, dimY, layers: num('num_layers'), ffnDim: swiglu(dim), ffnDimY: swiglu(dimY), inChannels: num('in_channels', 12),
        outChannels: num('out_channels', num('in_channels', 12)), patch: [1, p, p], textDim: num('text_embed_dim', 4096), textLen: num('max_sequence_length', 256), freqDim: num('time_embed_dim', 256),
      }, { id, name, defaults: b.defaults, sources: { ...b.sources, custom: `diffusers config ${file} (base ${b.id})` } });
    }
  }
  throw new Error(`unreachable: ${cls}`);
}

/** diffusers transformer classes vgsim reads. */
export const SUPPORTED_TRANSFORMER_CLASSES = ['WanTransformer3DModel', 'HunyuanVideoTransformer3DModel', 'HunyuanVideo15Transformer3DModel', 'CogVideoXTransformer3DModel', 'LTXVideoTransformer3DModel', 'MochiTransformer3DModel'] as const;
