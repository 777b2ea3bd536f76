/**
 * VAE decode as operators, following the official Wan VAEs (wan/modules/vae2_1.py and vae2_2.py @
 * Wan-Video/Wan2.2): a causal 3D-conv decoder run one latent frame at a time with a feature cache of the
 * last 2 frames for every causal conv, in fp32 (the pipelines build the VAE with dtype=float, autocast is
 * off), cuDNN convolutions with TF32 allowed (PyTorch's default for cudnn).
 *
 * Decoder walk (dims = base·[4] + base·mult[::-1]):
 *   conv1 (z → dims[0], 3³) · middle: ResBlock, single-head AttentionBlock over h·w, ResBlock ·
 *   4 up stages of (num_res_blocks + 1) ResBlocks, each but the last followed by Resample
 *   (temporal: CausalConv3d(c → 2c, (3,1,1)) and frame doubling; spatial: nearest 2× + Conv2d 3×3) ·
 *   head: RMS_norm, SiLU, CausalConv3d(→ 3, or → 12 then 2×2 unpatchify for Wan2.2).
 * Wan2.1: Resample's Conv2d halves channels and the next stage's input is dim/2; temporal upsampling in
 * stages 0 and 1. Wan2.2: Conv2d keeps channels, each up stage adds a DupUp3D shortcut
 * (repeat_interleave + permute copy), temporal upsampling in stages 0 and 1.
 * The first latent frame is decoded without temporal upsampling ('Rep' cache), giving 1 + 4·(T−1) frames.
 *
 * Elementwise traffic per ResBlock follows the code: RMS_norm = F.normalize (a reduction and a divide)
 * then * scale, * gamma, + bias (three more passes); SiLU; the cache clone; torch.cat(cache, x) and F.pad
 * before each 3×3×3 conv; the residual add.
 */
import { StageBuilder } from './ops.ts';
import type { VaeSpec } from './models.ts';


export interface VaeDecodeOptions {
  /** Latent frames, height and width. */
  t: number;
  h: number;
  w: number;
  /** Allow TF32 for the fp32 convolutions (PyTorch default for cudnn: true). */
  tf32: boolean;
  /** Precision of the decode: fp32 (the official pipelines) or bf16 (LightX2V's default, SGLang --vae-precision). */
  dtype?: 'fp32' | 'bf16';
  /**
   * Tiled decode (diffusers AutoencoderKLWan.tiled_decode, huggingface/diffusers@58eb52c:
   * src/diffusers/models/autoencoders/autoencoder_kl_wan.py:1076-1081 and tiled_decode): overlapping latent
   * tiles of `tile` starting every `stride` latents in h and w, each decoded frame by frame with its own cache,
   * then blended; the overlap is decoded twice.
   */
  tiling?: { tile: number; stride: number };
  /** Split the spatial work over this many GPUs (patch-parallel decode); 1 = the official rank-0 decode. */
  spatialShards: number;
  /**
   * Bytes of convolution workspace (cuDNN) for a conv, given its padded input bytes; supplied by the
   * cost model from the device profile (default: none).
   */
  convWorkspace?: (kind: 'conv3d' | 'conv2d', cin: number, cout: number, pixels: number, inputBytes: number, kernel: number[]) => number;
}

interface Stage {
  resIn: number[];
  resOut: number[];
  /** Resample after the ResBlocks: none, 2d or 3d (temporal doubling first). */
  resample: 'none' | 'upsample2d' | 'upsample3d';
  resampleOut: number;
  dupShortcut: boolean;
}

function decoderStages(vae: VaeSpec): { dims: number[]; stages: Stage[]; headOut: number } {
  const base = vae.decoderDim;
  const mult = vae.dimMult;
  const dims = [base * mult[mult.length - 1]!, ...[...mult].reverse().map((m) => base * m)];
  const temporalUp = [true, true, false]; // both VAEs: temperal_upsample = reversed downsample flags
  const stages: Stage[] = [];
  const wan21 = vae.id === 'wan2.1-vae';
  for (let i = 0; i < mult.length; i++) {
    let inDim = dims[i]!;
    const outDim = dims[i + 1]!;
    if (wan21 && i >= 1) inDim = inDim / 2;
    const resIn: number[] = [];
    const resOut: number[] = [];
    for (let r = 0; r < vae.numResBlocks + 1; r++) {
      resIn.push(inDim);
      resOut.push(outDim);
      inDim = outDim;
    }
    const last = i === mult.length - 1;
    stages.push({
      resIn,
      resOut,
      resample: last ? 'none' : temporalUp[i] ? 'upsample3d' : 'upsample2d',
      resampleOut: wan21 ? outDim / 2 : outDim,
      dupShortcut: !wan21 && !last,
    });
  }
  return { dims, stages, headOut: 3 * vae.patchify * vae.patchify };
}

