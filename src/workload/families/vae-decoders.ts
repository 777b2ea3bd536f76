/**
 * The VAE decoders of the non-Wan families, as their official pipelines run them (layer walks on
 * vae-walk.ts):
 *
 *  - HunyuanVideo (Tencent/HunyuanVideo@fa14b00:hyvideo/vae/vae.py:136-223, unet_causal_3d_blocks.py:48-627,
 *    autoencoder_kl_causal_3d.py:118-157, 417-525): fp16, temporal × spatial tiles (16+1 latent frames every
 *    12, 32×32 latent every 24, blended); per tile conv_in 16 → 512, mid (ResNet, single-head attention over all
 *    tile tokens with a frame-causal mask, ResNet), 4 up blocks of 3 ResNets (512, 512, 256, 128; ×2 space in
 *    the first three, ×2 time in blocks 1 and 2), GroupNorm, SiLU, conv_out; causal convs replicate-pad in time
 *    and space (F.pad copies).
 *  - HunyuanVideo-1.5 (Tencent-Hunyuan/HunyuanVideo-1.5@60783e7:hyvideo/models/autoencoders/hunyuanvideo_15_vae.py:
 *    110-492, 677-801, 856-897; the pipeline decodes in memory_efficient_context, i.e. spatially tiled, fp16,
 *    pipeline :1289-1299, :1565-1578): 16 × 16 latent tiles (256 px) every 14 latent px (overlap 0.125), all
 *    frames per tile; conv_in 32 → 1024 plus the latent repeated to 1024 channels, mid (ResNet, single-head
 *    attention over the tile's tokens with a frame-causal float mask built by a Python loop, ResNet), 5 up
 *    levels of 3 ResNets (1024, 1024, 512, 256, 128) with depth-to-space upsampling through a conv to 8× (time
 *    and space: levels 0, 1) or 4× (space: levels 2, 3) the output channels plus a repeated shortcut;
 *    RMS_norm (F.normalize · √c · γ) before every conv, replicate-padded causal convs (F.pad copies). With
 *    sequence parallelism the tiles are dealt round-robin over the ranks and all-gathered
 *    (tile_parallel_spatial_tiled_decode, on by default: pipeline :905, :1294-1295).
 *  - CogVideoX (huggingface/diffusers@58eb52c:src/diffusers/models/autoencoders/autoencoder_kl_cogvideox.py:
 *    841-1197): bf16, spatial tiles (enable_tiling: 240×360 px tiles, overlap 1/6 and 1/5), 2 latent frames per
 *    decoder call (3 for the first of an odd count) with a causal conv cache (torch.cat of 2 cached frames);
 *    conv_in 16 → 512, mid 2 ResNets, 4 up blocks of 4 ResNets (512, 256, 256, 128; ×2 space in the first
 *    three, ×2 time in the first two), every norm a SpatialNorm3D (GroupNorm of f and two 1×1 convs of the
 *    latent upsampled to f's size); every causal conv clones its conv cache (vae-walk.ts convCache), and the
 *    previous frame batch's caches stay alive through the next call.
 *  - LTX-Video 0.9.5+ (autoencoder_kl_ltx.py:81-1034; Lightricks/LTX-Video@5260738 decodes the whole video in
 *    one call, no tiling): bf16, non-causal convs (torch.cat of repeated edge frames), conv_in 128 → 1024,
 *    mid 5 ResNets, 3 up blocks (depth-to-space ×2 in t, h, w through a conv to 4× channels, with a residual
 *    of the permuted input; 5 ResNets at 512, 256, 128), RMSNorm (fp32 inside) with timestep scale/shift,
 *    conv_out → 48 channels, 4×4 unpatchify.
 *  - Mochi (genmoai/mochi@0c86aeb:src/genmo/mochi_preview/vae/models.py:103-606, 998-1021): fp32 on one GPU
 *    (tiled_spatial: 4 × 2 tiles, overlap 8 latent px, no autocast), bf16 autocast with frames split over
 *    the context-parallel group otherwise; conv 1×1 12 → 768, 3 ResBlocks, 3 upsample blocks (6, 4, 3
 *    ResBlocks at 768, 512, 256, then a 1×1 projection and depth-to-space-time ×(3,2,2), (2,2,2), (1,2,2)),
 *    3 ResBlocks at 128, SiLU, 1×1 conv → RGB; GroupNorm per frame in chunks (a copy into the output),
 *    replicate padding in time (F.pad copy).
 */
