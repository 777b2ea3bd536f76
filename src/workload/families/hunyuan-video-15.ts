/**
 * One DiT forward of HunyuanVideo-1.5 as operators, following the official code
 * (Tencent-Hunyuan/HunyuanVideo-1.5@60783e7: hyvideo/models/transformers/hunyuanvideo_1_5_transformer.py,
 * modules/attention.py, token_refiner.py, embed_layers.py, posemb_layers.py; utils/flash_attn_no_pad.py):
 *
 *  - bf16 weights under autocast bf16 (pipeline :1227), residual streams bf16;
 *  - embeddings (:692-797): img_in (Conv3d k=1 on latents ⊕ condition ⊕ mask, 65 channels) on the whole
 *    sequence before the sequence-parallel chunk (:706-717), the RoPE cos/sin tables rebuilt every forward
 *    (fp32 [N, 128] each, :703-704); time_in; the token refiner on the 1000 LLM rows (input embedder, masked
 *    mean for the context vector, 2 blocks whose attention runs flash_attn_no_pad on the valid tokens);
 *    the byT5 mapper on 256 rows and the vision projection on 729 rows (T2V: zeros, projected, then × 0);
 *    the condition-type embedding added to each; two reorders (valid tokens first, torch.cat per sample) into
 *    one text sequence of 1000 + 256 + 729 rows;
 *  - 54 dual-stream blocks (:45-205): per stream adaLN (SiLU, Linear d → 6d), LayerNorm + modulate, q, k, v
 *    as three Linears, per-head RMSNorm on q and k (fp32 inside), RoPE in fp32 on the image q/k
 *    (posemb_layers.py:188-189); the attention (attention.py:196-204): torch.cat of image and text q, k, v,
 *    torch.stack into qkv, unpad_input (a gather of the valid rows), flash_attn_varlen over video + valid text
 *    tokens, pad_input back to the padded length; .contiguous() copies of the image and text halves; output
 *    projection + gated residual, LayerNorm + modulate + MLP (GELU-tanh) + gated residual per stream;
 *  - final layer: adaLN, LayerNorm + modulate, Linear d → 32, all-gather (SP), unpatchify.
 *
 * The text stream's GEMMs, norms and copies run on all 1985 padded rows; only the attention drops the padding.
 *
 * Sequence parallel (attention.py:120-293; the SP degree is the world size, generate.py:39): every per-token
 * op runs on N/P image rows (text rows on every rank), the image q/k/v go through Ulysses all-to-alls, the
 * text q/k/v keep this rank's heads (narrow), the image output returns by all-to-all and the text output is
 * all-gathered over the heads. No ring attention, no CFG parallelism: the CFG branches run as one batch-2
 * forward (pipeline :1202).
 */
import type { DitForward, DitForwardOptions } from '../dit.ts';
import type { Hunyuan15DitSpec } from './specs.ts';
import { ACT, DitKit, F32, forwardFrame } from './dit-kit.ts';

