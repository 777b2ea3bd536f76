/**
 * Per-GPU profiles: measured kernel rates (calibration/profile_gpu.py writes them; calibration/profiles/
 * holds the committed ones). This module loads a profile and answers "how fast does this GPU run this
 * kernel shape", with documented interpolation:
 *
 *  - GEMM: among measurements of the same dtype, exact (m, n, k) → the measured rate; same (n, k) →
 *    linear interpolation of TFLOP/s in ln(m), clamped at the measured ends; otherwise inverse-distance
 *    weighting (power 2) of the 4 nearest shapes in (ln m, ln n, ln k) space.
 *  - Attention: same backend; same heads×batch and lk class (lk = lq self-attention, or fixed lk) →
 *    interpolation in ln(lq); otherwise IDW over (ln(batch·heads), ln lq, ln lk).
 *  - Memory-bound kernels: effective bandwidth of the op family, interpolated in ln(bytes).
 *  - Convolutions: same kind, precision and kernel shape; same channels → interpolation in ln(pixels),
 *    clamped; otherwise IDW over the implicit-GEMM coordinates (ln pixels, ln cout, ln cin·kernel volume).
 *
 * GPUs without a profile borrow a reference profile scaled by physical ratios (dtype peak TFLOP/s for
 * compute, peak memory bandwidth for memory-bound work); results carry a flag saying so.
 */
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { PACKAGE_ROOT, packagePath } from '../package-files.ts';
import { InputError } from '../errors.ts';
import { waveEfficiency, type AttentionWaves } from './attention-waves.ts';

export interface GemmPoint { dtype: string; m: number; n: number; k: number; s: number; tflops: number }
export interface AttentionPoint { backend: string; batch: number; heads: number; head_dim: number; lq: number; lk: number; s: number; tflops: number }
export interface MemoryPoint { op: string; dtype?: string; elements?: number; bytes: number; s: number; gbps: number }
export interface ConvPoint { kind: 'conv3d' | 'conv2d'; dtype: string; tf32: boolean; n: number; cin: number; cout: number; t: number; h: number; w: number; kernel: number[]; s: number; tflops: number; workspace_bytes?: number }
/**
 * A convolution's transient memory alone (calibration/conv_workspace_probe.py): what the caching allocator holds
 * during one call beyond its input and output, with the input's real bytes (`padding`: 'explicit' — padded before
 * the call; 'in_conv' — space padded by the convolution itself).
 */
export interface ConvWorkspacePoint { kind: 'conv3d' | 'conv2d'; dtype: string; tf32: boolean; cin: number; cout: number; t: number; h: number; w: number; kernel: number[]; padding: 'explicit' | 'in_conv'; input_bytes: number; output_bytes: number; workspace_bytes: number }
export interface SustainedPoint { workload: string; seconds: number; burst_tflops: number; sustained_tflops: number; mean_power_w?: number; mean_sm_clock_mhz?: number; burst_sm_clock_mhz?: number }

export interface GpuProfileFile {
  schema: 'vgsim-gpu-profile/1';
  gpu_name: string;
  measured_at?: string;
  gemm: GemmPoint[];
  attention: AttentionPoint[];
  memory_bound: MemoryPoint[];
  conv: ConvPoint[];
  conv_workspace?: ConvWorkspacePoint[];
  host_link: Record<string, number>;
  launch_overhead_us: { eager_per_kernel: number; cuda_graph_per_kernel: number };
  sustained?: SustainedPoint[];
  idle?: { power_w: number; sm_clock_mhz?: number };
  [k: string]: unknown;
}

export class GpuProfile {
  constructor(
    readonly data: GpuProfileFile,
    /** Where it came from (file path), for reports. */
    readonly origin: string,
  ) {
    const clean = <T extends { s: number }>(xs: T[] | undefined) => (xs ?? []).filter((x) => x && Number.isFinite(x.s) && x.s > 0);
    this.gemms = clean(data.gemm);
    this.attn = clean(data.attention);
    this.mem = clean(data.memory_bound);
    this.convs = clean(data.conv);
  }
  private readonly gemms: GemmPoint[];
  private readonly attn: AttentionPoint[];
  private readonly mem: MemoryPoint[];
  private readonly convs: ConvPoint[];

