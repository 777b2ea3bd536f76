/**
 * One DiT forward of HunyuanVideo as operators, following the official code
 * (Tencent/HunyuanVideo@fa14b00:hyvideo/modules/models.py, token_refiner.py, posemb_layers.py, attenion.py):
 *
 *  - weights and activations bf16 (the model is built in bf16 and run under autocast bf16), residual streams bf16;
 *    every nn.LayerNorm runs in fp32 under autocast (fp32 output), the modulation that follows is promoted to
 *    fp32 and the next Linear casts its input back to bf16 (dit-kit.ts layerNormAutocast);
 *  - embeddings: img_in (Conv3d with stride = kernel → a GEMM over patches), the token refiner on the 256
 *    LLM tokens (2 blocks, masked SDPA over 256 tokens), time/guidance/CLIP-vector MLPs into one vector;
 *  - 20 dual-stream blocks (models.py:21-252): per stream adaLN (Linear d→6d on the vector), LayerNorm +
 *    modulate, fused qkv, per-head RMSNorm on q and k (fp32 inside, norm_layers.py:56), RoPE on the image
 *    stream in fp32 (posemb_layers.py:170-171: x.float()·cos + rotate_half(x.float())·sin), torch.cat of the
 *    image and text q/k/v (three copies), flash_attn_varlen over N + text tokens, proj + gated residual,
 *    LayerNorm + modulate + MLP (GELU-tanh) + gated residual;
 *  - 40 single-stream blocks (models.py:255-393) on the concatenated sequence: modulation (d→3d), LayerNorm +
 *    modulate, linear1 d → 3d + 4d, q/k RMSNorm, RoPE on the image part and a cat back (copies), attention,
 *    GELU on the MLP half, cat(attn, mlp) (a copy of S × 5d), linear2 5d → d, gated residual;
 *  - final layer: LayerNorm + modulate + Linear d → 64, unpatchify.
 *
 * Sequence parallel (xfuser USP, inference.py:40-100; attenion.py:159-212): the latent is split before the
 * patch embedding, every per-token op runs on N/P image tokens (text on every rank), the image q/k/v go
 * through Ulysses all-to-alls (and ring KV exchange), the text tokens join as the "rear" joint tensors as
 * xfuser 0.4.0 runs them (jointAttention below), and the output is all-gathered at the end. The RoPE cos/sin tables (fp32 [N/P, 128] each) are built once per
 * request and kept.
 */
import type { DitForward, DitForwardOptions } from '../dit.ts';
import type { HunyuanDitSpec } from './specs.ts';
import { ACT, DitKit, F32, forwardFrame } from './dit-kit.ts';

