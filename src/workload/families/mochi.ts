/**
 * One DiT forward of Mochi-1 (AsymmDiT) as operators, following the official code
 * (genmoai/mochi@0c86aeb:src/genmo/mochi_preview/dit/joint_model/asymm_models_joint.py:130-659,
 * mod_rmsnorm.py, residual_tanh_gated_rmsnorm.py, rope_mixed.py:67-88, layers.py:85-179):
 *
 *  - the fp32 checkpoint kept as stored, the forward under autocast bf16: every Linear casts its weight to bf16
 *    per call (castWeights); the residual streams are bf16; one forward per CFG branch at batch 1;
 *  - x_embedder (per-frame Conv2d 12 → 3072, k = s = 2: a GEMM over 48 inputs), t_embedder, the T5 attention
 *    pool (to_kv 4096 → 8192, to_q, to_out 4096 → 3072) and t5_yproj (4096 → 1536) on the 256 T5 rows;
 *    the mixed-RoPE rotation tables (fp32 [N, 24, 64] cos and sin) per forward;
 *  - per block: mod_x (3072 → 4·3072) and mod_y on the conditioning vector; modulated_rmsnorm (fp32 inside)
 *    → qkv_x 3072 → 9216; q/k RMSNorm(128) (fp32 inside); RoPE with fp32 tables (products in fp32, cast,
 *    stack); the text stream's modulated_rmsnorm → qkv_y 1536 → 9216 (non-square: the text is projected to the
 *    visual width) and norms; torch.cat of x and y q/k/v (copies); flash_attn_varlen over N + text tokens;
 *    proj_x, proj_y; residual_tanh_gated_rmsnorm (fp32 RMS of the branch, tanh gate, add); the SwiGLU MLPs
 *    (w1 d → 2h, SiLU·gate, w2 h → d) of both streams (the last block has no text update);
 *  - final LayerNorm + modulation + Linear 3072 → 48, unpatchify.
 * The text length is the prompt's valid tokens (≤ 256; 256 taken: an upper bound; the empty negative prompt
 * attends over the video only, about 1% less work).
 *
 * Context parallel (context_parallel.py:78-158): N/P video rows per GPU, one all-to-all of qkv_x (tokens →
 * heads) and one back per block, the text q/k/v of this GPU's heads only, an all-gather of the text output;
 * FSDP (pipelines.py:74-91) gathers each block's fp32 parameters (MixedPrecision param_dtype fp32) behind the
 * previous block.
 */
import type { DitForward, DitForwardOptions } from '../dit.ts';
import type { MochiDitSpec } from './specs.ts';
import { ACT, F32, forwardFrame } from './dit-kit.ts';