  static load(file: string): GpuProfile {
    // a user's --profile / inference.profile: a missing or foreign file is an input error (exit 2), not a crash
    const bad = (message: string): never => {
      throw new InputError([{ source: file, path: 'profile', message, hint: 'a JSON profile written by calibration/profile_gpu.py (schema vgsim-gpu-profile/1), or leave it out for the built-in one' }]);
    };
    let data: GpuProfileFile | undefined;
    if (!existsSync(file)) bad('GPU profile file not found');
    if (statSync(file).isDirectory()) bad('a folder, not a GPU profile file');
    try {
      data = JSON.parse(readFileSync(file, 'utf8')) as GpuProfileFile;
    } catch (e) {
      bad(`cannot read the GPU profile: ${(e as Error).message.split('\n')[0]}`);
    }
    if (typeof data !== 'object' || data === null || data.schema !== 'vgsim-gpu-profile/1') return bad(`not a vgsim GPU profile (schema ${JSON.stringify((data as { schema?: unknown } | null)?.schema ?? null)})`);
    // report paths inside the repository relative to it, so outputs do not depend on where it is checked out
    const rel = relative(PACKAGE_ROOT, resolve(file));
    return new GpuProfile(data, rel.startsWith('..') ? file : rel);
  }

  /**
   * A profile a user gives to price with (--profile, the API's profile): `load`, and the sections every estimate
   * prices from, each with at least one measured row (an empty or negative one failed later, exit 1, as "no
   * measured rate for this kernel"). Partial measurement runs (calibration/profiles/runs/) load with `load`.
   */
  static loadForPricing(file: string): GpuProfile {
    const profile = GpuProfile.load(file);
    const data = profile.data;
    const rated = (xs: unknown, rate: 'tflops' | 'gbps', keep: (x: Record<string, unknown>) => boolean = () => true) =>
      Array.isArray(xs) && xs.some((x) => x && typeof x === 'object' && keep(x) && Number.isFinite(x.s) && x.s > 0 && Number.isFinite(x[rate]) && x[rate] > 0);
    const missing = [
      rated(data.gemm, 'tflops', (x) => x.dtype === 'bf16') ? undefined : 'gemm (bf16 rows)',
      rated(data.attention, 'tflops') ? undefined : 'attention',
      rated(data.memory_bound, 'gbps') ? undefined : 'memory_bound',
    ].filter((x): x is string => x !== undefined);
    if (missing.length) {
      throw new InputError([{ source: file, path: 'profile', message: `the profile has no measured rows (positive time and rate) in ${missing.join(', ')}`, hint: 'a whole profile written by calibration/profile_gpu.py, or leave it out for the built-in one' }]);
    }
    return profile;
  }

  /** Measured GEMM rate (TFLOP/s) for a shape, interpolated; undefined if the dtype was never measured. */
  gemmTflops(dtype: string, m: number, n: number, k: number): number | undefined {
    const pts = this.gemmByDtype(dtype);
    if (pts.length === 0) return undefined;
    const same = pts.filter((g) => g.n === n && g.k === k);
    if (same.length > 0) return interpLog(same.map((g) => [g.m, g.tflops]), m);
    return idw(pts.map((g) => [[Math.log(g.m), Math.log(g.n), Math.log(g.k)], g.tflops]), [Math.log(m), Math.log(n), Math.log(k)]);
  }

  private readonly gemmDtypes = new Map<string, GemmPoint[]>();
  private gemmByDtype(dtype: string): GemmPoint[] {
    let pts = this.gemmDtypes.get(dtype);
    if (!pts) this.gemmDtypes.set(dtype, (pts = this.gemms.filter((g) => g.dtype === dtype)));
    return pts;
  }

  hasGemm(dtype: string): boolean {
    return this.gemms.some((g) => g.dtype === dtype);
  }