/** Builds the whole decode of one video (all latent frames). */
export function buildVaeDecode(vae: VaeSpec, o: VaeDecodeOptions): StageBuilder {
  const b = new StageBuilder();
  const EB = elemBytes(o);
  const shards = o.spatialShards;
  // Output video (fp32), accumulated over chunks (torch.cat per chunk in Wan2.1; once in Wan2.2).
  const outFrames = 1 + 4 * (o.t - 1);
  const pxH = o.h * vae.stride[1];
  const pxW = o.w * vae.stride[2];
  const videoBytes = (3 * outFrames * pxH * pxW * EB) / shards;
  b.alloc('latents', vae.zDim * o.t * o.h * o.w * EB, 'vae_io');
  b.alloc('weights', vae.params * EB, 'vae_weights');
  // the output of earlier chunks accumulates while later chunks decode (about half the video on average;
  // the peak is reached at the last chunks, so we hold the whole video)
  b.alloc('video', videoBytes, 'vae_io');
  // feature caches (2 frames of every causal-conv input) live across chunks: size them with a dry walk
  const tiles = tileGroups(o.h, o.w, o.tiling);
  for (const tg of tiles) {
    const ot = { ...o, h: tg.h, w: tg.w };
    // the 1×1×1 conv2 (z → z) before the decoder (vae2_1 WanVAE_.decode `x = self.conv2(z)`; per tile and frame when tiled)
    b.section('vae.conv2', tg.count).op({ kind: 'conv', name: 'conv2', dims: 3, cin: vae.zDim, cout: vae.zDim, kernel: [1, 1, 1], out: [o.t, tg.h / shards, tg.w], dtype: o.dtype === 'bf16' ? 'bf16' : 'fp32', tf32: o.tf32 });
    const cacheBytes = walkChunk(new StageBuilder(), vae, ot, false);
    walkChunk(b.section('vae.first_frame', tg.count), vae, ot, true);
    if (o.t > 1) {
      b.alloc('feature_cache', cacheBytes, 'vae_cache');
      walkChunk(b.section('vae.frame', (o.t - 1) * tg.count), vae, ot, false);
      b.free('feature_cache');
    }
  }
  b.section('vae.output', 1);
  if (o.tiling && tileCount(tiles) > 1) {
    // blend_v / blend_h, one Python step per overlap row or column (sample space: the tile minus the stride, 64 px)
    const blend = tileBlendSteps(o.h, o.w, o.tiling, (o.tiling.tile - o.tiling.stride) * vae.stride[1]);
    b.op({ kind: 'elementwise', name: 'tile_blend', ew: 'binary', bytes: blend.pixels * 3 * outFrames * EB * 5, kernels: blend.kernels });
    // the cat of the cropped tiles: one more pass over the video
    b.op({ kind: 'elementwise', name: 'tile_cat', ew: 'copy', bytes: videoBytes * 2, kernels: 2 * tileCount(tiles) });
  }
  if (vae.id === 'wan2.1-vae') {
    // torch.cat([out, out_]) per chunk: Σ copies ≈ T/2 × video, and old + new alive at the last cat
    b.op({ kind: 'elementwise', name: 'output_cat', ew: 'copy', bytes: videoBytes * 2 * (o.t / 2), kernels: o.t });
    b.alloc('video.prev', videoBytes, 'vae_io');
    b.free('video.prev');
  } else {
    b.op({ kind: 'elementwise', name: 'output_cat_unpatchify', ew: 'copy', bytes: videoBytes * 4, kernels: 2 });
  }
  b.op({ kind: 'elementwise', name: 'clamp', ew: 'binary', bytes: videoBytes * 2, kernels: 1 });
  b.free('video', 'latents', 'weights');
  return b;
}

/**
 * The tiles of a tiled decode or encode, grouped by size: starts every `stride` (latents or pixels), each `tile`
 * long (cut at the edge). Untiled, or a frame no larger than one tile: the whole frame once (the engines tile only
 * a frame larger than a tile).
 */
export function tileGroups(h: number, w: number, t: { tile: number; stride: number } | undefined): { h: number; w: number; count: number }[] {
  if (!t || (h <= t.tile && w <= t.tile)) return [{ h, w, count: 1 }];
  const spans = (n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i += t.stride) out.push(Math.min(t.tile, n - i));
    return out;
  };
  const groups = new Map<string, { h: number; w: number; count: number }>();
  for (const th of spans(h)) for (const tw of spans(w)) {
    const k = `${th}x${tw}`;
    const g = groups.get(k);
    if (g) g.count++;
    else groups.set(k, { h: th, w: tw, count: 1 });
  }
  return [...groups.values()];
}