export function buildHunyuan15Forward(dit: Hunyuan15DitSpec, o: DitForwardOptions): DitForward {
  const { k, b, P, B, Nl, R, heads, hd, split, wBytes } = forwardFrame(dit, o);
  const d = dit.dim;
  const f = dit.ffnDim;
  const N = Nl * P;
  const Ltxt = dit.textLen + dit.byt5Len + dit.visionTokens;
  const T = B * Ltxt;
  const TL = B * dit.textLen;
  const sp = P > 1;
  const blockWeightBytes = split.blocks[0]!.params * wBytes;

  if (o.weightsResident) b.alloc('weights', split.total * wBytes, 'weights');

  // ---- embeddings ----
  b.section('embed');
  // RoPE tables for the whole grid (fp32 cos, sin [N, head_dim]); the SP chunk is a view that keeps them alive
  b.op({ kind: 'elementwise', name: 'rope_tables', ew: 'copy', bytes: 2 * N * hd * F32, kernels: 12 }, { outputs: [['rope_tables', 2 * N * hd * F32, 'rope_tables']] });
  const patchK = dit.inChannels * dit.patch[0] * dit.patch[1] * dit.patch[2];
  // img_in on every token of the batch, then torch.chunk keeps this rank's rows: a view, so the full output
  // lives until the first block replaces the residual
  let img = k.linear('img_in', B * N, d, patchK);
  b.section('time_embedding');
  for (const name of ['time_in', 'txt_in.t_embedder']) {
    const h = k.linear(`${name}.0`, B, d, dit.freqDim);
    b.free(k.linear(`${name}.2`, B, d, d, [h]));
  }
  b.alloc('vec', B * d * ACT, 'modulation');

  b.section('token_refiner_embed');
  // masked mean of the LLM states (x · mask, sum, divide) → c_embedder MLP; input_embedder on every row
  k.ew('txt_in.masked_mean', 'binary', TL * dit.textDim * 2 * ACT, 3);
  b.free(k.linear('txt_in.c_embedder.2', B, d, d, [k.linear('txt_in.c_embedder.0', B, d, dit.textDim)]));
  let llm = k.linear('txt_in.input_embedder', TL, d, dit.textDim);
  b.section('token_refiner', dit.refinerLayers);
  {
    const mod = k.linear('refiner.adaLN', B, 2 * d, d);
    const n1 = k.layerNorm('refiner.norm1', llm, TL * d);
    const qkv = k.linear('refiner.qkv', TL, 3 * d, d, [n1]);
    const a = k.attention('refiner.attention', { batch: B, heads: dit.heads, lq: dit.attnTextTokens, lk: dit.attnTextTokens, headDim: hd }, [qkv]);
    const p = k.linear('refiner.proj', TL, d, d, [a]);
    llm = k.gatedResidual('refiner.residual1', llm, p, TL * d);
    const n2 = k.layerNorm('refiner.norm2', llm, TL * d);
    const h = k.linear('refiner.mlp.fc1', TL, f, d, [n2]);
    const hs = k.make('refiner.mlp.silu', 'activation', TL * f * 2 * ACT, TL * f, ACT, 1, 'activations', [h]);
    const y = k.linear('refiner.mlp.fc2', TL, d, f, [hs]);
    llm = k.gatedResidual('refiner.residual2', llm, y, TL * d);
    b.free(mod);
  }
  b.section('condition_embed');
  const rows5 = B * dit.byt5Len;
  const rowsV = B * dit.visionTokens;
  // condition-type embedding (gather + add) on each of the three sources
  llm = k.make('cond_type.llm', 'binary', TL * d * 3 * ACT, TL * d, ACT, 2, 'activations', [llm]);
  const bn = k.make('byt5_in.layernorm', 'norm', rows5 * dit.byt5Dim * 2 * ACT, rows5 * dit.byt5Dim);
  const b1 = k.gelu('byt5_in.gelu1', rows5 * dit.byt5Hidden, [k.linear('byt5_in.fc1', rows5, dit.byt5Hidden, dit.byt5Dim, [bn])]);
  const b2 = k.gelu('byt5_in.gelu2', rows5 * dit.byt5Hidden, [k.linear('byt5_in.fc2', rows5, dit.byt5Hidden, dit.byt5Hidden, [b1])]);
  let byt5 = k.linear('byt5_in.fc3', rows5, d, dit.byt5Hidden, [b2]);
  byt5 = k.make('cond_type.byt5', 'binary', rows5 * d * 3 * ACT, rows5 * d, ACT, 2, 'activations', [byt5]);
  // reorder_txt_token (zero_feat): per sample torch.cat of the valid and zeroed rows
  let txt = k.cat('reorder.byt5_llm', (TL + rows5) * d, [llm, byt5]);
  const vn = k.make('vision_in.norm_in', 'norm', rowsV * dit.visionDim * 2 * ACT, rowsV * dit.visionDim);
  const v1 = k.gelu('vision_in.gelu', rowsV * dit.visionDim, [k.linear('vision_in.fc1', rowsV, dit.visionDim, dit.visionDim, [vn])]);
  let vis = k.linear('vision_in.fc2', rowsV, d, dit.visionDim, [v1]);
  vis = k.make('vision_in.norm_out', 'norm', rowsV * d * 2 * ACT, rowsV * d, ACT, 1, 'activations', [vis]);
  // T2V: vision states are zeros, their projection × 0.0 and a zero mask (:768-775); then the type embedding
  vis = k.make('vision_in.zero', 'binary', rowsV * d * 2 * ACT, rowsV * d, ACT, 1, 'activations', [vis]);
  vis = k.make('cond_type.vision', 'binary', rowsV * d * 3 * ACT, rowsV * d, ACT, 2, 'activations', [vis]);
  txt = k.cat('reorder.vision_text', T * d, [txt, vis]);

  // ---- dual-stream blocks ----
  // MMDoubleStreamBlock.forward (hunyuanvideo_1_5_transformer.py:117-205) binds img_modulated, img_q, img_k, img_v,
  // their txt_ counterparts, attn and the contiguous img_attn / txt_attn as locals, so all of them stay alive until
  // the block returns; the caller's img and txt too (`img, txt = block(...)`, :811)
  b.section('double_block', dit.layers);
  const stream = (s: 'img' | 'txt', x: string, rows: number) => {
    const mod = k.linear(`${s}_mod`, B, 6 * d, d);
    const n = k.layerNorm(`${s}_norm1`, x, rows * d);
    const m = k.modulate(`${s}_modulate1`, n, rows * d, [n]);
    const q0 = k.linear(`${s}_attn_q`, rows, d, d);
    const k0 = k.linear(`${s}_attn_k`, rows, d, d);
    const v = k.linear(`${s}_attn_v`, rows, d, d);
    let q = k.rmsNorm(`${s}_attn_q_norm`, rows * d, [q0]);
    let kk = k.rmsNorm(`${s}_attn_k_norm`, rows * d, [k0]);
    if (s === 'img') {
      q = k.ropeFp32('img_rope_q', rows * d, [q]);
      kk = k.ropeFp32('img_rope_k', rows * d, [kk]);
    }
    return { mod, m, q, k: kk, v };
  };
  const im = stream('img', img, R);
  const tx = stream('txt', txt, T);
  const attn = jointAttention(k, { R, T, d, heads, hd, B, N, P, Ltxt, valid: dit.attnTextTokens, sp, inputs: [im.q, im.k, im.v, tx.q, tx.k, tx.v] });
  // img_attn, txt_attn = attn[:, :N].contiguous(), attn[:, N:].contiguous() (:189): copies when B > 1; at batch 1
  // both row ranges of [1, N + L, d] are contiguous already and .contiguous() returns the view itself
  const imgAttn = B > 1 ? k.cat('img_attn.contiguous', R * d) : attn;
  const txtAttn = B > 1 ? k.cat('txt_attn.contiguous', T * d) : attn;
  const finish = (s: 'img' | 'txt', x: string, a: string, rows: number) => {
    void a; // img_attn / txt_attn: freed when the block returns
    const p = k.linear(`${s}_attn_proj`, rows, d, d);
    let r = k.gatedResidual(`${s}_attn_residual`, x, p, rows * d, true, { residual: true });
    const n2 = k.layerNorm(`${s}_norm2`, r, rows * d);
    const m2 = k.modulate(`${s}_modulate2`, n2, rows * d, [n2]);
    // the modulated input is the MLP call's argument, alive until it returns (:192-197)
    const h = k.linear(`${s}_mlp.fc1`, rows, f, d);
    const g = k.gelu(`${s}_mlp.gelu`, rows * f, [h]);
    const y = k.linear(`${s}_mlp.fc2`, rows, d, f, [g, m2]);
    r = k.gatedResidual(`${s}_mlp_residual`, r, y, rows * d);
    return r;
  };
  const imgIn = img;
  const txtIn = txt;
  img = finish('img', img, imgAttn, R);
  txt = finish('txt', txt, txtAttn, T);
  b.free(im.mod, tx.mod, im.m, im.q, im.k, im.v, tx.m, tx.q, tx.k, tx.v, attn, imgIn, txtIn);
  if (B > 1) b.free(imgAttn, txtAttn);

  // ---- final layer ----
  b.section('head');
  const headOut = dit.outChannels * dit.patch[0] * dit.patch[1] * dit.patch[2];
  const fmod = k.linear('final.adaLN', B, 2 * d, d);
  const fn = k.layerNorm('final.norm', img, R * d);
  const fm = k.modulate('final.modulate', fn, R * d, [fn]);
  const out = k.linear('final.linear', R, headOut, d, [fm, fmod]);
  if (sp) b.op({ kind: 'collective', name: 'sp.all_gather_output', collective: 'allgather', bytes: R * P * headOut * ACT, comm: 'sp' });
  k.ew('final.unpatchify', 'copy', 2 * R * P * headOut * ACT, 1);
  b.free(out, img, txt, 'vec', 'rope_tables');
  return { builder: b, blockWeightBytes, localTokens: Nl };
}