  /**
   * Measured attention rate (TFLOP/s) for a backend and shape, interpolated. A call with lq ≠ lk is priced on
   * the class of measured points (self: lq = lk; cross: short lk) whose key lengths are nearer in log space: a
   * joint or sequence-parallel attention over ~10^5 keys with a few hundred more queries than keys runs like
   * self-attention, not like the 512-key cross-attention the cross points measure. With `waves`, the rates are
   * interpolated at full waves and the call's own wave efficiency applied (attention-waves.ts).
   */
  attentionTflops(backend: string, batch: number, heads: number, lq: number, lk: number, waves?: AttentionWaves): number | undefined {
    const pts = this.attn.filter((a) => a.backend === backend);
    if (pts.length === 0) return undefined;
    // with `waves`: interpolate full-wave rates (each point over its own wave efficiency), then apply the call's
    const full = (a: AttentionPoint) => (waves ? a.tflops / waveEfficiency(a.batch * a.heads, a.lq, waves.tileQ, waves.refSlots) : a.tflops);
    const eff = waves ? waveEfficiency(batch * heads, lq, waves.tileQ, waves.slots) : 1;
    const selfAttn = lq === lk || this.nearerSelf(pts, lk);
    const kind = pts.filter((a) => (selfAttn ? a.lq === a.lk : a.lk === lk));
    const cls = kind.filter((a) => a.batch * a.heads === batch * heads);
    const curve = (ps: AttentionPoint[]) => averagedCurve(ps.map((a) => [a.lq, full(a)]));
    if (cls.length >= 2 || (cls.length === 1 && cls[0]!.lq === lq)) {
      const own = curve(cls);
      const first = own[0]![0];
      if (!waves || lq >= first) return eff * interpLog(own, lq); // within its measured lengths; past the longest, that rate (a plateau)
      // shorter than this head count was measured at, where a tile's fixed cost makes the rate fall: a CTA's work does
      // not depend on the head count, so every head count's full-wave rates give the shape, anchored on its first point
      const pooled = curve(kind);
      return eff * interpLog(pooled, lq) * (interpLog(own, first) / interpLog(pooled, first));
    }
    if (waves && kind.length >= 2) return eff * interpLog(curve(kind), lq);
    const sameKind = pts.filter((a) => (selfAttn ? a.lq === a.lk : a.lk !== a.lq));
    const use = sameKind.length > 0 ? sameKind : pts;
    return eff * idw(use.map((a) => [[Math.log(a.batch * a.heads), Math.log(a.lq), Math.log(a.lk)], full(a)]), [Math.log(batch * heads), Math.log(lq), Math.log(lk)]);
  }

  /** Whether the measured self-attention key lengths are nearer (log distance) to lk than the cross ones. */
  private nearerSelf(pts: readonly { lq: number; lk: number }[], lk: number): boolean {
    const dist = (xs: number[]) => Math.min(...xs.map((x) => Math.abs(Math.log(x / lk))));
    const self = pts.filter((a) => a.lq === a.lk).map((a) => a.lk);
    const cross = pts.filter((a) => a.lq !== a.lk).map((a) => a.lk);
    return self.length > 0 && (cross.length === 0 || dist(self) < dist(cross));
  }

  hasAttention(backend: string): boolean {
    return this.attn.some((a) => a.backend === backend);
  }

  /** Effective bandwidth (GB/s, read+write bytes over time) of a memory-bound kernel family at a size. */
  memoryGBs(family: string, bytes: number): number | undefined {
    const points = this.memoryCurve(family);
    return points.length === 0 ? undefined : interpLog(points, bytes);
  }

  /** Whether the profile measures a memory-bound family itself (memoryGBs falls back to `copy` otherwise). */
  measuresMemoryFamily(family: string): boolean {
    return this.mem.some((p) => memoryFamily(p.op) === family);
  }