import { StageBuilder } from '../ops.ts';
import type { FamilyVaeSpec } from './specs.ts';
import { DecoderWalk, type Tensor, type WalkOptions } from './vae-walk.ts';

export interface FamilyDecodeOptions {
  /** Latent frames, height and width of the whole video. */
  t: number;
  h: number;
  w: number;
  tf32: boolean;
  /** GPUs the decode is split over (Mochi: frames, context parallel). */
  shards: number;
  /** Spatial (and HunyuanVideo's temporal) tiling as the pipeline enables it; false: the whole frame per call. */
  tiled: boolean;
  convWorkspace?: WalkOptions['convWorkspace'];
}

/** A decoder invocation shape and how many times it runs. */
export interface TileCall {
  t: number;
  h: number;
  w: number;
  count: number;
}

function group(calls: [number, number, number][]): TileCall[] {
  const m = new Map<string, TileCall>();
  for (const [t, h, w] of calls) {
    const key = `${t}x${h}x${w}`;
    const c = m.get(key);
    if (c) c.count++;
    else m.set(key, { t, h, w, count: 1 });
  }
  return [...m.values()];
}

/** HunyuanVideo's tiled decode loops (autoencoder_kl_causal_3d.py:417-525): tiles 16+1 × 32 × 32 latent, strides 12 and 24. */
export function hunyuanTiles(T: number, H: number, W: number): TileCall[] {
  const calls: [number, number, number][] = [];
  const temporal = T > 16;
  for (let i = 0; i < (temporal ? T : 1); i += 12) {
    const t = temporal ? Math.min(T, i + 17) - i : T;
    if (H > 32 || W > 32) {
      for (let r = 0; r < H; r += 24) for (let c = 0; c < W; c += 24) calls.push([t, Math.min(H, r + 32) - r, Math.min(W, c + 32) - c]);
    } else calls.push([t, H, W]);
  }
  return group(calls);
}

/** CogVideoX's tiled decode (autoencoder_kl_cogvideox.py:1348-1375): 30 × 45 latent tiles every 25 × 36, frames in batches of 2. */
export function cogTiles(T: number, H: number, W: number, tiled = true): TileCall[] {
  const tiles: [number, number][] = [];
  if (tiled && (H > 30 || W > 45)) for (let r = 0; r < H; r += 25) for (let c = 0; c < W; c += 36) tiles.push([Math.min(H, r + 30) - r, Math.min(W, c + 45) - c]);
  else tiles.push([H, W]);
  const batches = Math.max(1, Math.floor(T / 2));
  const first = 2 + (T % 2);
  const calls: [number, number, number][] = [];
  for (const [h, w] of tiles) for (let i = 0; i < batches; i++) calls.push([i === 0 ? first : 2, h, w]);
  return group(calls);
}

/** Mochi's tiled_spatial decode (pipelines.py:565-571, vae/models.py:687-740): 4 × 2 halvings with 8 latent px of overlap. */
export function mochiTiles(T: number, H: number, W: number): TileCall[] {
  const halve = (n: number, times: number): number[] => {
    if (times === 0) return [n];
    const half = Math.floor(n / 2);
    return [...halve(half + 4, times - 1), ...halve(n - half + 4, times - 1)];
  };
  const calls: [number, number, number][] = [];
  for (const h of halve(H, 1)) for (const w of halve(W, 2)) calls.push([T, h, w]);
  return group(calls);
}

