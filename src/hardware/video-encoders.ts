/**
 * Video encoders: NVIDIA's NVENC engines on the GPU, and x264 / x265 on host CPU cores. PUBLISHED, NOT
 * MEASURED here for NVENC (no GPU with NVENC was available: the H100 has none); x264/x265 measured on this
 * repository's CPU with synthetic frames (calibration/postprocess/cpu-encode.json).
 *
 * NVENC (NVIDIA Video Codec SDK 13.0, NVENC Application Note §4 "NVENC Performance", tables "NVENC H264 / HEVC /
 * AV1 encoding performance in frames/second (fps)"): frames per second of ONE NVENC engine at 1920×1080, YUV 4:2:0
 * 8-bit, by preset and rate control; Ada measured on an RTX 4090 at its 2415 MHz video clock, Ampere on an RTX 3090
 * at 1950 MHz. The note says throughput scales with the video clock, is given per engine, multiplies by the
 * engines of a GPU only for simultaneous sessions, and a single session cannot exceed one engine (except
 * split-frame encoding of HEVC/AV1 on Ada, not modelled). We use the VBR / high-quality-tuning rows (ffmpeg's
 * default tuning) and scale to other resolutions by pixel count (an assumption: the table is 1080p only).
 *
 * NVENC engines per GPU are from the datasheets (below). GH100 (H100, H200, H800, H20) and GA100 (A100, A800)
 * have no NVENC at all, only decoders: encoding on those GPUs must go to the CPU or to another pool.
 */
export type Codec = 'h264' | 'hevc' | 'av1';
export type NvencPreset = 'p1' | 'p3' | 'p5' | 'p7';
export const CODECS: readonly Codec[] = ['h264', 'hevc', 'av1'];
export const NVENC_PRESETS: readonly NvencPreset[] = ['p1', 'p3', 'p5', 'p7'];

export const NVENC_SOURCE = 'NVIDIA Video Codec SDK 13.0 NVENC Application Note, §4 NVENC Performance (fps per NVENC engine, 1920x1080 YUV420 8-bit, VBR high-quality tuning)';

type Family = 'ada' | 'ampere';

/** fps of one engine at 1080p, VBR HQ, by codec and preset (published, not measured). */
const NVENC_FPS_1080P: Record<Family, Partial<Record<Codec, Record<NvencPreset, number>>>> = {
  // RTX 4090 at a 2415 MHz video clock
  ada: {
    h264: { p1: 885, p3: 647, p5: 283, p7: 211 },
    hevc: { p1: 1037, p3: 706, p5: 411, p7: 181 },
    av1: { p1: 741, p3: 549, p5: 440, p7: 323 },
  },
  // RTX 3090 at a 1950 MHz video clock; Ampere NVENC has no AV1 encoder
  ampere: {
    h264: { p1: 846, p3: 617, p5: 266, p7: 213 },
    hevc: { p1: 939, p3: 557, p5: 335, p7: 171 },
  },
};

export interface NvencGpu {
  engines: number;
  family?: Family;
  source: string;
}

/** NVENC engines of the catalog's GPUs (0 = none). GPUs not listed: no sourced figure. */
export const NVENC_ENGINES: Record<string, NvencGpu> = {
  l4: { engines: 2, family: 'ada', source: 'NVIDIA L4 datasheet: NVENC | NVDEC | JPEG decoders 2 | 4 | 4 (AV1 encode and decode)' },
  l40s: { engines: 3, family: 'ada', source: 'NVIDIA L40S datasheet (mullet-l40s transcript): NVENC | NVDEC 3 | 3, includes AV1 encode and decode' },
  rtx4090: { engines: 2, family: 'ada', source: 'NVENC Application Note (SDK 13.0): Ada GPUs have two or three NVENCs (AD102 GeForce: two; the table itself was measured on an RTX 4090)' },
  a10: { engines: 1, family: 'ampere', source: 'NVIDIA A10 datasheet: 1 NVENC, 2 NVDEC (GA102)' },
  rtx3090: { engines: 1, family: 'ampere', source: 'NVENC Application Note: Ampere GA10x has one NVENC (the table was measured on an RTX 3090)' },
  'h100-sxm': { engines: 0, source: 'NVIDIA H100 datasheet: 7 NVDEC, 7 JPEG decoders; no NVENC (GH100)' },
  'h100-pcie': { engines: 0, source: 'NVIDIA H100 datasheet: 7 NVDEC, 7 JPEG decoders; no NVENC (GH100)' },
  'h100-nvl': { engines: 0, source: 'NVIDIA H100 NVL datasheet: 7 NVDEC, 7 JPEG decoders; no NVENC (GH100)' },
  h200: { engines: 0, source: 'NVIDIA H200 datasheet: 7 NVDEC, 7 JPEG decoders; no NVENC (GH100)' },
  h800: { engines: 0, source: 'GH100 as H100: no NVENC' },
  h20: { engines: 0, source: 'GH100 as H100: no NVENC' },
  'a100-sxm-80g': { engines: 0, source: 'NVENC Application Note capability table / NVIDIA A100 datasheet: GA100 has 5 NVDEC, no NVENC' },
  'a100-pcie-80g': { engines: 0, source: 'GA100: 5 NVDEC, no NVENC (NVIDIA A100 datasheet)' },
  a800: { engines: 0, source: 'GA100 as A100: no NVENC' },
};

