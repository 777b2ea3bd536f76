/**
 * A family model as its diffusers `transformer/config.json` would state it, optionally with fewer blocks: the
 * config machinery of custom.ts (familyModelFromConfig) then builds the model. Used where a measurement ran a
 * model cut to a few blocks of each kind (calibration/families_measure.py --layers N keeps min(N, depth) of
 * each kind, as calibration/families_reference.py build_dit does), so vgsim prices the same reduced model
 * through the same path a user's config takes. At full depth the config reproduces the zoo model's DiT
 * (test/families.test.ts checks it field by field).
 */
import type { FamilyModel, ModelSpec } from '../models.ts';
import { familyModelFromConfig } from './custom.ts';

/** The diffusers class and config keys of a family model's DiT, with at most `layers` blocks of each kind. */
export function diffusersConfig(m: FamilyModel, layers = Infinity): { cls: string; config: Record<string, unknown> } {
  const d = m.dit;
  const depth = (n: number) => Math.min(n, layers);
  const common = { num_attention_heads: d.heads, attention_head_dim: d.headDim, in_channels: d.inChannels, out_channels: d.outChannels };
  switch (d.family) {
    case 'hunyuan-video':
      return {
        cls: 'HunyuanVideoTransformer3DModel',
        config: {
          ...common, num_layers: depth(d.doubleLayers), num_single_layers: depth(d.singleLayers), num_refiner_layers: d.refinerLayers, mlp_ratio: d.ffnDim / d.dim,
          patch_size: d.patch[1], patch_size_t: d.patch[0], text_embed_dim: d.textDim, pooled_projection_dim: d.pooledDim, guidance_embeds: d.guidanceEmbed,
        },
      };
    case 'hunyuan-video-1.5':
      // huggingface/diffusers@58eb52c:src/diffusers/models/transformers/transformer_hunyuan_video15.py:562-584 (in_channels: the patch embedding's 65)
      return {
        cls: 'HunyuanVideo15Transformer3DModel',
        config: {
          ...common, target_size: m.defaults.height >= 720 ? 960 : 640, num_layers: depth(d.layers), num_refiner_layers: d.refinerLayers, mlp_ratio: d.ffnDim / d.dim,
          patch_size: d.patch[1], patch_size_t: d.patch[0], text_embed_dim: d.textDim, text_embed_2_dim: d.byt5Dim, image_embed_dim: d.visionDim,
        },
      };
    case 'cogvideox':
      return {
        cls: 'CogVideoXTransformer3DModel',
        config: {
          ...common, num_layers: depth(d.layers), time_embed_dim: d.timeEmbedDim, text_embed_dim: d.textDim, max_text_seq_length: d.textLen,
          patch_size: d.patch[1], patch_size_t: d.patch[0] > 1 ? d.patch[0] : null, patch_bias: d.patchBias,
          // RoPE, or the additive 3D sin-cos embedding without it; with RoPE, an additive one is the learned embedding
          use_rotary_positional_embeddings: d.rope, use_learned_positional_embeddings: d.rope && d.additivePositions,
        },
      };
    case 'ltx-video':
      return {
        cls: 'LTXVideoTransformer3DModel',
        config: { ...common, num_layers: depth(d.layers), cross_attention_dim: d.crossDim, patch_size: d.patch[1], patch_size_t: d.patch[0], caption_channels: d.textDim },
      };
    case 'mochi':
      return {
        cls: 'MochiTransformer3DModel',
        config: { ...common, num_layers: depth(d.layers), pooled_projection_dim: d.dimY, patch_size: d.patch[1], text_embed_dim: d.textDim, max_sequence_length: d.textLen, time_embed_dim: d.freqDim },
      };
  }
}

/** The model cut to at most `layers` blocks of each kind, built from its config (id `<model>@<layers>L`). */
export function reducedDepthModel(m: FamilyModel, layers: number, zoo: readonly ModelSpec[]): ModelSpec {
  const { cls, config } = diffusersConfig(m, layers);
  const built = familyModelFromConfig(config, cls, `${m.id} (${layers} blocks of each kind)`, `${m.id}@${layers}L`, `${m.name}, ${layers} blocks of each kind`, zoo);
  // the config picks the zoo base by its shape; the measured model's own defaults, sampler and release stay
  return { ...m, dit: built.dit, id: built.id, name: built.name } as ModelSpec;
}