/**
 * The joint attention of a block (attention.py:120-293, flash2 path): SP — the image q/k/v through Ulysses
 * all-to-alls (full sequence, this rank's heads), the text q/k/v narrowed to this rank's heads; torch.cat of
 * image and text for q, k and v, torch.stack into one qkv tensor, unpad_input's gather of the valid rows,
 * flash_attn_varlen over video + valid text tokens per sample, pad_input's scatter back to the padded length;
 * SP — the image output back by all-to-all, the text output all-gathered over the heads, torch.cat of both.
 */
function jointAttention(k: DitKit, a: { R: number; T: number; d: number; heads: number; hd: number; B: number; N: number; P: number; Ltxt: number; valid: number; sp: boolean; inputs: string[] }): string {
  const { R, T, d, B, N, P } = a;
  const u = k.o.ulysses;
  // this rank's heads over the full sequence: image rows B·N, text rows B·Ltxt
  const full = (B * (N + a.Ltxt) * d) / P;
  const validElems = (B * (N + a.valid) * d) / P;
  // the block's q/k/v stay referenced by the caller (its locals); only this function's own copies are freed here
  const img = a.inputs.slice(0, 3);
  const recv = img.map((t, i) => (u > 1 ? k.allToAll(`ulysses.all_to_all_${'qkv'[i]}`, R * d) : t));
  const cats = ['q', 'k', 'v'].map((t, i) => k.cat(`cat_${t}`, full, u > 1 ? [recv[i]!] : []));
  const qkv = k.cat('stack_qkv', 3 * full, cats);
  const unpad = k.make('unpad_input', 'copy', 2 * 3 * validElems * ACT, 3 * validElems, ACT, 1, 'activations', [qkv]);
  const o = k.attention('attention', { batch: B, heads: a.heads, lq: N + a.valid, lk: N + a.valid, headDim: a.hd }, [unpad]);
  // pad_input: zeros of the padded size, then the valid rows scattered in
  const padded = k.make('pad_input', 'copy', (full + 2 * validElems) * ACT, full, ACT, 2, 'activations', [o]);
  if (!a.sp) return padded;
  const imgOut = u > 1 ? k.allToAll('ulysses.all_to_all_out', R * d) : k.cat('local_out', R * d);
  const txtOut = k.t('text_out_gathered');
  k.b.op({ kind: 'collective', name: 'sp.all_gather_text_out', collective: 'allgather', bytes: T * d * ACT, comm: 'sp' }, { outputs: [[txtOut, T * d * ACT, 'activations']], frees: [padded] });
  return k.cat('cat_out', (R + T) * d, [imgOut, txtOut]);
}