export function buildHunyuanForward(dit: HunyuanDitSpec, o: DitForwardOptions): DitForward {
  const { k, b, P, B, Nl, R, T, L, heads, hd, split, wBytes } = forwardFrame(dit, o); // Nl image tokens per GPU per sample; R image rows, T text rows (every rank)
  const d = dit.dim;
  const f = dit.ffnDim;
  const S = R + T;
  const double = split.blocks.find((x) => x.name === 'double_block')!;
  const single = split.blocks.find((x) => x.name === 'single_block')!;
  const blockWeightBytes = double.params * wBytes;
  const sp = P > 1;
  /**
   * LayerNorm + modulate as they run under autocast bf16: the norm in fp32 with an fp32 output, the modulation
   * promoted to fp32, then the Linear's autocast cast back to bf16 (dit-kit.ts layerNormAutocast). Returns the
   * bf16 input of the next Linear.
   */
  const normModulate = (norm: string, mod: string, elems: number): string => {
    const n = k.layerNormAutocast(norm, elems);
    return k.autocastInput(mod, k.modulateFp32(mod, elems, [n]), elems);
  };
  /** The same where the code keeps the modulated (fp32) tensor referenced: `held` is it, `input` the Linear's bf16 copy. */
  const normModulateHeld = (norm: string, mod: string, elems: number): { held: string; input: string } => {
    const n = k.layerNormAutocast(norm, elems);
    const held = k.modulateFp32(mod, elems, [n]);
    return { held, input: k.autocastCopy(mod, held, elems) };
  };

  if (o.weightsResident) b.alloc('weights', split.total * wBytes, 'weights');
  // RoPE tables (fp32 cos and sin, [N/P, head_dim]) kept for the request
  b.alloc('rope_tables', 2 * Nl * hd * F32, 'rope_tables');

  // ---- embeddings ----
  b.section('embed');
  const patchK = dit.inChannels * dit.patch[0] * dit.patch[1] * dit.patch[2];
  let img = k.linear('img_in', R, d, patchK);
  // token refiner (txt_in): input embedder, 2 refiner blocks over the 256 LLM tokens (masked SDPA: memory-efficient kernel)
  let txt = k.linear('txt_in.input_embedder', T, d, dit.textDim);
  b.section('token_refiner', dit.refinerLayers);
  {
    const n1 = k.autocastInput('refiner.norm1', k.layerNormAutocast('refiner.norm1', T * d), T * d);
    const qkv = k.linear('refiner.qkv', T, 3 * d, d, [n1]);
    const a = k.attention('refiner.attention', { batch: B, heads: dit.heads, lq: L, lk: L, headDim: hd, kernel: 'efficient' }, [qkv]);
    const p = k.linear('refiner.proj', T, d, d, [a]);
    txt = k.gatedResidual('refiner.residual1', txt, p, T * d);
    const n2 = k.autocastInput('refiner.norm2', k.layerNormAutocast('refiner.norm2', T * d), T * d);
    const h = k.linear('refiner.mlp.fc1', T, f, d, [n2]);
    const hs = k.make('refiner.mlp.silu', 'activation', T * f * 2 * ACT, T * f, ACT, 1, 'activations', [h]);
    const y = k.linear('refiner.mlp.fc2', T, d, f, [hs]);
    txt = k.gatedResidual('refiner.residual2', txt, y, T * d);
  }
  b.section('time_embedding');
  // time_in, guidance_in, vector_in: batch-row MLPs (sinusoid → d → d); the refiner's t/c embedders and adaLN
  for (const name of ['time_in', 'guidance_in', 'vector_in', 'refiner.t_embedder', 'refiner.c_embedder']) {
    if (name === 'guidance_in' && !dit.guidanceEmbed) continue;
    const inDim = name === 'vector_in' ? dit.pooledDim : name === 'refiner.c_embedder' ? dit.textDim : dit.freqDim;
    const h = k.linear(`${name}.0`, B, d, inDim);
    const y = k.linear(`${name}.2`, B, d, d, [h]);
    b.free(y);
  }
  b.alloc('vec', B * d * ACT, 'modulation');

  // ---- dual-stream blocks ----
  b.section('double_block', dit.doubleLayers);
  /** one stream's attention inputs: norm1 + modulate, qkv, q/k RMSNorm (and RoPE for the image stream) */
  const prepare = (stream: 'img' | 'txt', x: string, rows: number) => {
    const mod = k.linear(`${stream}_mod`, B, 6 * d, d);
    void x;
    const m = normModulate(`${stream}_norm1`, `${stream}_modulate1`, rows * d);
    const qkv = k.linear(`${stream}_attn_qkv`, rows, 3 * d, d, [m]);
    let q = k.rmsNorm(`${stream}_attn_q_norm`, rows * d);
    let kk = k.rmsNorm(`${stream}_attn_k_norm`, rows * d);
    if (stream === 'img') {
      q = k.ropeFp32('img_rope_q', rows * d, [q]);
      kk = k.ropeFp32('img_rope_k', rows * d, [kk]);
    }
    return { mod, qkv, q, k: kk };
  };
  const im = prepare('img', img, R);
  const tx = prepare('txt', txt, T);
  // img_qkv (v is a view of it), the normed and rotated img_q/img_k, txt_qkv/q/k, the concatenated q/k/v and
  // attn are locals of MMDoubleStreamBlock.forward: alive until the block returns (Tencent/HunyuanVideo@fa14b00:
  // hyvideo/modules/models.py:168-221; calibration/families_reference.py:131-145 keeps the same set)
  const held = jointAttention(k, { prefix: 'double', R, T, d, heads, hd, B, Nl, L, P, sp, frees: [], keepInputs: true });
  const attnOut = held.out;
  // output split into the image and text rows (views of one tensor). The block's img/txt inputs stay referenced
  // by the caller's double_block_args until the block returns (models.py:655-667): the first residual keeps them.
  const finish = (stream: 'img' | 'txt', x: string, rows: number) => {
    const p = k.linear(`${stream}_attn_proj`, rows, d, d);
    let r = k.gatedResidual(`${stream}_attn_residual`, x, p, rows * d, true, { residual: true });
    // self.img_mlp(modulate(self.img_norm2(img), ...)) (models.py:231-238): the fp32 modulate output is the MLP
    // call's argument, referenced until the MLP returns; only autocast's bf16 copy goes after fc1
    const m2 = normModulateHeld(`${stream}_norm2`, `${stream}_modulate2`, rows * d);
    const h = k.linear(`${stream}_mlp.fc1`, rows, f, d, m2.input === m2.held ? [] : [m2.input]);
    const g = k.gelu(`${stream}_mlp.gelu`, rows * f, [h]);
    const y = k.linear(`${stream}_mlp.fc2`, rows, d, f, [g, m2.held]);
    r = k.gatedResidual(`${stream}_mlp_residual`, r, y, rows * d);
    return r;
  };
  const imgIn = img;
  const txtIn = txt;
  img = finish('img', img, R);
  txt = finish('txt', txt, T);
  b.free(im.mod, tx.mod, im.q, im.k, tx.q, tx.k, im.qkv, tx.qkv, ...held.inputs, attnOut, imgIn, txtIn);

  // ---- single-stream blocks on [img, txt] ----
  b.section('stream_concat');
  // x = torch.cat((img, txt), 1) once before the single blocks (models.py:670); img and txt stay bound until
  // `img = x[:, :img_seq_len, ...]` after the loop (models.py:686; families_reference.py:246-249 likewise)
  let x = k.cat('concat_streams', S * d);
  b.section('single_block', dit.singleLayers);
  {
    const mod = k.linear('single.modulation', B, 3 * d, d);
    // x_mod is a local of MMSingleStreamBlock.forward (models.py:338): its fp32 tensor lives until the block
    // returns (families_reference.py:174, h, likewise); autocast's bf16 copy goes after linear1
    const m = normModulateHeld('single.pre_norm', 'single.modulate', S * d);
    const l1 = k.linear('single.linear1', S, 3 * d + f, d, m.input === m.held ? [] : [m.input]);
    const qn = k.rmsNorm('single.q_norm', S * d);
    const kn = k.rmsNorm('single.k_norm', S * d);
    // RoPE on the image rows, then torch.cat((img_qq, txt_q)) back (a copy each for q and k)
    const qr = k.ropeFp32('single.rope_q', R * d);
    const q = k.cat('single.cat_q', S * d, [qr, qn]);
    const kr = k.ropeFp32('single.rope_k', R * d);
    const kk = k.cat('single.cat_k', S * d, [kr, kn]);
    // q and k (the cats) are locals until the block returns (models.py:358-359; families_reference.py:178-179)
    const a = jointAttention(k, { prefix: 'single', R, T, d, heads, hd, B, Nl, L, P, sp, frees: [] }).out;
    const g = k.gelu('single.mlp_act', S * f);
    const c = k.cat('single.cat_attn_mlp', S * (d + f), [a, g, l1]);
    const y = k.linear('single.linear2', S, d, d + f, [c]);
    x = k.gatedResidual('single.residual', x, y, S * d);
    b.free(mod, m.held, q, kk);
  }
  void single;

  // ---- final layer ----
  b.section('head');
  const headOut = dit.outChannels * dit.patch[0] * dit.patch[1] * dit.patch[2];
  const fmod = k.linear('final.adaLN', B, 2 * d, d);
  const fm = normModulate('final.norm', 'final.modulate', R * d);
  const out = k.linear('final.linear', R, headOut, d, [fm, fmod]);
  if (sp) b.op({ kind: 'collective', name: 'sp.all_gather_output', collective: 'allgather', bytes: R * P * headOut * ACT, comm: 'sp' });
  k.ew('final.unpatchify', 'copy', 2 * R * P * headOut * ACT, 1);
  b.free(out, x, img, txt, 'vec', 'rope_tables');
  return { builder: b, blockWeightBytes, localTokens: Nl };
}