function hunyuanTile(d: DecoderWalk, z: Tensor): Tensor {
  const res = (name: string, x: Tensor, cout: number): Tensor => {
    const a = d.act(`${name}.silu1`, d.groupNorm(`${name}.norm1`, x, { keep: true }));
    const c1 = d.conv(`${name}.conv1`, a, cout, [3, 3, 3], { pad: 'thw', replicate: true });
    const a2 = d.act(`${name}.silu2`, d.groupNorm(`${name}.norm2`, c1));
    const c2 = d.conv(`${name}.conv2`, a2, cout, [3, 3, 3], { pad: 'thw', replicate: true });
    // conv_shortcut is a CausalConv3d of kernel 1: F.pad(replicate) by zeros still copies the input (unet_causal_3d_blocks.py:48-75)
    const sc = x.v.c !== cout ? d.conv(`${name}.conv_shortcut`, x, cout, [1, 1, 1], { pad: 'thw', replicate: true }) : x;
    return d.add(`${name}.add`, c2, sc);
  };
  let x = d.conv('conv_in', z, 512, [3, 3, 3], { pad: 'thw', replicate: true, keep: true });
  x = res('mid.res0', x, 512);
  x = d.attention('mid.attn', x, { maskBytes: (x.v.t * x.v.h * x.v.w) ** 2 * 2 });
  x = res('mid.res1', x, 512);
  const chans = [512, 512, 256, 128];
  chans.forEach((c, i) => {
    for (let r = 0; r < 3; r++) x = res(`up${i}.res${r}`, x, c);
    if (i < 3) {
      const time = i === 1 || i === 2;
      // nearest upsampling (the first frame is not doubled in time), then a causal conv at the new size
      x = d.upsample(`up${i}.interpolate`, x, time ? 2 : 1, 2, 2, time ? 2 * x.v.t - 1 : x.v.t);
      // the first frame and the rest are interpolated apart and concatenated (torch.cat: a copy of the output)
      if (time && x.v.t > 1) x = d.copy(`up${i}.interpolate.cat`, x);
      x = d.conv(`up${i}.upsample_conv`, x, c, [3, 3, 3], { pad: 'thw', replicate: true });
    }
  });
  x = d.act('norm_out.silu', d.groupNorm('norm_out', x));
  return d.conv('conv_out', x, 3, [3, 3, 3], { pad: 'thw', replicate: true });
}

/** HunyuanVideo-1.5's tiles (hunyuanvideo_15_vae.py:677-801): 16 × 16 latent every 14; with `shards` ranks, rank 0's share (indices 0, P, 2P, …). */
export function hunyuan15Tiles(T: number, H: number, W: number, shards = 1): TileCall[] {
  if (H <= 16 && W <= 16) return [{ t: T, h: H, w: W, count: 1 }];
  const calls: [number, number, number][] = [];
  const rows = Math.ceil(H / 14);
  const cols = Math.ceil(W / 14);
  for (let i = 0; i < rows * cols; i += shards) {
    const r = Math.floor(i / cols) * 14;
    const c = (i % cols) * 14;
    calls.push([T, Math.min(H, r + 16) - r, Math.min(W, c + 16) - c]);
  }
  return group(calls);
}

function hunyuan15Tile(d: DecoderWalk, z: Tensor): Tensor {
  // RMS_norm: F.normalize (norm, clamp, divide) · scale · gamma — 2 reads + 1 write and 2 pointwise passes; gamma only.
  // Under the pipeline's fp16 autocast the norm is an fp32 reduction and the division promotes x to fp32, so the
  // division, ·scale and ·gamma write (and the last two read) fp32: the code's kernels move 24 bytes an element
  // against 14 plain (norm read 2; divide 2 + 2 → 2 + 4; scale 2 + 2 → 4 + 4; gamma 2 + 2 → 4 + 4), and the output is fp32
  const rms = (name: string, x: Tensor, keep = false): Tensor => {
    const up = d.o.autocast === true && !x.fp32;
    const n = d.norm(name, x, { passes: up ? (5 * 24) / 14 : 5, kernels: 4, affine: false, keep, fp32Out: true });
    d.params += x.v.c;
    return n;
  };
  const res = (name: string, x: Tensor, cout: number): Tensor => {
    const a = d.act(`${name}.silu1`, rms(`${name}.norm1`, x, true), true);
    const c1 = d.conv(`${name}.conv1`, a, cout, [3, 3, 3], { pad: 'thw', replicate: true });
    const a2 = d.act(`${name}.silu2`, rms(`${name}.norm2`, c1), true);
    const c2 = d.conv(`${name}.conv2`, a2, cout, [3, 3, 3], { pad: 'thw', replicate: true });
    const sc = x.v.c !== cout ? d.conv(`${name}.nin_shortcut`, x, cout, [1, 1, 1]) : x;
    return d.add(`${name}.add`, c2, sc);
  };
  const chans = [1024, 1024, 512, 256, 128];
  // conv_in(z) + z.repeat_interleave(1024 / 32, dim=1)
  const ci = d.conv('conv_in', z, chans[0]!, [3, 3, 3], { pad: 'thw', replicate: true, keep: true });
  const rep = d.copy('conv_in.repeat_interleave', z, ci.v, true);
  let x = d.add('conv_in.add', ci, rep);
  x = res('mid.block_1', x, chans[0]!);
  const tokens = x.v.t * x.v.h * x.v.w;
  x = d.attention('mid.attn_1', x, { maskBytes: tokens * tokens * d.es });
  // AttnBlock's norm is an RMS_norm (c parameters), not the GroupNorm (2c) the walker counts
  d.params -= x.v.c;
  x = res('mid.block_2', x, chans[0]!);
  chans.forEach((c, i) => {
    for (let r = 0; r < 3; r++) x = res(`up${i}.block${r}`, x, c);
    if (i < 4) {
      const time = i < 2;
      const next = chans[i + 1]!;
      const h = d.conv(`up${i}.upsample.conv`, x, next * (time ? 8 : 4), [3, 3, 3], { pad: 'thw', replicate: true, keep: true });
      const up = d.depthToSpace(`up${i}.upsample.depth_to_space`, h, time ? 2 : 1, 2, time ? 1 : 0);
      // shortcut: x rearranged and repeat_interleave'd to the output's channels (copies), then h + shortcut
      const sc = d.copy(`up${i}.upsample.shortcut`, x, up.v);
      x = d.add(`up${i}.upsample.add`, up, sc);
    }
  });
  x = d.act('norm_out.silu', rms('norm_out', x), true);
  return d.conv('conv_out', x, 3, [3, 3, 3], { pad: 'thw', replicate: true });
}

