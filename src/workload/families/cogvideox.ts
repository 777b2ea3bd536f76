/**
 * One DiT forward of CogVideoX (1.0 and 1.5) as operators, following the diffusers implementation the
 * official inference script runs (THUDM/CogVideo@e519ece:inference/cli_demo.py → huggingface/diffusers@58eb52c:
 * src/diffusers/models/transformers/cogvideox_transformer_3d.py, attention_processor.py:2277-2343,
 * embeddings.py:675-690, 1221-1232):
 *
 *  - bf16 weights and activations; `batch` = 2 when CFG runs batched (pipeline_cogvideox.py:722-737);
 *  - patch embedding: 1.5 patchifies (t, h, w) = (2, 2, 2) with a permute copy and a Linear(128 → d, no bias),
 *    1.0 a per-frame Conv2d (a GEMM over 16·2·2 inputs); text_proj Linear(4096 → d); torch.cat(text, video);
 *  - per block (cogvideox_transformer_3d.py:38-157): LayerNormZero (Linear 512 → 6d on the time embedding,
 *    one affine LayerNorm, separate modulation of the text and video rows: the "expert adaptive LayerNorm"),
 *    torch.cat(text, video) (a copy), to_q/to_k/to_v on all S = text + video rows, per-head LayerNorm(64) on q
 *    and k, RoPE on the video part in fp32 written back into q/k (a copy), SDPA without a mask (PyTorch's
 *    flash backend), transpose + reshape (a copy), to_out, gated residuals per stream, LayerNormZero again, a
 *    second cat, the GELU-tanh FF on all rows, gated residuals;
 *  - final: cat, LayerNorm, AdaLayerNorm (Linear 512 → 2d), proj_out d → p_t·p²·16, unpatchify (a copy);
 *  - positions (CogDitSpec.rope, additivePositions): RoPE in every block as the 5B and 1.5 releases run it, or an
 *    additive embedding at the patch embedding (the fp32 buffer cast to bf16, then one add over the joint sequence)
 *    when a config turns RoPE off (CogVideoX-2B's 3D sin-cos) or learns it (embeddings.py CogVideoXPatchEmbed).
 *
 * Sequence parallel (xDiT USP, CFG-parallel across the two branches): video rows split over the group, the
 * 226 text rows on every GPU, Ulysses all-to-alls of the video q/k/v and the output (as dit-kit models them).
 */
import type { DitForward, DitForwardOptions } from '../dit.ts';
import type { CogDitSpec } from './specs.ts';
import { ACT, F32, forwardFrame } from './dit-kit.ts';