  private readonly memoryCurves = new Map<string, [number, number][]>();
  /**
   * A family's measured (bytes, GB/s) curve, duplicates at a size averaged, sorted. Unmeasured: copy's, or for the
   * generic-loop binary_* kinds (a profile from before they were measured) the contiguous binary ops'.
   */
  private memoryCurve(family: string): [number, number][] {
    let points = this.memoryCurves.get(family);
    if (!points) {
      const pts = this.mem.filter((p) => memoryFamily(p.op) === family);
      const fallback = family.startsWith('binary_') ? 'binary' : 'copy';
      const use = pts.length > 0 ? pts : this.mem.filter((p) => memoryFamily(p.op) === fallback);
      points = averagedCurve(use.map((p) => [p.bytes, p.gbps]));
      this.memoryCurves.set(family, points);
    }
    return points;
  }

  /** Every measured convolution row of a precision (small-conv.ts reads them as implicit GEMMs). */
  convRows(dtype: string, tf32: boolean): readonly ConvPoint[] {
    return this.convs.filter((c) => c.dtype === dtype && c.tf32 === tf32);
  }

  /** Measured convolutions of the same kind, precision and kernel shape (falling back to looser matches). */
  private convPoints(kind: 'conv3d' | 'conv2d', dtype: string, tf32: boolean, kernel: number[]): ConvPoint[] {
    const prec = this.convs.filter((c) => c.dtype === dtype && c.tf32 === tf32);
    const sameKernel = prec.filter((c) => c.kind === kind && c.kernel.join('x') === kernel.join('x'));
    if (sameKernel.length > 0) return sameKernel;
    const sameKind = prec.filter((c) => c.kind === kind);
    return sameKind.length > 0 ? sameKind : prec;
  }

  /**
   * Convolution rate (TFLOP/s), interpolated in the implicit-GEMM coordinates of the convolution:
   * M = output pixels (× batch), N = output channels, K = input channels × kernel volume.
   */
  convTflops(kind: 'conv3d' | 'conv2d', dtype: string, tf32: boolean, cin: number, cout: number, pixels: number, kernel: number[]): number | undefined {
    const pts = this.convPoints(kind, dtype, tf32, kernel);
    if (pts.length === 0) return undefined;
    // same channels and kernel: the rate varies little with pixels; interpolate in ln(pixels), clamped
    const same = pts.filter((c) => c.cin === cin && c.cout === cout && c.kernel.join('x') === kernel.join('x'));
    if (same.length > 0) return interpLog(same.map((c) => [convPixels(c), c.tflops]), pixels);
    return idw(pts.map((c) => [convCoords(c.cin, c.cout, convPixels(c), c.kernel), c.tflops]), convCoords(cin, cout, pixels, kernel));
  }

  /**
   * Transient memory of a convolution beyond its input and output: cuDNN runs these convolutions in NDHWC and
   * PyTorch's NCDHW tensors are copied in and out, so the allocator holds a copy of the input and one of the output,
   * plus the algorithm's own scratch. Measured as workspace_bytes (peak allocated during one call beyond the output)
   * on the timed `conv` rows (input padded before the call) and the memory-only `conv_workspace` rows
   * (calibration/conv_workspace_probe.py, with their own input and output bytes). Their ratio to input + output is
   * 1.00–1.08 on every row of 2 or more output frames below 1024 channels, 1.33 at 1024 channels over 2 frames and up
   * to 2.9 on single frames, where the algorithm's scratch grows (cuDNN's TF32 choice for 16 input channels on one
   * frame holds 0.18); that ratio is interpolated and applied to this convolution's input + output bytes. Undefined
   * if never measured.
   */
  convWorkspaceBytes(kind: 'conv3d' | 'conv2d', dtype: string, tf32: boolean, cin: number, cout: number, pixels: number, kernel: number[], inputBytes: number): number | undefined {
    const es = dtype === 'bf16' ? 2 : 4;
    // the interpolated ratio depends on the shape only (a decode builds the same convolution many times): kept per shape
    const cls = `${kind},${dtype},${tf32},${kernel.join('x')}`;
    const shape = `${cls},${cin},${cout},${pixels}`;
    let ratio = this.workspaceRatios.get(shape);
    if (ratio === undefined && !this.workspaceRatios.has(shape)) {
      let pts = this.workspacePoints.get(cls);
      if (!pts) {
        const timed = this.convPoints(kind, dtype, tf32, kernel).filter((c) => typeof c.workspace_bytes === 'number').map((c) => {
          const input = es * c.n * c.cin * (c.t + c.kernel[0]! - 1) * (c.h + c.kernel[1]! - 1) * (c.w + c.kernel[2]! - 1);
          return [convCoords(c.cin, c.cout, convPixels(c), c.kernel), c.workspace_bytes! / (input + es * c.cout * convPixels(c))] as [number[], number];
        });
        const alone = (this.data.conv_workspace ?? [])
          .filter((c) => c.kind === kind && c.dtype === dtype && c.tf32 === tf32 && c.kernel.join('x') === kernel.join('x') && c.input_bytes > 0)
          .map((c) => [convCoords(c.cin, c.cout, c.t * c.h * c.w, c.kernel), c.workspace_bytes / (c.input_bytes + c.output_bytes)] as [number[], number]);
        this.workspacePoints.set(cls, (pts = [...timed, ...alone]));
      }
      ratio = pts.length === 0 ? undefined : idw(pts, convCoords(cin, cout, pixels, kernel));
      if (this.workspaceRatios.size > 100_000) this.workspaceRatios.clear();
      this.workspaceRatios.set(shape, ratio);
    }
    return ratio === undefined ? undefined : ratio * (inputBytes + es * cout * pixels);
  }