/**
 * The joint attention of a block: single GPU — torch.cat of image and text q/k/v (copies; the single block
 * concatenates q and k itself, so only v here) and one flash_attn_varlen over N + text; sequence parallel —
 * HunyuanVideo's parallel_attention (attenion.py:159-212) hands the image q/k/v to xfuser's
 * xFuserLongContextAttention with the text as the "rear" joint tensors, as xfuser 0.4.0 runs them (the version
 * HunyuanVideo's README pins, README.md:271; xdit-project/xDiT@0.4.0 xfuser/core/long_ctx_attention/hybrid/
 * attn_layer.py:97-131, ring/ring_flash_attn.py:64-115; feifeibear/long-context-attention@0.4.0
 * yunchang/ring/utils.py update_out_and_lse):
 *  - the text query is concatenated to this rank's image query before the all-to-all (a copy), so the q and the
 *    output all-to-alls carry N/P + text rows and every rank attends the text queries for its heads: the text
 *    queries are computed P times over the group (lq = u·(N/P + text));
 *  - the text key/value are this rank's head slice, concatenated to the gathered key and value inside the ring
 *    function (two copies of the key/value a rank holds);
 *  - the attention output is cast to fp32 for the log-sum-exp merge and back to bf16 (two passes over it);
 *  - the output all-to-all back, then parallel_attention's torch.cat with the (empty: all 256 tokens are taken
 *    as valid) padding segment.
 * Frees `frees`; returns the output, and the concatenated q/k/v when `keepInputs` (the caller's locals: it frees them).
 */