export function buildCogVideoXForward(dit: CogDitSpec, o: DitForwardOptions): DitForward {
  const { k, b, P, B, Nl, R, T, heads, hd, split, wBytes } = forwardFrame(dit, o); // R video rows on this GPU, T text rows
  const d = dit.dim;
  const f = dit.ffnDim;
  const te = dit.timeEmbedDim;
  const S = R + T;
  const blockWeightBytes = split.blocks[0]!.params * wBytes;

  const rope = dit.rope;
  if (o.weightsResident) b.alloc('weights', split.total * wBytes, 'weights');
  // RoPE cos/sin tables (fp32 [N/P, 64] each) built once per request (pipeline_cogvideox.py:441-480)
  if (rope) b.alloc('rope_tables', 2 * Nl * hd * F32, 'rope_tables');
  // the additive embedding: an fp32 [1, text + N, d] buffer registered at load (persistent=False), built for the
  // config's sample size (embeddings.py CogVideoXPatchEmbed._get_positional_embeddings)
  // (it moves with the module: resident with the weights, else on the GPU while the patch embedding runs)
  const posBytes = (Nl * P + dit.textLen) * d * F32;
  if (dit.additivePositions && o.weightsResident) b.alloc('pos_embedding', posBytes, 'weights');
  const E = (Nl + dit.textLen) * d; // this GPU's rows of one sample's joint sequence

  b.section('embed');
  const patchK = dit.inChannels * dit.patch[0] * dit.patch[1] * dit.patch[2];
  if (dit.patch[0] > 1) k.ew('patch_embed.patchify', 'copy', 2 * R * patchK * ACT, 1);
  const img = k.linear('patch_embed.proj', R, d, patchK);
  const txt = k.linear('patch_embed.text_proj', T, d, dit.textDim);
  let x = k.cat('patch_embed.cat', S * d, [img, txt]);
  if (dit.additivePositions) {
    // pos_embedding.to(dtype=embeds.dtype), then embeds + pos_embedding (broadcast over the CFG batch)
    if (!o.weightsResident) b.alloc('pos_embedding', posBytes, 'weights');
    k.ew('patch_embed.pos_embedding.cast', 'cast_down', E * (F32 + ACT), 1);
    k.ew('patch_embed.pos_embedding.add', 'binary', (2 * S * d + E) * ACT, 1);
    if (!o.weightsResident) b.free('pos_embedding');
  }
  b.section('time_embedding');
  const th = k.linear('time_embedding.linear_1', B, te, d);
  const temb = k.linear('time_embedding.linear_2', B, te, te, [th]);

  b.section('block', dit.layers);
  const layerNormZero = (name: string) => {
    const mod = k.linear(`${name}.linear`, B, 6 * d, te);
    // one affine LayerNorm, then text and video rows modulated with their own shift/scale (all rows: 1 + 2 kernels)
    const n = k.layerNorm(`${name}.norm`, x, S * d);
    const m = k.modulate(`${name}.modulate`, n, S * d, [n]);
    return { mod, m };
  };
  const n1 = layerNormZero('norm1');
  // attention: torch.cat([text, video]) of the normalised rows, then q/k/v on all of them. The norm1 outputs stay
  // bound in the block (norm_hidden_states, norm_encoder_hidden_states: cogvideox_transformer_3d.py:130-140) until
  // norm2 rebinds them, and the processor's cat (`hidden_states`, attention_processor.py:2297) until the SDPA
  // output rebinds it (:2329); query/key/value are the processor's locals until it returns after to_out (:2340)
  const h = k.cat('attn1.cat_text_video', S * d);
  const q0 = k.linear('attn1.to_q', S, d, d);
  const k0 = k.linear('attn1.to_k', S, d, d);
  const v = k.linear('attn1.to_v', S, d, d);
  // per-head LayerNorm(64) on the [B, heads, S, 64] transposed views (attention_processor.py CogVideoXAttnProcessor2_0:
  // view + transpose(1, 2), then attn.norm_q / attn.norm_k): a contiguous copy, then one thread block per row
  const q = k.headLayerNorm('attn1.norm_q', q0, S * d, hd);
  const kk = k.headLayerNorm('attn1.norm_k', k0, S * d, hd);
  b.free(q0, k0);
  if (rope) {
    // apply_rotary_emb on query[:, :, text:] (fp32 inside), written back in place (one more copy of the video part)
    const rq = k.ropeDiffusers('attn1.rope_q', R * d);
    k.ew('attn1.rope_q.write_back', 'copy', 2 * R * d * ACT, 1, { frees: [rq] });
    const rk = k.ropeDiffusers('attn1.rope_k', R * d);
    k.ew('attn1.rope_k.write_back', 'copy', 2 * R * d * ACT, 1, { frees: [rk] });
  }
  let attn: string;
  if (P > 1) {
    const u = o.ulysses;
    const recv = [q, kk, v].map((t, i) => (u > 1 ? k.allToAll(`attn1.ulysses.all_to_all_${'qkv'[i]}`, R * d) : t));
    const a = k.attention('attn1.attention', { batch: B, heads, lq: Nl * u + dit.textLen, lk: Nl * P + dit.textLen, headDim: hd }, u > 1 ? [...recv, h] : [h]);
    attn = u > 1 ? k.allToAll('attn1.ulysses.all_to_all_out', S * d, [a]) : a;
  } else {
    attn = k.attention('attn1.attention', { batch: B, heads, lq: Nl + dit.textLen, lk: Nl + dit.textLen, headDim: hd }, [h]);
  }
  const ar = k.cat('attn1.transpose_reshape', S * d, [attn]);
  const ao = k.linear('attn1.to_out', S, d, d, [ar, q, kk, v]);
  // the block's input stays bound in the caller until the block returns (cogvideox_transformer_3d.py: the
  // transformer's `hidden_states, encoder_hidden_states = block(...)`; families_reference.py:471), and
  // attn_hidden_states / attn_encoder_hidden_states (views of to_out's output) are locals of the block's forward
  // until it returns (cogvideox_transformer_3d.py CogVideoXBlock.forward; families_reference.py:421, ax and ae)
  const xIn = x;
  x = k.gatedResidual('attn1.residual', x, ao, S * d, true, { residual: true, y: true });
  b.free(n1.mod);
  const n2 = layerNormZero('norm2');
  b.free(n1.m);
  // norm_hidden_states = torch.cat(...); ff_output = self.ff(norm_hidden_states): the FF input lives through the
  // FF (a local; families_reference.py:426 passes it as the call's argument, alive until ff returns)
  const fin = k.cat('ff.cat_text_video', S * d, [n2.m]);
  const f1 = k.linear('ff.proj_in', S, f, d);
  const g = k.gelu('ff.gelu', S * f, [f1]);
  const f2 = k.linear('ff.proj_out', S, d, f, [g, fin]);
  x = k.gatedResidual('ff.residual', x, f2, S * d);
  b.free(n2.mod, ao, xIn);

  b.section('head');
  const c = k.cat('final.cat_text_video', S * d);
  const nf = k.layerNorm('final.norm_final', c, S * d);
  b.free(c);
  const mod = k.linear('final.norm_out.linear', B, 2 * d, te);
  const no = k.layerNorm('final.norm_out.norm', nf, R * d);
  const nm = k.modulate('final.norm_out.modulate', no, R * d, [no, nf, mod]);
  const headOut = dit.outChannels * dit.patch[0] * dit.patch[1] * dit.patch[2];
  const out = k.linear('final.proj_out', R, headOut, d, [nm]);
  if (P > 1) b.op({ kind: 'collective', name: 'sp.all_gather_output', collective: 'allgather', bytes: R * P * headOut * ACT, comm: 'sp' });
  k.ew('final.unpatchify', 'copy', 2 * R * P * headOut * ACT, 1);
  b.free(out, x, temb, ...(rope ? ['rope_tables'] : []));
  return { builder: b, blockWeightBytes, localTokens: Nl };
}