function cogCall(d: DecoderWalk, z: Tensor): Tensor {
  // SpatialNorm3D: the latent upsampled to f's size, two 1×1 convs of it, GroupNorm(f), f·y + b
  const spatialNorm = (name: string, f: Tensor): Tensor => {
    // F.interpolate(zq, size=f's) (nearest); an odd frame count > 1 interpolates the first frame and the rest
    // apart and concatenates them (autoencoder_kl_cogvideox.py CogVideoXSpatialNorm3D.forward)
    let zq = d.upsample(`${name}.interpolate_zq`, z, f.v.t / z.v.t, f.v.h / z.v.h, f.v.w / z.v.w, f.v.t, true);
    if (f.v.t > 1 && f.v.t % 2 === 1) zq = d.copy(`${name}.interpolate_zq.cat`, zq);
    const y = d.conv(`${name}.conv_y`, zq, f.v.c, [1, 1, 1], { keep: true, cache: true });
    const bb = d.conv(`${name}.conv_b`, zq, f.v.c, [1, 1, 1], { cache: true });
    const n = d.groupNorm(`${name}.norm_layer`, f, { keep: true });
    d.pointwise(`${name}.mul_add`, n, 2);
    d.free(y, bb);
    return n;
  };
  const res = (name: string, x: Tensor, cout: number): Tensor => {
    const a = d.act(`${name}.silu1`, spatialNorm(`${name}.norm1`, x));
    const c1 = d.conv(`${name}.conv1`, a, cout, [3, 3, 3], { pad: 't', cache: true, sliceCat: true });
    const a2 = d.act(`${name}.silu2`, spatialNorm(`${name}.norm2`, c1));
    d.free(c1);
    const c2 = d.conv(`${name}.conv2`, a2, cout, [3, 3, 3], { pad: 't', cache: true, sliceCat: true });
    const sc = x.v.c !== cout ? d.conv(`${name}.conv_shortcut`, x, cout, [1, 1, 1]) : x;
    return d.add(`${name}.add`, c2, sc);
  };
  let x = d.conv('conv_in', z, 512, [3, 3, 3], { pad: 't', keep: true, cache: true, sliceCat: true });
  x = res('mid.res0', x, 512);
  x = res('mid.res1', x, 512);
  const chans = [512, 256, 256, 128];
  chans.forEach((c, i) => {
    for (let r = 0; r < 4; r++) x = res(`up${i}.res${r}`, x, c);
    if (i < 3) {
      const time = i < 2;
      x = d.upsample(`up${i}.interpolate`, x, time ? 2 : 1, 2, 2, time && x.v.t > 1 ? (x.v.t % 2 === 1 ? 2 * x.v.t - 1 : 2 * x.v.t) : x.v.t);
      // CogVideoXUpsample3D folds the frames into the batch for its 2D conv: x.permute(0, 2, 1, 3, 4).reshape(b·t, c,
      // h, w) copies the strided view (calibration/families_vae_reference.py CogDecoder.forward likewise), and its
      // output is viewed back permuted; the next GroupNorm copies that view to contiguous (group_norm:
      // input.contiguous()), and so does the next block's conv_shortcut where it has one (channels change)
      x = d.copy(`up${i}.fold_frames`, x, x.v, false, { strided: true });
      x = d.conv(`up${i}.conv`, x, c, [1, 3, 3]);
      x = d.copy(`up${i}.unfold_frames.contiguous`, x, x.v, false, { strided: true, kernels: chans[i + 1] !== c ? 2 : 1 });
    }
  });
  const n = spatialNorm('norm_out', x);
  d.free(x);
  return d.conv('conv_out', d.act('norm_out.silu', n), 3, [3, 3, 3], { pad: 't', cache: true, sliceCat: true });
}

