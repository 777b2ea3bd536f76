/**
 * Parameter counts of the non-Wan DiTs, from the layer shapes of each official model file (Linear = in·out
 * + out with bias). The counts match the published bf16 checkpoint sizes within 0.1% (test/families.test.ts
 * and calibration/families_reference.py, which builds the same modules in PyTorch and counts them).
 */
import type { CogDitSpec, FamilyDitSpec, Hunyuan15DitSpec, HunyuanDitSpec, LtxDitSpec, MochiDitSpec } from './specs.ts';

const lin = (i: number, o: number, bias = true) => i * o + (bias ? o : 0);

export interface DitParamSplit {
  /** Parameters of each kind of block (name → params of one block, blocks of that kind). */
  blocks: { name: string; params: number; count: number }[];
  /** Everything outside the blocks: embeddings, time/text MLPs, token refiner, final layer. */
  outside: number;
  total: number;
}

/**
 * HunyuanVideo (Tencent/HunyuanVideo@fa14b00:hyvideo/modules/models.py:21-393 blocks, :448-560 embeddings;
 * token_refiner.py:16-236; mlp_layers.py FinalLayer).
 */
function hunyuan(d: HunyuanDitSpec): DitParamSplit {
  const D = d.dim;
  const F = d.ffnDim;
  const qkNorm = 2 * d.headDim; // q/k RMSNorm weights (head_dim each)
  // per stream: mod (d→6d), qkv (d→3d), q/k norms, proj (d→d), MLP (d→4d→d)
  const double = 2 * (lin(D, 6 * D) + lin(D, 3 * D) + qkNorm + lin(D, D) + lin(D, F) + lin(F, D));
  // linear1 (d → 3d + mlp), linear2 (d + mlp → d), q/k norms, modulation (d → 3d)
  const single = lin(D, 3 * D + F) + lin(D + F, D) + qkNorm + lin(D, 3 * D);
  // IndividualTokenRefinerBlock: 2 affine LayerNorms, qkv, proj, MLP (d→4d→d), adaLN (d→2d)
  const refinerBlock = 2 * D + lin(D, 3 * D) + lin(D, D) + 2 * D + lin(D, F) + lin(F, D) + lin(D, 2 * D);
  const refiner = lin(d.textDim, D) + lin(d.freqDim, D) + lin(D, D) + lin(d.textDim, D) + lin(D, D) + d.refinerLayers * refinerBlock;
  const patch = d.inChannels * d.patch[0] * d.patch[1] * d.patch[2];
  const timeMlp = lin(d.freqDim, D) + lin(D, D);
  const embeds = lin(patch, D) + refiner + timeMlp * (d.guidanceEmbed ? 2 : 1) + lin(d.pooledDim, D) + lin(D, D);
  const final = lin(D, patch / d.inChannels * d.outChannels) + lin(D, 2 * D);
  const outside = embeds + final;
  return {
    blocks: [{ name: 'double_block', params: double, count: d.doubleLayers }, { name: 'single_block', params: single, count: d.singleLayers }],
    outside,
    total: d.doubleLayers * double + d.singleLayers * single + outside,
  };
}

/**
 * HunyuanVideo-1.5 (Tencent-Hunyuan/HunyuanVideo-1.5@60783e7:hyvideo/models/transformers/hunyuanvideo_1_5_transformer.py:45-205
 * MMDoubleStreamBlock, :351-561 embeddings; modules/token_refiner.py; embed_layers.py:23-137; byT5/__init__.py:187-220
 * ByT5Mapper; mlp_layers.py FinalLayer). The same modules as HunyuanVideo's double block (q, k, v as three Linears:
 * the same count as one fused qkv), no single-stream blocks, no vector_in/guidance_in; plus the byT5 mapper
 * (LayerNorm, 1472 → 2048 → 2048 → d), the vision projection (LayerNorm, 1152 → 1152 → d, LayerNorm) and the
 * 3-row condition-type embedding. img_in sees latents, condition latents and the mask: 2·32 + 1 channels.
 */
function hunyuan15(d: Hunyuan15DitSpec): DitParamSplit {
  const D = d.dim;
  const F = d.ffnDim;
  const qkNorm = 2 * d.headDim;
  const double = 2 * (lin(D, 6 * D) + 3 * lin(D, D) + qkNorm + lin(D, D) + lin(D, F) + lin(F, D));
  const refinerBlock = 2 * D + lin(D, 3 * D) + lin(D, D) + 2 * D + lin(D, F) + lin(F, D) + lin(D, 2 * D);
  const refiner = lin(d.textDim, D) + lin(d.freqDim, D) + lin(D, D) + lin(d.textDim, D) + lin(D, D) + d.refinerLayers * refinerBlock;
  const patch = d.inChannels * d.patch[0] * d.patch[1] * d.patch[2];
  const timeMlp = lin(d.freqDim, D) + lin(D, D);
  const byt5 = 2 * d.byt5Dim + lin(d.byt5Dim, d.byt5Hidden) + lin(d.byt5Hidden, d.byt5Hidden) + lin(d.byt5Hidden, D);
  const vision = 2 * d.visionDim + lin(d.visionDim, d.visionDim) + lin(d.visionDim, D) + 2 * D;
  const embeds = lin(patch, D) + refiner + timeMlp + byt5 + vision + 3 * D;
  const final = lin(D, (patch / d.inChannels) * d.outChannels) + lin(D, 2 * D);
  const outside = embeds + final;
  return { blocks: [{ name: 'double_block', params: double, count: d.layers }], outside, total: d.layers * double + outside };
}