export function buildMochiForward(dit: MochiDitSpec, o: DitForwardOptions): DitForward {
  const { k, b, P, B, Nl, R, T, L, heads, hd, split } = forwardFrame(dit, o);
  const dx = dit.dim;
  const dy = dit.dimY;
  const full = split.blocks.find((x) => x.name === 'block')!;
  // resident weights as the forward sees them: the fp32 checkpoint (autocast casts per call), or bf16/fp8
  const wBytes = o.linearDtype === 'fp8' ? 1 : o.castWeights ? 4 : 2;
  const blockWeightBytes = full.params * (o.fsdp && o.fsdp > 1 ? 4 : wBytes);

  if (o.weightsResident) b.alloc('weights', split.total * wBytes, 'weights');

  b.section('embed');
  const patchK = dit.inChannels * dit.patch[1] * dit.patch[2];
  k.ew('x_embedder.patchify', 'copy', 2 * R * patchK * ACT, 2);
  let x = k.linear('x_embedder.proj', R, dx, patchK);
  // mixed RoPE: einsum of positions and learned frequencies, cos and sin in fp32 [N, heads, hd/2]
  k.ew('rope.compute_mixed_rotation', 'complex', R * dx * 3 * F32, 4, { outputs: [['rope_cos', (R * dx * F32) / 2, 'rope_tables'], ['rope_sin', (R * dx * F32) / 2, 'rope_tables']] });
  b.section('text_embedding');
  const kv = k.linear('t5_y_embedder.to_kv', T, 2 * dit.textDim, dit.textDim);
  const pq = k.linear('t5_y_embedder.to_q', B, dit.textDim, dit.textDim);
  const pa = k.attention('t5_y_embedder.attention', { batch: B, heads: 8, lq: 1, lk: L, headDim: dit.textDim / 8, kernel: 'efficient' }, [kv, pq]);
  const po = k.linear('t5_y_embedder.to_out', B, dx, dit.textDim, [pa]);
  let y = k.linear('t5_yproj', T, dy, dit.textDim);
  b.section('time_embedding');
  const t1 = k.linear('t_embedder.mlp.0', B, dx, dit.freqDim);
  const c = k.linear('t_embedder.mlp.2', B, dx, dx, [t1, po]);

  const block = (name: string, count: number, updateY: boolean) => {
    b.section(name, count);
    if (o.fsdp && o.fsdp > 1) {
      b.op({ kind: 'collective', name: 'fsdp.allgather', collective: 'allgather', bytes: blockWeightBytes, comm: 'fsdp', hiddenBehind: name }, { outputs: [['fsdp.block', blockWeightBytes, 'fsdp_gathered'], ['fsdp.prefetch', blockWeightBytes, 'fsdp_gathered']] });
    }
    const modx = k.linear('mod_x', B, 4 * dx, dx);
    const mody = k.linear('mod_y', B, updateY ? 4 * dy : dy, dx);
    // attention inputs of the video rows
    const xm = k.rmsNorm('attn.modulated_rmsnorm_x', R * dx);
    let qkv = k.linear('attn.qkv_x', R, 3 * dx, dx, [xm]);
    if (o.ulysses > 1) qkv = k.allToAll('attn.cp.all_to_all_collect_tokens', R * 3 * dx, [qkv]);
    const rows = (R * o.ulysses) / 1; // tokens on this GPU after collecting them (its heads only)
    const E = rows * (dx / o.ulysses);
    const qn = k.rmsNorm('attn.q_norm_x', E);
    const kn = k.rmsNorm('attn.k_norm_x', E);
    const qr = k.ropeFp32('attn.rope_q', E, [qn]);
    const kr = k.ropeFp32('attn.rope_k', E, [kn]);
    // the text stream (its valid tokens; this GPU's heads)
    const ym = k.rmsNorm('attn.modulated_rmsnorm_y', T * dy);
    const qkvy = k.linear('attn.qkv_y', T, (3 * dx) / o.ulysses, dy, [ym]);
    const qyn = k.rmsNorm('attn.q_norm_y', (T * dx) / o.ulysses);
    const kyn = k.rmsNorm('attn.k_norm_y', (T * dx) / o.ulysses);
    const Ej = E + (T * dx) / o.ulysses;
    const cq = k.cat('attn.cat_q', Ej, [qr, qyn]);
    const ck = k.cat('attn.cat_k', Ej, [kr, kyn]);
    const cv = k.cat('attn.cat_v', Ej, [qkv, qkvy]);
    let a = k.attention('attn.flash_attn_varlen', { batch: B, heads, lq: Nl * P / o.ring + L, lk: Nl * P + L, headDim: hd }, [cq, ck, cv]);
    if (o.ulysses > 1) {
      a = k.allToAll('attn.cp.all_to_all_split_tokens', R * dx, [a]);
      b.op({ kind: 'collective', name: 'attn.cp.all_gather_y', collective: 'allgather', bytes: T * dx * ACT, comm: 'ulysses' });
    }
    const px = k.linear('attn.proj_x', R, dx, dx, updateY ? [] : [a]);
    // residual_tanh_gated_rmsnorm: fp32 RMS of the branch output × tanh(gate), added to x. The block's inputs x
    // and y stay bound in the caller (`x, y_feat = block(x, c, y_feat, ...)`) until it returns, and
    // `x_attn, y_attn = self.attn(...)` are locals of the block's forward until it returns
    // (asymm_models_joint.py:458 and :708; families_reference.py:636 and :682 likewise). The joint q/k/v and the
    // attention output are locals of prepare_qkv / run_attention, freed when they return; in the last block
    // proj_y is nn.Identity and y_attn the F.pad copy of the text rows (post_attention, B == 1), so the attention
    // output goes with proj_x
    const xIn = x;
    const yIn = y;
    const gx = k.rmsNorm('residual_tanh_gated_rmsnorm_x', R * dx);
    x = k.gatedResidual('attn.residual_x', x, gx, R * dx, false, { residual: true });
    let pyy: string | undefined;
    if (updateY) {
      pyy = k.linear('attn.proj_y', T, dy, dx, [a]);
      const gy = k.rmsNorm('residual_tanh_gated_rmsnorm_y', T * dy);
      y = k.gatedResidual('attn.residual_y', y, gy, T * dy, false, { residual: true });
    }
    const swiglu = (s: 'x' | 'y', rows: number, d: number, h: number) => {
      // ff_block_x: x_mod = modulated_rmsnorm(...); x_res = self.mlp_x(x_mod): x_mod is a local until the MLP returns
      const m = k.rmsNorm(`mlp_${s}.modulated_rmsnorm`, rows * d);
      const w1 = k.linear(`mlp_${s}.w1`, rows, 2 * h, d);
      const sl = k.make(`mlp_${s}.silu`, 'activation', rows * h * 2 * ACT, rows * h);
      const gm = k.make(`mlp_${s}.mul_gate`, 'binary', rows * h * 3 * ACT, rows * h, ACT, 1, 'activations', [sl, w1]);
      const w2 = k.linear(`mlp_${s}.w2`, rows, d, h, [gm, m]);
      return k.rmsNorm(`residual_tanh_gated_rmsnorm_mlp_${s}`, rows * d, [w2]);
    };
    x = k.gatedResidual('mlp_x.residual', x, swiglu('x', R, dx, dit.ffnDim), R * dx, false);
    if (updateY) y = k.gatedResidual('mlp_y.residual', y, swiglu('y', T, dy, dit.ffnDimY), T * dy, false);
    b.free(modx, mody, px, xIn);
    if (updateY) b.free(pyy!, yIn);
    if (o.fsdp && o.fsdp > 1) b.free('fsdp.block', 'fsdp.prefetch');
  };
  block('block', dit.layers - 1, true);
  block('last_block', 1, false);

  b.section('head');
  const fmod = k.linear('final_layer.mod', B, 2 * dx, dx);
  const fn = k.layerNorm('final_layer.norm', x, R * dx);
  const fm = k.modulate('final_layer.modulate', fn, R * dx, [fn, fmod]);
  const headOut = dit.outChannels * dit.patch[1] * dit.patch[2];
  const out = k.linear('final_layer.linear', R, headOut, dx, [fm]);
  if (P > 1) b.op({ kind: 'collective', name: 'cp.all_gather_output', collective: 'allgather', bytes: R * P * headOut * ACT, comm: 'sp' });
  k.ew('unpatchify', 'copy', 2 * R * P * headOut * ACT, 1);
  b.free(out, x, y, c, 'rope_cos', 'rope_sin');
  return { builder: b, blockWeightBytes, localTokens: Nl };
}