  /** convWorkspaceBytes' measured points by (kind, dtype, tf32, kernel), and its interpolated ratio by shape. */
  private readonly workspacePoints = new Map<string, [number[], number][]>();
  private readonly workspaceRatios = new Map<string, number | undefined>();

  hostLinkGBs(kind: 'h2d_pinned' | 'd2h_pinned' | 'h2d_pageable' | 'd2h_pageable' | 'module_to_cuda' | 'module_to_cpu'): number | undefined {
    const v = this.data.host_link?.[`${kind}_gbps`];
    return typeof v === 'number' && v > 0 ? v : undefined;
  }
}

/** (x, y) points with the ys at one x averaged, sorted by x. */
function averagedCurve(pts: [number, number][]): [number, number][] {
  const byX = new Map<number, number[]>();
  for (const [x, y] of pts) byX.set(x, [...(byX.get(x) ?? []), y]);
  return [...byX].map(([x, ys]) => [x, ys.reduce((a, b) => a + b, 0) / ys.length] as [number, number]).sort((a, b) => a[0] - b[0]);
}

/**
 * The SM clock (MHz) the profile's kernel grid ran at, from its own measurements: the long sustained GEMM
 * run records throughput and clock together, giving the GEMM's efficiency per clock; the grid's GEMM of
 * the same shape, at that efficiency, implies the grid's clock. `tensorFlopsPerSmClock`/`smCount` are the
 * profiled GPU's (catalog). Undefined without a sustained GEMM row with a clock or a matching grid GEMM.
 */
export function gridClockFromProfile(p: GpuProfile, smCount: number | undefined, tensorFlopsPerSmClock: number | undefined): number | undefined {
  if (!smCount || !tensorFlopsPerSmClock) return undefined;
  const row = (p.data.sustained ?? []).find((x) => x.workload.startsWith('gemm') && typeof x.mean_sm_clock_mhz === 'number' && x.sustained_tflops > 0);
  const m = row ? /(\d+)$/.exec(row.workload) : null; // gemm_bf16_<n>: an n×n×n GEMM
  if (!row || !m) return undefined;
  const n = Number(m[1]);
  const perClock = (row.sustained_tflops * 1e6) / (smCount * tensorFlopsPerSmClock * row.mean_sm_clock_mhz!);
  const grid = p.gemmTflops('bf16', n, n, n);
  return grid === undefined ? undefined : (grid * 1e6) / (smCount * tensorFlopsPerSmClock * perClock);
}

function convCoords(cin: number, cout: number, pixels: number, kernel: number[]): number[] {
  const kvol = kernel.reduce((a, b) => a * b, 1);
  return [Math.log(pixels), Math.log(cout), Math.log(cin * kvol)];
}

function convPixels(c: ConvPoint): number {
  return (c.n ?? 1) * c.t * c.h * c.w;
}

