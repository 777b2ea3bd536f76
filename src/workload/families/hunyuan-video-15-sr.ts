/**
 * HunyuanVideo-1.5's super-resolution stage as its official pipeline runs it
 * (Tencent-Hunyuan/HunyuanVideo-1.5@60783e7:hyvideo/pipelines/hunyuan_video_sr_pipeline.py:46-78, 164-469):
 * the base sampler's latents are resized (bilinear, per frame) to the high-resolution bucket of the same
 * aspect ratio, run through a latent upsampler (fp32, every convolution at the target latent size), noised
 * and denoised by a second DiT of the same architecture (6 steps for 480p → 720p, 8 for 720p → 1080p, no CFG,
 * commons/__init__.py:108-124), and the VAE decodes the high-resolution latent.
 *
 * The bucket arithmetic follows generate_crop_size_list / BucketMap (utils/data_utils.py:38-73; the SR
 * pipeline's SizeMap 480p 640, 720p 960, 1080p 1440, stride 16).
 */
import { StageBuilder } from '../ops.ts';
import { DecoderWalk } from './vae-walk.ts';

/** generate_crop_size_list(base, 16): (w, h) buckets of about base² pixels, aspect ratio at most 4. */
export function cropSizeList(base: number, patch = 16, maxRatio = 4): [number, number][] {
  const n = Math.round((base / patch) ** 2);
  let wp = n;
  let hp = 1;
  const out: [number, number][] = [];
  while (wp > 0) {
    if (Math.max(wp, hp) / Math.min(wp, hp) <= maxRatio) out.push([wp * patch, hp * patch]);
    if ((hp + 1) * wp <= n) hp++;
    else wp--;
  }
  return out;
}

/** The SR latent (h, w) for a base latent: BucketMap's closest-aspect high-resolution bucket, divided by the VAE's 16. */
export function srLatent(latent: { h: number; w: number }, hrBase: number): { h: number; w: number } {
  const ratio = (latent.w * 16) / (latent.h * 16);
  let best: [number, number] = [0, 0];
  let err = Infinity;
  for (const [w, h] of cropSizeList(hrBase)) {
    const e = Math.abs(w / h - ratio);
    if (e < err) {
      err = e;
      best = [w, h];
    }
  }
  return { h: Math.floor(best[1] / 16), w: Math.floor(best[0] / 16) };
}

/**
 * The latent upsamplers (modules/upsample.py:55-169). Their configs live in the checkpoints' config.json,
 * which the code does not state; what the code fixes is that every convolution runs at the target latent size
 * in fp32 (no upsample blocks are built; the input is interpolated first, sr_pipeline :337-343), so the work is
 * 2 · params FLOPs per latent voxel. Parameters from the checkpoint sizes (fp32): the official upsampler folder
 * holds 287 MB for both (https://huggingface.co/tencent/HunyuanVideo-1.5/tree/main/upsampler), of which the
 * 1080p one is 201 MB (Comfy-Org/HunyuanVideo_1.5_repackaged split_files/latent_upscale_models/
 * hunyuanvideo15_latent_upsampler_1080p.safetensors): 50.3 M and 21.5 M parameters. We walk them as
 * SRTo720pUpsampler's shape — in conv, 6 residual blocks of three 3×3×3 convs (its code default), out conv —
 * at the hidden width that gives those parameters.
 */
export const SR_UPSAMPLER_PARAMS = { 'hv15-sr-720p-upsampler': (287e6 - 201e6) / 4, 'hv15-sr-1080p-upsampler': 201e6 / 4 } as const;

export function buildHv15SrUpsampler(which: keyof typeof SR_UPSAMPLER_PARAMS, from: { t: number; h: number; w: number }, to: { h: number; w: number }, channels: number): StageBuilder {
  const b = new StageBuilder();
  b.section('sr_upsampler');
  const d = new DecoderWalk(b, { dtype: 'fp32', tf32: true });
  const blocks = 6;
  // params = 27·(2·c_in·c + 3·blocks·c²): the hidden width c that matches the checkpoint
  const p = SR_UPSAMPLER_PARAMS[which] / 27;
  const c = Math.round((-2 * channels + Math.sqrt(4 * channels * channels + 4 * 3 * blocks * p)) / (2 * 3 * blocks));
  const z = d.input({ c: channels, ...from });
  // F.interpolate(bilinear) per frame to the target size, cast to fp32
  let x = d.copy('interpolate_bilinear', z, { c: channels, t: from.t, h: to.h, w: to.w }, true);
  x = d.conv('in_conv', x, c, [3, 3, 3], { pad: 'thw' });
  for (let i = 0; i < blocks; i++) {
    let y = d.conv(`blocks.${i}.conv1`, x, c, [3, 3, 3], { pad: 'thw', keep: true });
    y = d.act(`blocks.${i}.silu1`, y, true);
    y = d.conv(`blocks.${i}.conv2`, y, c, [3, 3, 3], { pad: 'thw' });
    y = d.act(`blocks.${i}.silu2`, y, true);
    y = d.conv(`blocks.${i}.conv3`, y, c, [3, 3, 3], { pad: 'thw' });
    x = d.add(`blocks.${i}.residual`, y, x);
  }
  const out = d.conv('out_conv', x, channels, [3, 3, 3], { pad: 'thw' });
  d.free(out, z);
  return b;
}
