/**
 * `--postprocess` of `vgsim estimate`: a post-processing chain in one flag, the scenario's `postprocess` entry
 * written compactly (comma-separated steps, colon-separated options):
 *
 *   interpolate=FPS[:rife]  upscale=SIZE[:MODEL]  color  encode=CODEC[:nvenc|cpu][:PRESET][:CORES]  dtype=fp16|bf16
 *
 * e.g. --postprocess interpolate=32,upscale=1080p:realesr-animevideov3,color,encode=h264:cpu:medium:16
 * Parsed here without zod (CLI start-up); the same checks as the scenario schema, as UsageErrors (exit 2).
 */
import { didYouMean } from '../errors.ts';
import { CODECS, INTERPOLATION_MODELS, MAX_INTERPOLATE_FPS, NVENC_PRESETS, OUTPUT_SIZES, UPSCALE_MODELS, type PostprocessChain } from '../workload/postprocess/chain.ts';
import { UsageError } from './usage-error.ts';

const STEPS = ['interpolate', 'upscale', 'color', 'encode', 'dtype'];

function oneOf<T extends string>(what: string, v: string | undefined, allowed: readonly T[], fallback: T): T {
  if (v === undefined || v === '') return fallback;
  if (!(allowed as readonly string[]).includes(v)) {
    const hint = didYouMean(v, allowed);
    throw new UsageError(`--postprocess: ${what} expects one of ${allowed.join(', ')}, got "${v}"${hint ? ` (${hint})` : ''}`);
  }
  return v as T;
}

function size(v: string | undefined): { width: number; height: number; label: string } {
  if (!v) throw new UsageError('--postprocess: upscale= needs a size, e.g. upscale=1080p');
  const named = OUTPUT_SIZES[v.toLowerCase()];
  if (named) return { ...named, label: v };
  const m = /^(\d+)x(\d+)$/.exec(v);
  // (as the scenario's size: a side of 0 priced an upscale to 1920x0 and reported it as the output)
  if (m && Number(m[1]) > 0 && Number(m[2]) > 0) return { width: Number(m[1]), height: Number(m[2]), label: v };
  const hint = didYouMean(v, Object.keys(OUTPUT_SIZES));
  throw new UsageError(`--postprocess: upscale size expects ${Object.keys(OUTPUT_SIZES).join(', ')} or WIDTHxHEIGHT, got "${v}"${hint ? ` (${hint})` : ''}`);
}

export function parsePostprocessFlag(flag: string): PostprocessChain {
  const chain: PostprocessChain = { dtype: 'fp16' };
  for (const item of flag.split(',').map((x) => x.trim()).filter(Boolean)) {
    const [key, value] = item.split('=', 2) as [string, string | undefined];
    const parts = (value ?? '').split(':');
    switch (key) {
      case 'interpolate': {
        const fps = Number(parts[0]);
        if (!Number.isInteger(fps) || fps <= 0 || fps > MAX_INTERPOLATE_FPS) throw new UsageError(`--postprocess: interpolate= expects a target frame rate from 1 to ${MAX_INTERPOLATE_FPS} fps (as a scenario's interpolate.fps), e.g. interpolate=32, got "${parts[0] ?? ''}"`);
        chain.interpolate = { fps, model: oneOf('the interpolation model', parts[1], INTERPOLATION_MODELS, 'rife') };
        break;
      }
      case 'upscale':
        chain.upscale = { ...size(parts[0]), model: oneOf('the upscale model', parts[1], UPSCALE_MODELS, 'realesr-animevideov3') };
        break;
      case 'color':
        chain.color = true;
        break;
      case 'encode': {
        const codec = oneOf('the codec', parts[0], CODECS, 'h264');
        const on = oneOf('encode on', parts[1], ['nvenc', 'cpu'] as const, 'nvenc');
        const preset = on === 'nvenc' ? oneOf('the NVENC preset', parts[2], NVENC_PRESETS, 'p5') : oneOf('the x264/x265 preset', parts[2], ['medium'] as const, 'medium');
        if (on === 'cpu' && codec === 'av1') throw new UsageError('--postprocess: AV1 on the CPU is not modelled; use h264 or hevc, or encode on nvenc (L4, L40S)');
        const cores = parts[3] !== undefined ? Number(parts[3]) : 8;
        if (on === 'cpu' && (!Number.isInteger(cores) || cores < 1 || cores > 64)) throw new UsageError(`--postprocess: CPU encode cores expects an integer 1-64, got "${parts[3]}"`);
        chain.encode = { codec, on, preset, cores: on === 'cpu' ? cores : 0 };
        break;
      }
      case 'dtype':
        chain.dtype = oneOf('dtype', parts[0], ['fp16', 'bf16'] as const, 'fp16');
        break;
      default: {
        const hint = didYouMean(key, STEPS);
        throw new UsageError(`--postprocess: unknown step "${key}"${hint ? ` (${hint})` : ''}; steps: interpolate=FPS, upscale=SIZE[:MODEL], color, encode=CODEC[:nvenc|cpu][:PRESET][:CORES], dtype=fp16|bf16`);
      }
    }
  }
  return chain;
}