function ltxCall(d: DecoderWalk, z: Tensor): Tensor {
  // timestep embedders (PixArt combined embeddings: Linear 256 → e, SiLU, Linear e → e) of the mid block, each up
  // block and the output: one batch row each
  const timeMlp = (name: string, e: number) => {
    for (const [n, k] of [[e, 256], [e, e]] as const) d.b.op({ kind: 'gemm', name: `${name}.${n === k ? 'linear_2' : 'linear_1'}`, m: 1, n, k, dtype: d.o.dtype === 'fp32' ? 'fp32' : 'bf16', batch: 1 });
    d.params += 256 * e + e + e * e + e;
  };
  // diffusers' RMSNorm over channels (DecoderWalk.channelRms), then the timestep scale and shift, x · (1 + scale) + shift with [B, C, 1, 1, 1] operands (2 broadcast kernels), SiLU
  const normAct = (name: string, x: Tensor, keep = false) => d.act(`${name}.silu`, d.pointwise(`${name}.scale_shift`, d.channelRms(name, x, keep), 2, true));
  const res = (name: string, x: Tensor): Tensor => {
    const c1 = d.conv(`${name}.conv1`, normAct(`${name}.norm1`, x, true), x.v.c, [3, 3, 3], { pad: 't' });
    const c2 = d.conv(`${name}.conv2`, normAct(`${name}.norm2`, c1), x.v.c, [3, 3, 3], { pad: 't' });
    d.params += 4 * x.v.c; // scale_shift_table [4, c]
    return d.add(`${name}.add`, c2, x);
  };
  let x = d.conv('conv_in', z, 1024, [3, 3, 3], { pad: 't', keep: true });
  timeMlp('mid.time_embedder', 4 * 1024);
  for (let r = 0; r < 5; r++) x = res(`mid.res${r}`, x);
  for (let i = 0; i < 3; i++) {
    timeMlp(`up${i}.time_embedder`, 4 * (x.v.c / 2));
    // LTXVideoUpsampler3d (residual): the input permuted/repeated into the output shape, a conv to c·8/2, depth-to-space
    const cout = x.v.c / 2;
    const resid = d.copy(`up${i}.upsampler.residual`, x, { c: cout, t: 2 * x.v.t - 1, h: 2 * x.v.h, w: 2 * x.v.w }, true);
    const conv = d.conv(`up${i}.upsampler.conv`, x, cout * 8, [3, 3, 3], { pad: 't' });
    const up = d.depthToSpace(`up${i}.upsampler.depth_to_space`, conv, 2, 2, 1);
    x = d.add(`up${i}.upsampler.add`, up, resid);
    for (let r = 0; r < 5; r++) x = res(`up${i}.res${r}`, x);
  }
  timeMlp('time_embedder', 2 * x.v.c);
  d.params += 2 * x.v.c; // scale_shift_table [2, c]
  x = normAct('norm_out', x);
  const out = d.conv('conv_out', x, 48, [3, 3, 3], { pad: 't' });
  return d.depthToSpace('unpatchify', out, 1, 4, 0);
}

