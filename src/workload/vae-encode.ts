/**
 * VAE encode as operators: the conditioning clip of image-to-video (Wan2.2 I2V-A14B encodes the first image
 * followed by F−1 zero frames on every rank, wan/image2video.py; TI2V-5B in I2V mode encodes the one image,
 * wan/textimage2video.py), fp32 with TF32 convolutions like the decode.
 *
 * Encoder walk (wan/modules/vae2_1.py Encoder3d; vae2_2.py has the same stages at its own widths), run on
 * chunks of 1 then 4 frames with the 2-frame causal cache:
 *   conv1 (3·patch² → dims[0], 3³) · per stage i: num_res_blocks ResBlocks (dims[i] → dims[i+1]), then,
 *   except after the last stage, a Resample: ZeroPad + Conv2d 3×3 stride 2 (spatial ½), and for stages with
 *   temporal downsampling (1 and 2) a CausalConv3d (3,1,1) stride 2 in time · middle: ResBlock, single-head
 *   attention over h·w, ResBlock · head: RMS_norm, SiLU, CausalConv3d(→ 2·z) · a 1×1 conv.
 * Elementwise traffic per ResBlock as in the decode (norm, SiLU, cache clone, cat, pad, residual add).
 * Memory: the weights, the input clip, and the largest stage's working set (a ResBlock at full resolution
 * holds its input, the normalised copy, the padded copy and the conv output).
 */
import { StageBuilder } from './ops.ts';
import type { VaeSpec } from './models.ts';
import { tileBlendSteps, tileCount, tileGroups } from './vae.ts';


export interface VaeEncodeOptions {
  /** Pixel frames, height and width of the clip. */
  frames: number;
  height: number;
  width: number;
  /** Allow TF32 for the fp32 convolutions (PyTorch's cudnn default). */
  tf32: boolean;
  /** Precision: fp32 (official), bf16 (engines that build the VAE in bf16). */
  dtype?: 'fp32' | 'bf16';
  /**
   * Spatial tiling in pixels (engines with a tiled VAE tile the encode as the decode: LightX2V@a10e7462
   * lightx2v/models/video_encoders/hf/wan/vae.py:568-620 `tiled_encode`, 256-px tiles every 192 px, each tile its own
   * causal-cache chunk walk; diffusers' AutoencoderKLWan.tiled_encode the same sizes). Absent: the whole frame.
   */
  tiling?: { tile: number; stride: number };
}

/** Encoder widths: dims[0] = base, then base·mult (vae2_1 Encoder3d `dims = [dim * u for u in [1] + dim_mult]`). */
function encoderDims(vae: VaeSpec): number[] {
  const base = vae.id === 'wan2.2-vae' ? 160 : vae.decoderDim; // Wan2.2 VAE: encoder base 160, decoder 256
  return [base, ...vae.dimMult.map((m) => base * m)];
}

