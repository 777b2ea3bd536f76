/**
 * `workload.mix[].postprocess`: what a request class does to its video after the VAE decode (frame
 * interpolation, super-resolution, color correction, encoding; src/workload/postprocess/chain.ts), and
 * `stages: [..., postprocess]` of a pool decides where it runs: on the replica that decodes (a pool's stages
 * include postprocess by default), or on a pool of its own (stages: [postprocess], e.g. on L4 or L40S nodes).
 */
import { z } from 'zod';
import { didYouMean } from '../errors.ts';
import { CODECS, INTERPOLATION_MODELS, MAX_INTERPOLATE_FPS, NVENC_PRESETS, OUTPUT_SIZES, UPSCALE_MODELS, type PostprocessSpecLike } from '../workload/postprocess/chain.ts';

const size = z
  .union([z.string(), z.number()])
  .transform((raw, ctx) => {
    const v = String(raw);
    const named = OUTPUT_SIZES[v.toLowerCase()];
    if (named) return { ...named, label: v };
    const m = /^(\d+)x(\d+)$/.exec(v);
    if (m && Number(m[1]) > 0 && Number(m[2]) > 0) return { width: Number(m[1]), height: Number(m[2]), label: v };
    const hint = didYouMean(v, Object.keys(OUTPUT_SIZES));
    ctx.addIssue({ code: 'custom', message: `expected ${Object.keys(OUTPUT_SIZES).join(', ')} or WIDTHxHEIGHT, got "${v}"${hint ? ` (${hint})` : ''}` });
    return z.NEVER;
  })
  .describe('target size: 720p, 1080p, 1440p, 2160p/4k or WIDTHxHEIGHT');

const encode = z
  .strictObject({
    codec: z.enum(CODECS as [string, ...string[]]).default('h264').describe('h264, hevc or av1'),
    on: z.enum(['nvenc', 'cpu']).default('nvenc').describe('nvenc: the GPU\'s hardware encoder (published throughput; H100/H200/A100 have none); cpu: x264/x265 on host cores'),
    preset: z.string().optional().describe('nvenc: p1, p3, p5 (default) or p7; cpu: medium (default, the only one measured)'),
    cores: z.number().int().positive().max(64).optional().describe('cpu: host CPU cores one encode uses (default 8)'),
  })
  .superRefine((e, ctx) => {
    const presets: readonly string[] = e.on === 'nvenc' ? NVENC_PRESETS : ['medium'];
    if (e.preset !== undefined && !presets.includes(e.preset)) {
      const hint = didYouMean(e.preset, presets);
      ctx.addIssue({ code: 'custom', path: ['preset'], message: `${e.on === 'nvenc' ? 'NVENC' : 'x264/x265'} preset "${e.preset}" is not modelled: expected one of ${presets.join(', ')}${hint ? ` (${hint})` : ''}` });
    }
    if (e.on === 'cpu' && e.codec === 'av1') ctx.addIssue({ code: 'custom', path: ['codec'], message: 'AV1 on the CPU is not modelled (no SVT-AV1 measurement): use h264 or hevc, or on: nvenc on an Ada GPU (L4, L40S)' });
    if (e.on === 'nvenc' && e.cores !== undefined) ctx.addIssue({ code: 'custom', path: ['cores'], message: 'cores applies to on: cpu only' });
  })
  .describe('encoding of the final frames');

export const PostprocessSchema = z
  .strictObject({
    interpolate: z
      .strictObject({
        fps: z.number().int().positive().max(MAX_INTERPOLATE_FPS).describe('target frame rate (above the model\'s: Wan2.2-A14B 16 fps, TI2V-5B 24 fps)'),
        model: z.enum(INTERPOLATION_MODELS as [string, ...string[]]).default('rife').describe('rife: RIFE v4.15-4.21 IFNet'),
      })
      .optional()
      .describe('frame interpolation'),
    upscale: z
      .strictObject({
        to: size,
        model: z.enum(UPSCALE_MODELS as [string, ...string[]]).default('realesr-animevideov3').describe('realesrgan-x4 (RRDBNet, 23 blocks), realesr-animevideov3 (SRVGGNetCompact, 16 convs), realesr-general-x4v3 (32 convs)'),
      })
      .optional()
      .describe('video super-resolution (×4 network, then resized to the target)'),
    color: z.boolean().default(false).describe('a per-pixel color correction pass (memory-bound)'),
    encode: encode.optional(),
    dtype: z.enum(['fp16', 'bf16']).default('fp16').describe('precision of the networks'),
  })
  .describe('post-processing after the VAE decode, in this order: interpolate → upscale → color → encode; runs where the pool stages say (default: the replica that decoded)');

export type PostprocessSpec = z.infer<typeof PostprocessSchema>;

export { chainOf } from '../workload/postprocess/chain.ts';

// the schema's output is what chainOf reads (declared in the workload layer, which never imports zod)
PostprocessSchema satisfies z.ZodType<PostprocessSpecLike, unknown>;