/** CogVideoX (huggingface/diffusers@58eb52c:src/diffusers/models/transformers/cogvideox_transformer_3d.py:38-157, 253-330). */
function cogvideox(d: CogDitSpec): DitParamSplit {
  const D = d.dim;
  const F = d.ffnDim;
  const te = d.timeEmbedDim;
  // 2 × LayerNormZero (Linear te→6d + affine LayerNorm), q/k/v/o with bias, per-head LayerNorm(64) on q and k, FF
  const block = 2 * (lin(te, 6 * D) + 2 * D) + 4 * lin(D, D) + 2 * 2 * d.headDim + lin(D, F) + lin(F, D);
  const patch = d.inChannels * d.patch[0] * d.patch[1] * d.patch[2];
  // patch projection, text_proj, time MLP (sinusoid(d) → te → te)
  const embeds = lin(patch, D, d.patchBias) + lin(d.textDim, D) + lin(D, te) + lin(te, te);
  // norm_final (affine LN), norm_out (Linear te→2d + LN), proj_out (d → patch·out)
  const final = 2 * D + lin(te, 2 * D) + 2 * D + lin(D, d.outChannels * d.patch[0] * d.patch[1] * d.patch[2]);
  return { blocks: [{ name: 'block', params: block, count: d.layers }], outside: embeds + final, total: d.layers * block + embeds + final };
}

/** LTX-Video (huggingface/diffusers@58eb52c:src/diffusers/models/transformers/transformer_ltx.py:300-460). */
function ltx(d: LtxDitSpec): DitParamSplit {
  const D = d.dim;
  const F = d.ffnDim;
  // attn1: q,k,v,o + q/k RMSNorm over the inner dim; attn2: q, k/v from the caption width, o, norms; FF; scale_shift_table [6, d]
  const block = 3 * lin(D, D) + 2 * D + lin(D, D) + lin(D, D) + 2 * lin(d.crossDim, D) + 2 * D + lin(D, D) + lin(D, F) + lin(F, D) + 6 * D;
  // proj_in, output scale_shift_table [2, d], AdaLayerNormSingle (sinusoid → d → d, → 6d), caption projection (4096 → d → d)
  const embeds = lin(d.inChannels, D) + 2 * D + lin(d.freqDim, D) + lin(D, D) + lin(D, 6 * D) + lin(d.textDim, D) + lin(D, D);
  const final = lin(D, d.outChannels);
  return { blocks: [{ name: 'block', params: block, count: d.layers }], outside: embeds + final, total: d.layers * block + embeds + final };
}

/** Mochi (genmoai/mochi@0c86aeb:src/genmo/mochi_preview/dit/joint_model/asymm_models_joint.py:366-659). */
function mochi(d: MochiDitSpec): DitParamSplit {
  const dx = d.dim;
  const dy = d.dimY;
  const blockOf = (updateY: boolean) => {
    // mod_x (dx → 4dx), mod_y (dx → 4dy, last block dx → dy), qkv_x, qkv_y (no bias), q/k norms (x and y), proj_x, proj_y
    let p = lin(dx, 4 * dx) + (updateY ? lin(dx, 4 * dy) : lin(dx, dy));
    p += lin(dx, 3 * dx, false) + lin(dy, 3 * dx, false) + 4 * d.headDim + lin(dx, dx) + (updateY ? lin(dx, dy) : 0);
    // SwiGLU MLPs (no bias): w1 d → 2h, w2 h → d
    p += lin(dx, 2 * d.ffnDim, false) + lin(d.ffnDim, dx, false);
    if (updateY) p += lin(dy, 2 * d.ffnDimY, false) + lin(d.ffnDimY, dy, false);
    return p;
  };
  const patch = d.inChannels * d.patch[1] * d.patch[2];
  // x_embedder, t_embedder, T5 attention pool (kv 4096→2·4096, q 4096→4096, out 4096→dx), t5_yproj, learned RoPE frequencies [3, heads, hd/2]
  const embeds = lin(patch, dx) + lin(d.freqDim, dx) + lin(dx, dx) + lin(d.textDim, 2 * d.textDim) + lin(d.textDim, d.textDim) + lin(d.textDim, dx) + lin(d.textDim, dy) + 3 * d.heads * (d.headDim / 2);
  const final = lin(dx, 2 * dx) + lin(dx, patch / d.inChannels * d.outChannels);
  const full = blockOf(true);
  const last = blockOf(false);
  return {
    blocks: [{ name: 'block', params: full, count: d.layers - 1 }, { name: 'last_block', params: last, count: 1 }],
    outside: embeds + final,
    total: (d.layers - 1) * full + last + embeds + final,
  };
}

export function familyParamSplit(d: FamilyDitSpec): DitParamSplit {
  switch (d.family) {
    case 'hunyuan-video':
      return hunyuan(d);
    case 'hunyuan-video-1.5':
      return hunyuan15(d);
    case 'cogvideox':
      return cogvideox(d);
    case 'ltx-video':
      return ltx(d);
    case 'mochi':
      return mochi(d);
  }
}

export function familyDitParams(d: FamilyDitSpec): number {
  return familyParamSplit(d).total;
}