export function buildVaeEncode(vae: VaeSpec, o: VaeEncodeOptions): StageBuilder {
  const b = new StageBuilder();
  const EB = o.dtype === 'bf16' ? 2 : 4; // bytes per element
  const DT = o.dtype === 'bf16' ? 'bf16' : 'fp32';
  const dims = encoderDims(vae);
  const p = vae.patchify;
  const temporalDown = [false, true, true];
  // chunks of 1, then 4 frames (vae2_1 encode: `iter_ = 1 + (t - 1) // 4`)
  const chunks = 1 + Math.floor((o.frames - 1) / 4);
  const clipBytes = 3 * o.frames * o.height * o.width * EB;
  b.alloc('clip', clipBytes, 'vae_io');
  b.alloc('weights', vae.params * EB, 'vae_weights');
  const conv = (name: string, cin: number, cout: number, k: [number, number, number], t: number, h: number, w: number, count: number) =>
    b.op({ kind: 'conv', name, dims: k[0] > 1 ? 3 : 2, cin, cout, kernel: k, out: [t, h, w], dtype: DT, tf32: o.tf32, count });
  const ew = (name: string, kind: 'copy' | 'norm' | 'activation' | 'binary', bytes: number, kernels: number, count: number) =>
    b.op({ kind: 'elementwise', name, ew: kind, bytes, kernels, count });

  /**
   * The encoder over one spatial tile (or the whole frame), `reps` walks of a chunk of `frames` frames (4, or the
   * first chunk's 1: its 3-D downsamples only fill their caches, so every stage runs at 1 frame); returns its
   * working set.
   */
  function walkTile(tileH: number, tileW: number, reps: number, label: string, frames: 1 | 4): number {
    let t: number = frames;
    let h = tileH / p;
    let w = tileW / p;
    let c = 3 * p * p;
    const E = (ch: number) => ch * t * h * w * EB;
    b.section(label ? `vae_encode.chunk.${label}` : 'vae_encode.chunk', 1);
    conv('conv1', c, dims[0]!, [3, 3, 3], t, h, w, reps);
    c = dims[0]!;
    let peak = E(c) * 4; // input, normalised, padded, output of a full-resolution conv
    const resBlock = (name: string, cin: number, cout: number) => {
      ew(`${name}.norms_silu`, 'norm', 11 * E(cin) + 11 * E(cout), 12, reps);
      ew(`${name}.cache_cat_pad`, 'copy', 6 * E(cin) + 6 * E(cout), 6, reps);
      conv(`${name}.conv1`, cin, cout, [3, 3, 3], t, h, w, reps);
      conv(`${name}.conv2`, cout, cout, [3, 3, 3], t, h, w, reps);
      if (cin !== cout) conv(`${name}.shortcut`, cin, cout, [1, 1, 1], t, h, w, reps);
      ew(`${name}.add`, 'binary', 3 * E(cout), 1, reps);
      peak = Math.max(peak, E(cin) + 3 * E(cout));
    };
    for (let i = 0; i < dims.length - 1; i++) {
      for (let r = 0; r < vae.numResBlocks; r++) {
        resBlock(`down${i}.res${r}`, r === 0 ? c : dims[i + 1]!, dims[i + 1]!);
      }
      c = dims[i + 1]!;
      if (i < dims.length - 2) {
        h /= 2;
        w /= 2;
        ew(`down${i}.pad`, 'copy', 2 * E(c) * 4, 1, reps);
        conv(`down${i}.conv2d_s2`, c, c, [1, 3, 3], t, h, w, reps);
        if (temporalDown[i] && frames > 1) {
          t = Math.max(1, t / 2);
          conv(`down${i}.time_conv_s2`, c, c, [3, 1, 1], t, h, w, reps);
        }
      }
    }
    resBlock('middle.res0', c, c);
    {
      const tokens = h * w;
      ew('middle.attn.norm_qkv_permute', 'norm', 14 * E(c), 6, reps);
      conv('middle.attn.to_qkv', c, 3 * c, [1, 1, 1], t, h, w, reps);
      b.op({ kind: 'gemm', name: 'middle.attn.qk', m: tokens, n: tokens, k: c, dtype: DT, batch: t, count: reps });
      ew('middle.attn.softmax', 'norm', 2 * t * tokens * tokens * EB, 1, reps);
      b.op({ kind: 'gemm', name: 'middle.attn.pv', m: tokens, n: c, k: tokens, dtype: DT, batch: t, count: reps });
      conv('middle.attn.proj', c, c, [1, 1, 1], t, h, w, reps);
    }
    resBlock('middle.res1', c, c);
    ew('head.norm_silu', 'norm', 11 * E(c), 6, reps);
    conv('head.conv', c, 2 * vae.zDim, [3, 3, 3], t, h, w, reps);
    return peak;
  }
  // per spatial tile: the 1-frame first chunk, then the 4-frame chunks, then the 1×1 conv that splits mu and
  // log-var over the tile's latent (vae2_1 WanVAE_.encode `self.conv1(out)`; LightX2V's tiled_encode per tile)
  const tiles = tileGroups(o.height, o.width, o.tiling);
  const latentT = 1 + Math.floor((o.frames - 1) / 4);
  const split = tileCount(tiles) > 1;
  let peak = 0;
  for (const tile of tiles) {
    const label = split ? `${tile.h}x${tile.w}` : '';
    peak = Math.max(peak, walkTile(tile.h, tile.w, tile.count, label ? `${label}.f0` : 'f0', 1));
    if (chunks > 1) peak = Math.max(peak, walkTile(tile.h, tile.w, (chunks - 1) * tile.count, label, 4));
    conv('conv1x1', 2 * vae.zDim, 2 * vae.zDim, [1, 1, 1], latentT, tile.h / vae.stride[1], tile.w / vae.stride[2], tile.count);
  }
  if (o.tiling && split) {
    // blend_v / blend_h of the latent tiles (mu), one Python step per overlap row or column (8 latents), then the
    // cat of the cropped tiles (latent-sized: small)
    const blend = tileBlendSteps(o.height, o.width, o.tiling, (o.tiling.tile - o.tiling.stride) / vae.stride[1]);
    b.op({ kind: 'elementwise', name: 'vae_encode.tile_blend', ew: 'binary', bytes: blend.pixels * vae.zDim * latentT * EB * 5, kernels: blend.kernels });
    const latentBytes = vae.zDim * latentT * (o.height / vae.stride[1]) * (o.width / vae.stride[2]) * EB;
    b.op({ kind: 'elementwise', name: 'vae_encode.tile_cat', ew: 'copy', bytes: 2 * latentBytes, kernels: 2 * tileCount(tiles) });
  }
  b.alloc('working_set', peak, 'vae_activations');
  b.free('working_set', 'clip', 'weights');
  return b;
}