/**
 * Maps a measured op name to the memory-bound kernel family used by the cost model. Composite
 * measurements (several kernels timed together, rated on their minimum bytes) keep their own family so
 * they never pollute the single-kernel families.
 */
export function memoryFamily(op: string): string {
  const o = op.toLowerCase();
  if (o === 'rms_norm_wan') return 'rmsnorm_wan';
  if (o === 'rope_apply_wan') return 'rope_wan';
  if (o.startsWith('cast_')) {
    const [from, to] = o.slice(5).split('_to_');
    return bytesOf(to!) > bytesOf(from!) ? 'cast_up' : 'cast_down';
  }
  if (o.includes('layer_norm')) return 'norm';
  if (o.includes('complex')) return 'complex';
  if (o.includes('gelu') || o.includes('silu')) return 'activation';
  if (o.includes('softmax')) return 'softmax';
  if (o === 'add' || o === 'mul') return 'binary';
  // PyTorch's generic (non-vectorized) elementwise loop, as ElementwiseKind's binary_* kinds describe
  if (o === 'add_bcast' || o === 'mul_bcast' || o === 'add_bcast6') return 'binary_bcast';
  if (o === 'add_strided') return 'binary_strided';
  if (o === 'mul_cast_bcast') return 'binary_cast_bcast';
  if (o === 'mul_cast_strided') return 'binary_cast_strided';
  if (o === 'add_cast_bcast6' || o === 'mul_bcast_bf16row') return 'binary_bcast_bf16';
  if (o === 'mul_bcast16' || o === 'add_bcast16') return 'binary_bcast16';
  if (o === 'add_wan_modulation') return 'binary_wan_modulation';
  if (o.includes('copy') || o.includes('clone')) return 'copy';
  return o;
}

function bytesOf(dtype: string): number {
  return ({ fp64: 8, fp32: 4, bf16: 2, fp16: 2, fp8: 1 } as Record<string, number>)[dtype] ?? 4;
}

/** Linear interpolation of y in ln(x), clamped to the measured range. */
export function interpLog(points: [number, number][], x: number): number {
  const pts = [...points].sort((a, b) => a[0] - b[0]);
  if (pts.length === 1 || x <= pts[0]![0]) return pts[0]![1];
  if (x >= pts[pts.length - 1]![0]) return pts[pts.length - 1]![1];
  for (let i = 1; i < pts.length; i++) {
    const [x1, y1] = pts[i]!;
    if (x <= x1) {
      const [x0, y0] = pts[i - 1]!;
      if (x1 === x0) return y1;
      const f = (Math.log(x) - Math.log(x0)) / (Math.log(x1) - Math.log(x0));
      return y0 + f * (y1 - y0);
    }
  }
  return pts[pts.length - 1]![1];
}

/** Inverse-distance weighting (power 2) over the `k` nearest points; an exact hit returns its value. */
export function idw(points: [number[], number][], at: number[], k = 4): number {
  const scored = points.map(([p, v]) => ({ d: Math.hypot(...p.map((c, i) => c - at[i]!)), v })).sort((a, b) => a.d - b.d);
  if (scored[0]!.d < 1e-9) return scored[0]!.v;
  const near = scored.slice(0, k);
  let wsum = 0;
  let vsum = 0;
  for (const { d, v } of near) {
    const w = 1 / (d * d);
    wsum += w;
    vsum += w * v;
  }
  return vsum / wsum;
}

/** The GPU whose profile stands in for GPUs without one. */
export const REFERENCE_GPU = 'h100-sxm';

/** Folder of the profiles shipped with vgsim. */
export const PROFILE_DIR = packagePath('calibration', 'profiles');

const cache = new Map<string, GpuProfile | null>();

/** The committed profile for a catalog GPU id, if one exists (calibration/profiles/<id>.json). */
export function builtinProfile(gpuId: string): GpuProfile | undefined {
  if (!cache.has(gpuId)) {
    const file = join(PROFILE_DIR, `${gpuId}.json`);
    cache.set(gpuId, existsSync(file) ? GpuProfile.load(file) : null);
  }
  return cache.get(gpuId) ?? undefined;
}