/** How many tiles a frame is cut into (1: untiled, or a frame no larger than one tile). */
export function tileCount(tiles: readonly { count: number }[]): number {
  return tiles.reduce((a, t) => a + t.count, 0);
}

/**
 * The engines' blend of overlapping tiles (diffusers AutoencoderKLWan.blend_v / blend_h; LightX2V@a10e7462
 * vae.py:556-566): for every tile below another, one Python step per overlap row, and for every tile right of
 * another one per overlap column, each step `b[y] = a[-e + y] * (1 - y/e) + b[y] * (y/e)`: two multiplies, an add
 * and the copy into the slice (4 kernels). `h`, `w` and the tiling in the tiling's units (decode: latents; encode:
 * pixels), `extent` in the blended tensor's (decode: pixels; encode: latents). Returns the kernels and the pixels
 * of one frame and channel the steps touch.
 */
export function tileBlendSteps(h: number, w: number, t: { tile: number; stride: number }, extent: number): { kernels: number; pixels: number } {
  const rows = Math.ceil(h / t.stride);
  const cols = Math.ceil(w / t.stride);
  const px = extent / (t.tile - t.stride); // blended pixels per latent
  const tileH = Math.min(t.tile, h) * px;
  const tileW = Math.min(t.tile, w) * px;
  const vertical = (rows - 1) * cols;
  const horizontal = rows * (cols - 1);
  return { kernels: 4 * extent * (vertical + horizontal), pixels: extent * (vertical * tileW + horizontal * tileH) };
}

/** Bytes per element of the decode's tensors. */
function elemBytes(o: VaeDecodeOptions): number {
  return o.dtype === 'bf16' ? 2 : 4;
}

/**
 * Adds the ops of decoding one latent frame; returns the bytes of the feature caches it keeps.
 * Memory follows the code's tensor lifetimes: a ResidualBlock keeps its input (the identity shortcut)
 * until the final add; a causal conv holds its input, the padded copy and its output at once; Wan2.2's
 * Up_ResidualBlock clones its input and keeps the original for the DupUp3D shortcut.
 */