function mochiCall(d: DecoderWalk, z: Tensor): Tensor {
  const res = (name: string, x: Tensor): Tensor => {
    // GroupNormSpatial: group_norm per frame chunk written into a preallocated output (a copy), SiLU in place
    const a = d.act(`${name}.silu1`, d.norm(`${name}.norm1`, x, { passes: 5, kernels: 2, keep: true }), true);
    const c1 = d.conv(`${name}.conv1`, a, x.v.c, [3, 3, 3], { pad: 't', replicate: true });
    const a2 = d.act(`${name}.silu2`, d.norm(`${name}.norm2`, c1, { passes: 5, kernels: 2 }), true);
    const c2 = d.conv(`${name}.conv2`, a2, x.v.c, [3, 3, 3], { pad: 't', replicate: true });
    return d.add(`${name}.add`, c2, x);
  };
  let x = d.conv('blocks.0.conv_in', z, 768, [1, 1, 1], { keep: true });
  for (let r = 0; r < 3; r++) x = res(`blocks.0.res${r}`, x);
  const ups: [number, number, number, number][] = [[6, 512, 3, 2], [4, 256, 2, 2], [3, 128, 1, 2]];
  ups.forEach(([n, cout, st, s], i) => {
    for (let r = 0; r < n; r++) x = res(`up${i}.res${r}`, x);
    const p = d.conv(`up${i}.proj`, x, cout * st * s * s, [1, 1, 1]);
    x = d.depthToSpace(`up${i}.depth_to_space_time`, p, st, s, st - 1);
  });
  for (let r = 0; r < 3; r++) x = res(`last.res${r}`, x);
  x = d.act('output.silu', x, true);
  return d.conv('output_proj', x, 3, [1, 1, 1]);
}

const WALKS: Record<FamilyVaeSpec['id'], (d: DecoderWalk, z: Tensor) => Tensor> = {
  'hunyuan-video-vae': hunyuanTile,
  'hunyuan-video-15-vae': hunyuan15Tile,
  'cogvideox-vae': cogCall,
  'ltx-video-vae': ltxCall,
  'mochi-vae': mochiCall,
};

/** The decoder calls of one video: tiles, frame batches, or the whole video (split over `shards` for Mochi). */
export function decodeCalls(vae: FamilyVaeSpec, o: { t: number; h: number; w: number; shards: number; tiled?: boolean }): TileCall[] {
  const tiled = o.tiled ?? true;
  switch (vae.id) {
    case 'hunyuan-video-vae':
      return tiled ? hunyuanTiles(o.t, o.h, o.w) : [{ t: o.t, h: o.h, w: o.w, count: 1 }];
    case 'hunyuan-video-15-vae':
      return tiled ? hunyuan15Tiles(o.t, o.h, o.w, o.shards) : [{ t: o.t, h: o.h, w: o.w, count: 1 }];
    case 'cogvideox-vae':
      return cogTiles(o.t, o.h, o.w, tiled);
    case 'ltx-video-vae':
      return [{ t: o.t, h: o.h, w: o.w, count: 1 }];
    case 'mochi-vae':
      return o.shards > 1 ? [{ t: Math.ceil(o.t / o.shards), h: o.h, w: o.w, count: 1 }] : tiled ? mochiTiles(o.t, o.h, o.w) : [{ t: o.t, h: o.h, w: o.w, count: 1 }];
  }
}

/** Output frames of a decoder call on t latent frames. */
export function decodedFrames(vae: FamilyVaeSpec, t: number): number {
  return (t - 1) * vae.stride[0] + 1;
}

