/**
 * A post-processing chain: what a request class does to its video after the VAE decode, in this fixed order
 *
 *   interpolate   frame interpolation to a higher frame rate (RIFE v4.15–4.21 IFNet): one network call per new
 *                 frame, at the decoded resolution;
 *   upscale       video super-resolution with a ×4 Real-ESRGAN-class network on every frame (after interpolation),
 *                 then a resize of the ×4 output to the target (Real-ESRGAN's `--outscale` path);
 *   color         a per-pixel color correction (3×3 matrix, offset, gamma, clamp): memory-bound passes;
 *   encode        H.264 / HEVC / AV1 on the GPU's NVENC engines, or x264 / x265 on host CPU cores.
 *
 * This file holds the chain's types and its frame arithmetic (how many frames each step sees); the networks'
 * operator lists are in rife.ts, esrgan.ts, color.ts, the encoders' throughput in hardware/video-encoders.ts.
 */

export type InterpolationModel = 'rife';
export type UpscaleModel = 'realesrgan-x4' | 'realesr-animevideov3' | 'realesr-general-x4v3';
export type { Codec, NvencPreset } from '../../hardware/video-encoders.ts';
export { CODECS, NVENC_PRESETS } from '../../hardware/video-encoders.ts';
import type { Codec } from '../../hardware/video-encoders.ts';
export type X264Preset = 'medium';

export const INTERPOLATION_MODELS: readonly InterpolationModel[] = ['rife'];
export const UPSCALE_MODELS: readonly UpscaleModel[] = ['realesrgan-x4', 'realesr-animevideov3', 'realesr-general-x4v3'];

/**
 * The highest target frame rate of an interpolation: 240 fps, the fastest refresh of consumer displays (240 Hz
 * monitors); past it the synthesised frames are never shown. A scenario's interpolate.fps and `vgsim estimate
 * --postprocess interpolate=FPS` share it (an unbounded flag priced 1e9 fps as 15,645 h of RIFE).
 */
export const MAX_INTERPOLATE_FPS = 240;

/** Named output sizes (16:9). */
export const OUTPUT_SIZES: Record<string, { width: number; height: number }> = {
  '720p': { width: 1280, height: 720 },
  '1080p': { width: 1920, height: 1080 },
  '1440p': { width: 2560, height: 1440 },
  '2160p': { width: 3840, height: 2160 },
  '4k': { width: 3840, height: 2160 },
};

export interface PostprocessChain {
  interpolate?: { fps: number; model: InterpolationModel };
  /** Target size; `label` as the scenario wrote it (e.g. "1080p"). */
  upscale?: { width: number; height: number; model: UpscaleModel; label: string };
  color?: boolean;
  /** `cores`: host CPU cores one encode uses (on: cpu). */
  encode?: { codec: Codec; on: 'nvenc' | 'cpu'; preset: string; cores: number };
  /** Precision of the networks (fp16 as the RIFE and Real-ESRGAN inference scripts run them, or bf16). */
  dtype: 'fp16' | 'bf16';
}

/** A class's `postprocess` entry as the scenario schema outputs it (defaults filled in by the schema). */
export interface PostprocessSpecLike {
  interpolate?: { fps: number; model: string };
  upscale?: { to: { width: number; height: number; label: string }; model: string };
  color: boolean;
  encode?: { codec: string; on: 'nvenc' | 'cpu'; preset?: string; cores?: number };
  dtype: 'fp16' | 'bf16';
}

/** The chain of a `postprocess` entry (the schema has checked the names; presets and cores defaulted here). */
export function chainOf(p: PostprocessSpecLike): PostprocessChain {
  return {
    ...(p.interpolate ? { interpolate: { fps: p.interpolate.fps, model: p.interpolate.model as InterpolationModel } } : {}),
    ...(p.upscale ? { upscale: { ...p.upscale.to, model: p.upscale.model as UpscaleModel } } : {}),
    ...(p.color ? { color: true } : {}),
    ...(p.encode ? { encode: { codec: p.encode.codec as Codec, on: p.encode.on, preset: p.encode.preset ?? (p.encode.on === 'nvenc' ? 'p5' : 'medium'), cores: p.encode.on === 'cpu' ? (p.encode.cores ?? 8) : 0 } } : {}),
    dtype: p.dtype,
  };
}