function walkChunk(b: StageBuilder, vae: VaeSpec, o: VaeDecodeOptions, first: boolean): number {
  const EB = elemBytes(o);
  const DT = o.dtype === 'bf16' ? 'bf16' : 'fp32';
  const { dims, stages, headOut } = decoderStages(vae);
  const shards = o.spatialShards;
  const tag = first ? 'f0' : 'f';
  let cacheBytes = 0;
  let t = 1;
  let h = o.h;
  let w = o.w;
  const px = () => (h * w) / shards;
  const E = (ch: number, frames = t) => ch * frames * px() * EB; // bytes of an [ch, frames, h, w] tensor in the decode precision
  let n = 0;
  const fresh = (what = 't') => `${tag}.${what}${n++}`;
  const ws = (kind: 'conv3d' | 'conv2d', cin: number, cout: number, inputBytes: number, kernel: number[]) =>
    o.convWorkspace ? o.convWorkspace(kind, cin, cout, t * h * (w / shards), inputBytes, kernel) : 0;
  const ew = (name: string, kind: 'copy' | 'norm' | 'activation' | 'binary' | 'softmax' | 'reduce', bytes: number, kernels = 1, mem: Parameters<StageBuilder['op']>[1] = {}) =>
    b.op({ kind: 'elementwise', name, ew: kind, bytes, kernels }, mem);

  /** CausalConv3d with the 2-frame cache: clone the cache, cat(cache, x), pad, conv. Returns the output tensor. */
  const causalConv = (name: string, x: string, cin: number, cout: number, k: [number, number, number]): string => {
    const temporal = k[0] > 1;
    const inT = temporal ? t + 2 : t;
    const padded = (cin * inT * ((h + k[1] - 1) * (w + k[2] - 1)) * EB) / shards;
    const out = fresh('conv');
    let src = x;
    if (temporal) {
      ew(`${name}.cache_clone`, 'copy', 2 * E(cin, Math.min(2, t)));
      cacheBytes += E(cin, 2);
      src = fresh('cat');
      ew(`${name}.cat_cache`, 'copy', 2 * E(cin, inT), 1, { outputs: [[src, E(cin, inT), 'vae_activations']] });
    }
    if (shards > 1 && k[1] > 1) {
      // patch-parallel decode (split along the width): exchange a one-column halo with each neighbour
      b.op({ kind: 'collective', name: `${name}.halo`, collective: 'sendrecv', bytes: 2 * cin * inT * h * EB, comm: 'vae' });
    }
    if (k[1] > 1 || temporal) {
      const pad = fresh('pad');
      ew(`${name}.pad`, 'copy', E(cin, inT) + padded, 1, { outputs: [[pad, padded, 'vae_activations']], frees: src !== x ? [src] : [] });
      src = pad;
    }
    b.op({ kind: 'conv', name, dims: 3, cin, cout, kernel: k, out: [t, h, w / shards], dtype: DT, tf32: o.tf32 }, { outputs: [[out, E(cout), 'vae_activations']], frees: src !== x ? [src] : [], workspace: ws('conv3d', cin, cout, padded, k) });
    return out;
  };
  /** RMS_norm (F.normalize: a reduction and a divide, then * scale, * gamma, + bias) then SiLU. */
  const normSilu = (name: string, x: string, c: number): string => {
    const y = fresh('n');
    ew(`${name}.rms_norm`, 'norm', 9 * E(c), 5, { outputs: [[y, E(c), 'vae_activations']], workspace: E(c) });
    const z = fresh('s');
    ew(`${name}.silu`, 'activation', 2 * E(c), 1, { outputs: [[z, E(c), 'vae_activations']], frees: [y] });
    return z;
  };
  const resBlock = (name: string, x: string, cin: number, cout: number): string => {
    let h0 = x; // identity shortcut keeps x alive
    if (cin !== cout) {
      h0 = fresh('sc');
      b.op({ kind: 'conv', name: `${name}.shortcut`, dims: 3, cin, cout, kernel: [1, 1, 1], out: [t, h, w / shards], dtype: DT, tf32: o.tf32 }, { outputs: [[h0, E(cout), 'vae_activations']] });
    }
    const a1 = normSilu(`${name}.norm1`, x, cin);
    const c1 = causalConv(`${name}.conv1`, a1, cin, cout, [3, 3, 3]);
    b.free(a1);
    const a2 = normSilu(`${name}.norm2`, c1, cout);
    b.free(c1);
    const c2 = causalConv(`${name}.conv2`, a2, cout, cout, [3, 3, 3]);
    b.free(a2);
    const out = fresh('res');
    // the caller's `x = layer(x)` keeps the input alive until the block returns
    ew(`${name}.add`, 'binary', 3 * E(cout), 1, { outputs: [[out, E(cout), 'vae_activations']], frees: h0 === x ? [c2, x] : [c2, h0, x] });
    return out;
  };

  let c = vae.zDim;
  let cur = b.alloc(fresh('in'), E(c), 'vae_activations');
  const step = (next: string) => {
    b.free(cur);
    cur = next;
  };
  step(causalConv('conv1', cur, c, dims[0]!, [3, 3, 3]));
  c = dims[0]!;
  cur = resBlock('middle.res0', cur, c, c);
  {
    // single-head attention over the h·w tokens of each frame; fp32 SDPA runs the math path (two fp32
    // batched GEMMs, TF32 off for matmul by default, and a softmax over [hw, hw])
    const tokens = h * w;
    const nrm = fresh('an');
    ew('middle.attn.norm', 'norm', 9 * E(c), 5, { outputs: [[nrm, E(c), 'vae_activations']] });
    const qkv = fresh('qkv');
    b.op({ kind: 'conv', name: 'middle.attn.to_qkv', dims: 2, cin: c, cout: 3 * c, kernel: [1, 1, 1], out: [t, h, w / shards], dtype: DT, tf32: o.tf32 }, { outputs: [[qkv, E(3 * c), 'vae_activations']], frees: [nrm] });
    const qkvc = fresh('qkvc');
    ew('middle.attn.permute', 'copy', 2 * E(3 * c), 1, { outputs: [[qkvc, E(3 * c), 'vae_activations']], frees: [qkv] });
    const scores = (t * tokens * tokens * EB) / shards;
    b.op({ kind: 'gemm', name: 'middle.attn.qk', m: tokens / shards, n: tokens, k: c, dtype: DT, batch: t }, { outputs: [['scores', scores, 'vae_activations']] });
    ew('middle.attn.softmax', 'softmax', 2 * scores, 1, { outputs: [['probs', scores, 'vae_activations']], frees: ['scores'] });
    const att = fresh('att');
    b.op({ kind: 'gemm', name: 'middle.attn.pv', m: tokens / shards, n: c, k: tokens, dtype: DT, batch: t }, { outputs: [[att, E(c), 'vae_activations']], frees: ['probs', qkvc] });
    const proj = fresh('proj');
    ew('middle.attn.permute_out', 'copy', 2 * E(c), 1);
    b.op({ kind: 'conv', name: 'middle.attn.proj', dims: 2, cin: c, cout: c, kernel: [1, 1, 1], out: [t, h, w / shards], dtype: DT, tf32: o.tf32 }, { outputs: [[proj, E(c), 'vae_activations']], frees: [att] });
    const out = fresh('ares');
    ew('middle.attn.residual', 'binary', 3 * E(c), 1, { outputs: [[out, E(c), 'vae_activations']], frees: [proj] });
    step(out);
  }
  cur = resBlock('middle.res1', cur, c, c);

  stages.forEach((st, i) => {
    const stageIn = cur;
    const stageC = c;
    const stageT = t;
    const stageH = h;
    const stageW = w;
    let main = cur;
    if (vae.id === 'wan2.2-vae') {
      // Up_ResidualBlock: x_main = x.clone(); the original x stays alive (for the DupUp3D shortcut, if any)
      main = fresh('clone');
      ew(`up${i}.clone`, 'copy', 2 * E(c), 1, { outputs: [[main, E(c), 'vae_activations']] });
    }
    st.resIn.forEach((cin, r) => {
      main = resBlock(`up${i}.res${r}`, main, cin, st.resOut[r]!); // consumes its input
      c = st.resOut[r]!;
    });
    if (st.resample === 'upsample3d' && !first) {
      const tc = causalConv(`up${i}.time_conv`, main, c, 2 * c, [3, 1, 1]);
      b.free(main);
      // reshape to (2, c) and stack the halves along time: frames doubled (a copy)
      const stacked = fresh('stack');
      t = t * 2;
      ew(`up${i}.time_stack`, 'copy', 2 * E(c), 1, { outputs: [[stacked, E(c), 'vae_activations']], frees: [tc] });
      main = stacked;
    }
    if (st.resample !== 'none') {
      // rearrange b c t h w → (b t) c h w (a copy when t > 1), nearest 2× upsample, Conv2d 3×3 (+ zero padding)
      if (t > 1) {
        const fr = fresh('frames');
        ew(`up${i}.to_frames`, 'copy', 2 * E(c), 1, { outputs: [[fr, E(c), 'vae_activations']], frees: [main] });
        main = fr;
      }
      const before = E(c);
      h *= 2;
      w *= 2;
      const up = fresh('up');
      ew(`up${i}.upsample`, 'copy', before + E(c), 1, { outputs: [[up, E(c), 'vae_activations']], frees: [main] });
      const pad = fresh('pad2d');
      const padded = (c * t * (h + 2) * (w + 2) * EB) / shards;
      ew(`up${i}.pad2d`, 'copy', E(c) + padded, 1, { outputs: [[pad, padded, 'vae_activations']] });
      const conv = fresh('c2d');
      b.op({ kind: 'conv', name: `up${i}.conv2d`, dims: 2, cin: c, cout: st.resampleOut, kernel: [1, 3, 3], out: [t, h, w / shards], dtype: DT, tf32: o.tf32 }, { outputs: [[conv, E(st.resampleOut), 'vae_activations']], frees: [pad, up], workspace: ws('conv2d', c, st.resampleOut, padded, [1, 3, 3]) });
      main = conv;
      c = st.resampleOut;
    }
    if (st.dupShortcut) {
      // DupUp3D of the stage input: repeat_interleave + permute().contiguous(), then the add
      const outT = first ? stageT : t;
      const dup = fresh('dup');
      const elems = (c * outT * h * w * EB) / shards;
      const rep = fresh('rep');
      ew(`up${i}.dup_repeat`, 'copy', stageC * stageT * stageH * stageW * EB / shards + elems, 1, { outputs: [[rep, elems, 'vae_activations']] });
      ew(`up${i}.dup_permute`, 'copy', 2 * elems, 1, { outputs: [[dup, elems, 'vae_activations']], frees: [rep] });
      const sum = fresh('sum');
      ew(`up${i}.shortcut_add`, 'binary', 3 * elems, 1, { outputs: [[sum, elems, 'vae_activations']], frees: [dup, main, stageIn] });
      main = sum;
    } else if (main !== stageIn && b.has(stageIn)) {
      b.free(stageIn);
    }
    cur = main;
  });
  const a = normSilu('head.norm', cur, c);
  step(a);
  step(causalConv('head.conv', cur, c, headOut, [3, 3, 3]));
  b.free(cur);
  return cacheBytes;
}