function jointAttention(k: DitKit, a: { prefix: string; R: number; T: number; d: number; heads: number; hd: number; B: number; Nl: number; L: number; P: number; sp: boolean; frees: string[]; keepInputs?: boolean }): { out: string; inputs: string[] } {
  const { prefix, R, T, d, B, L, P } = a;
  const S = R + T;
  if (!a.sp) {
    const cats = prefix === 'double' ? ['q', 'k', 'v'] : ['v'];
    const tensors = cats.map((t) => k.cat(`${prefix}.cat_${t}`, S * d));
    k.b.free(...a.frees);
    const out = k.attention(`${prefix}.attention`, { batch: B, heads: a.heads, lq: a.Nl + L, lk: a.Nl + L, headDim: a.hd }, a.keepInputs ? [] : tensors);
    return { out, inputs: a.keepInputs ? tensors : [] };
  }
  // the q/k/v cats still happen before parallel_attention slices them
  const cats = (prefix === 'double' ? ['q', 'k', 'v'] : ['v']).map((t) => k.cat(`${prefix}.cat_${t}`, S * d));
  k.b.free(...a.frees);
  const u = k.o.ulysses;
  // query = torch.cat([query, joint_tensor_query]) (attn_layer.py:97-99): image and text rows, all heads
  const qj = k.cat(`${prefix}.joint_query_cat`, S * d);
  const sendElems = { q: S * d, k: R * d, v: R * d };
  const recv = (['q', 'k', 'v'] as const).map((t) => (u > 1 ? k.allToAll(`${prefix}.ulysses.all_to_all_${t}`, sendElems[t], t === 'q' ? [qj] : []) : k.cat(`${prefix}.local_${t}`, sendElems[t], t === 'q' ? [qj] : [])));
  if (!a.keepInputs) k.b.free(...cats);
  // key = torch.cat([k, joint_tensor_key]), value likewise (ring_flash_attn.py:64-67): the gathered rows
  // (R·d elements after the all-to-all) and this rank's heads of the text rows (T·d/u)
  const kvElems = R * d + (T * d) / u;
  const kj = k.cat(`${prefix}.joint_key_cat`, kvElems, [recv[1]!]);
  const vj = k.cat(`${prefix}.joint_value_cat`, kvElems, [recv[2]!]);
  const full = a.Nl * P;
  const o = k.attention(`${prefix}.attention`, { batch: B, heads: a.heads, lq: u * (a.Nl + L), lk: full + L, headDim: a.hd }, [recv[0]!, kj, vj]);
  // update_out_and_lse: block_out.to(float32); then out.to(q.dtype) (S·d elements on this rank)
  const of = k.make(`${prefix}.out_fp32`, 'cast_up', S * d * (ACT + F32), S * d, F32, 1, 'activations', [o]);
  const ob = k.make(`${prefix}.out_to_bf16`, 'cast_down', S * d * (F32 + ACT), S * d, ACT, 1, 'activations', [of]);
  const back = u > 1 ? k.allToAll(`${prefix}.ulysses.all_to_all_out`, S * d, [ob]) : ob;
  return { out: k.cat(`${prefix}.cat_out`, S * d, [back]), inputs: a.keepInputs ? cats : [] };
}