/** Why a GPU cannot encode `codec` on NVENC, or undefined when it can. */
export function nvencProblem(gpuId: string, codec: Codec): string | undefined {
  const g = NVENC_ENGINES[gpuId];
  if (!g) return `no sourced NVENC figure for ${gpuId}`;
  if (g.engines === 0) return `${gpuId} has no NVENC engine (${g.source})`;
  if (!NVENC_FPS_1080P[g.family!][codec]) return `${gpuId}'s ${g.family} NVENC cannot encode ${codec}`;
  return undefined;
}

/** Frames per second of one NVENC session (one engine) at width×height. */
export function nvencFps(gpuId: string, codec: Codec, preset: NvencPreset, width: number, height: number): number {
  const problem = nvencProblem(gpuId, codec);
  if (problem) throw new Error(problem);
  const fps1080 = NVENC_FPS_1080P[NVENC_ENGINES[gpuId]!.family!][codec]![preset];
  return (fps1080 * 1920 * 1080) / (width * height);
}

/**
 * x264 / x265 preset "medium", frames per second of ONE core at 1080p and 720p: ffmpeg 5.1 (Debian 12) on one
 * core of this repository's AMD EPYC (Zen 5) VM, `-threads 1` (x265: pools=1, frame-threads=1), 48 frames of
 * `testsrc2`, the fastest of 3 runs (the machine is shared; slower runs waited for a core)
 * (calibration/postprocess_bench.py --device cpu --sections encode --encode-frames 48 --encode-reps 3
 * --encode-threads 1 --encode-sizes 720p,1080p → calibration/postprocess/cpu-encode.json).
 * testsrc2 is synthetic and easier to encode than camera or generated footage, so these are upper bounds.
 * Several cores: the single-core rate × cores (linear scaling assumed — x264's frame threads and x265's WPP
 * rows scale well to ~16 threads at 1080p; not measured beyond 2 cores here), so keep `cores` ≤ 16.
 */
export const CPU_ENCODE_FPS_PER_CORE: Record<'h264' | 'hevc', { p1080: number; p720: number }> = {
  h264: { p1080: 22.3, p720: 34.5 },
  hevc: { p1080: 7.8, p720: 15.2 },
};
export const CPU_ENCODE_SOURCE = 'measured: calibration/postprocess/cpu-encode.json (x264/x265 medium, one core of a Zen 5 EPYC VM, synthetic testsrc2 frames: an upper bound for real footage)';

/** Frames per second of an x264/x265 encode on `cores` cores at width×height (per-pixel rate interpolated between the 720p and 1080p measurements). */
export function cpuEncodeFps(codec: 'h264' | 'hevc', cores: number, width: number, height: number): number {
  const m = CPU_ENCODE_FPS_PER_CORE[codec];
  const px = width * height;
  const r1080 = m.p1080 * 1920 * 1080;
  const r720 = m.p720 * 1280 * 720;
  // pixel rate (pixels/s per core): log-linear in pixels between the two points, held outside them
  const lo = 1280 * 720;
  const hi = 1920 * 1080;
  const f = Math.min(1, Math.max(0, Math.log(px / lo) / Math.log(hi / lo)));
  const rate = Math.exp(Math.log(r720) + f * (Math.log(r1080) - Math.log(r720)));
  return (rate * cores) / px;
}