/** True when the chain does anything. */
export function chainIsEmpty(c: PostprocessChain | undefined): boolean {
  return !c || (!c.interpolate && !c.upscale && !c.color && !c.encode);
}

/** A one-line description, e.g. "rife 16→32 fps, realesr-animevideov3 to 1080p, color, h264 on nvenc p5". */
export function describeChain(c: PostprocessChain, inputFps: number): string {
  const parts: string[] = [];
  if (c.interpolate) parts.push(`${c.interpolate.model} ${inputFps}→${c.interpolate.fps} fps`);
  if (c.upscale) parts.push(`${c.upscale.model} to ${c.upscale.label}`);
  if (c.color) parts.push('color');
  if (c.encode) parts.push(`${c.encode.codec} on ${c.encode.on === 'cpu' ? `${c.encode.cores} CPU cores` : 'nvenc'} ${c.encode.preset}`);
  return parts.join(', ') || 'none';
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Frames of an interpolation from `inFps` to `outFps` (integers, outFps > inFps) of a clip of `frames` frames:
 * the output keeps the clip's duration, output frame j at time j/outFps for j = 0 … ⌊(frames−1)·outFps/inFps⌋;
 * a frame whose time falls on an input frame is copied, every other one is synthesised by one network call
 * (RIFE v4 takes an arbitrary timestep between its two neighbours). Output times coincide with input frames
 * every outFps/gcd(inFps, outFps) output frames.
 */
export function interpolatedFrames(frames: number, inFps: number, outFps: number): { out: number; synthesised: number } {
  const out = Math.floor(((frames - 1) * outFps) / inFps) + 1;
  const every = outFps / gcd(inFps, outFps);
  const copied = Math.floor((out - 1) / every) + 1;
  return { out, synthesised: out - copied };
}

/** What each step of the chain sees for a video of `frames` frames of width×height at `fps`. */
export interface ChainShape {
  input: { frames: number; width: number; height: number; fps: number };
  /** Network calls of the interpolator (synthesised frames) and the frames after it. */
  interpolate?: { calls: number; frames: number; fps: number };
  upscale?: { frames: number; inWidth: number; inHeight: number; outWidth: number; outHeight: number };
  output: { frames: number; width: number; height: number; fps: number };
}

export function chainShape(c: PostprocessChain, frames: number, width: number, height: number, fps: number): ChainShape {
  const s: ChainShape = { input: { frames, width, height, fps }, output: { frames, width, height, fps } };
  if (c.interpolate) {
    const f = interpolatedFrames(frames, fps, c.interpolate.fps);
    s.interpolate = { calls: f.synthesised, frames: f.out, fps: c.interpolate.fps };
    s.output = { ...s.output, frames: f.out, fps: c.interpolate.fps };
  }
  if (c.upscale) {
    s.upscale = { frames: s.output.frames, inWidth: width, inHeight: height, outWidth: c.upscale.width, outHeight: c.upscale.height };
    s.output = { ...s.output, width: c.upscale.width, height: c.upscale.height };
  }
  return s;
}

/** Problems of a chain for a video of width×height at fps (empty when it can run). */
export function chainProblems(c: PostprocessChain, width: number, height: number, fps: number): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  if (c.interpolate && !(c.interpolate.fps > fps)) out.push({ field: 'interpolate.fps', message: `target ${c.interpolate.fps} fps is not above the model's ${fps} fps: interpolation only adds frames` });
  if (c.upscale) {
    const { width: w, height: h } = c.upscale;
    if (w <= width && h <= height) out.push({ field: 'upscale.to', message: `${w}x${h} is not larger than the decoded ${width}x${height}` });
    else if (w > 4 * width || h > 4 * height) out.push({ field: 'upscale.to', message: `${w}x${h} is more than 4× the decoded ${width}x${height}: the ×4 networks would need two passes (not modelled)` });
  }
  return out;
}