/** Builds the whole decode of one video. */
export function buildFamilyVaeDecode(vae: FamilyVaeSpec, o: FamilyDecodeOptions): StageBuilder {
  const b = new StageBuilder();
  // Mochi's multi-GPU decode runs under autocast bf16 (vae/models.py:1018); the single-GPU tiled path in fp32
  const dtype = vae.id === 'mochi-vae' && o.shards > 1 ? 'bf16' : vae.dtype;
  const es = dtype === 'fp32' ? 4 : 2;
  const shards = vae.id === 'mochi-vae' ? o.shards : 1;
  // HunyuanVideo-1.5 deals whole tiles to the ranks (rank 0 decodes its share, then gathers every tile)
  const tileShards = vae.id === 'hunyuan-video-15-vae' && o.tiled ? o.shards : 1;
  const frames = decodedFrames(vae, o.t);
  const videoBytes = (3 * frames * o.h * vae.stride[1] * o.w * vae.stride[2] * es) / shards;
  b.alloc('weights', vae.params * es, 'vae_weights');
  b.alloc('latents', vae.zDim * o.t * o.h * o.w * es, 'vae_io');
  const calls = decodeCalls(vae, { ...o, shards: Math.max(shards, tileShards) });
  const allCalls = tileShards > 1 ? decodeCalls(vae, { ...o, shards: 1 }) : calls;
  const decodedVolume = allCalls.reduce((a, c) => a + c.count * decodedFrames(vae, c.t) * c.h * c.w, 0) * vae.stride[1] * vae.stride[2];
  // decoded tiles are kept until they are blended and concatenated (overlaps included)
  const tileOutputs = (3 * decodedVolume * es) / shards;
  if (tileShards > 1) {
    // every rank's tiles, padded to the standard 256 × 256 px tile, all-gathered to every rank
    const perRank = calls.reduce((a, c) => a + c.count, 0);
    b.op({ kind: 'collective', name: 'vae.all_gather_tiles', collective: 'allgather', bytes: perRank * tileShards * 3 * frames * 256 * 256 * es, comm: 'vae' });
  }
  b.alloc('decoded_tiles', tileOutputs, 'vae_io');
  const walk = WALKS[vae.id];
  const walkOpts: WalkOptions = { dtype, tf32: o.tf32, convWorkspace: o.convWorkspace, safeConv: vae.id === 'mochi-vae' || vae.id === 'cogvideox-vae', convCache: vae.id === 'cogvideox-vae', autocast: vae.autocast === true && dtype !== 'fp32' };
  // CogVideoX: _decode holds the previous frame batch's conv caches while the decoder builds the next set
  // (autoencoder_kl_cogvideox.py:1187-1198, tiled_decode likewise per tile): every batch after the first has them
  const batches = Math.max(1, Math.floor(o.t / 2));
  for (const c of calls) {
    b.section(`vae.decode_${c.t}x${c.h}x${c.w}`, c.count);
    let prev = 0;
    if (walkOpts.convCache && batches > 1 && c.t === 2) {
      const dry = new DecoderWalk(new StageBuilder(), walkOpts);
      walk(dry, dry.input({ c: vae.zDim, t: c.t, h: c.h, w: c.w }));
      prev = dry.caches.reduce((a, t) => a + dry.bytes(t.v), 0);
      b.alloc('conv_cache.previous_batch', prev, 'vae_conv_cache');
    }
    const d = new DecoderWalk(b, walkOpts);
    const z = d.input({ c: vae.zDim, t: c.t, h: c.h, w: c.w });
    const out = walk(d, z);
    d.free(out, z, ...d.caches);
    if (prev > 0) b.free('conv_cache.previous_batch');
  }
  b.section('vae.output', 1);
  if (calls.length > 1 || calls[0]!.count > 1) b.op({ kind: 'elementwise', name: 'blend_and_cat', ew: 'copy', bytes: tileOutputs + videoBytes, kernels: 4 }, { outputs: [['video', videoBytes, 'vae_io']] });
  else b.alloc('video', videoBytes, 'vae_io');
  if (shards > 1) b.op({ kind: 'collective', name: 'vae.gather_all_frames', collective: 'allgather', bytes: videoBytes * shards, comm: 'vae' });
  b.free('video', 'decoded_tiles', 'latents', 'weights');
  return b;
}

/**
 * One decoder call on a latent tile (t, h, w) in the pipeline's dtype, and the parameters it walked; `walk`
 * adds what a timed call also has (the cuDNN workspace, SafeConv3d chunking as buildFamilyVaeDecode runs it, and
 * `autocast` where the call ran under it: families_measure.py times plain 16-bit calls, vae_autocast_probe.py both).
 */
export function buildDecoderCall(vae: FamilyVaeSpec, t: number, h: number, w: number, walk: Pick<WalkOptions, 'convWorkspace' | 'safeConv' | 'convCache' | 'autocast'> = {}): { builder: StageBuilder; params: number } {
  const b = new StageBuilder();
  const d = new DecoderWalk(b, { dtype: vae.dtype, tf32: true, ...walk });
  const z = d.input({ c: vae.zDim, t, h, w });
  d.free(WALKS[vae.id](d, z), z, ...d.caches);
  return { builder: b, params: d.params };
}

/** Decoder parameters (one walk of a small call), for checks against the PyTorch reference. */
export function familyDecoderParams(vae: FamilyVaeSpec): number {
  return buildDecoderCall(vae, 3, 4, 4).params;
}
