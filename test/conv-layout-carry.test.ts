/**
 * An extrapolated GPU's tensor-core convolutions: the reference row split into its NCHW⇄NHWC layout passes (copy
 * bandwidth), its bias add (SM-bound) and its core (compute ratio) — src/perf/conv-layout-carry.ts. Held out: the
 * H200's own conv rows (calibration/profiles/incomplete/h200.json, not loaded by vgsim) and its Wan VAE decodes.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { DeviceModel } from '../src/perf/device.ts';
import { GpuProfile, builtinProfile } from '../src/perf/profile.ts';
import type { ConvPoint } from '../src/perf/profile.ts';
import { compareValidation, loadValidation } from '../src/perf/validation.ts';
import { convPassBytes, rowCoreTflops } from '../src/perf/conv-layout-carry.ts';
import { stridedElementwiseGBs } from '../src/perf/sm-bound-elementwise.ts';

const h200 = GpuProfile.load('calibration/profiles/incomplete/h200.json');
const h100 = builtinProfile('h100-sxm')!;
const dev = new DeviceModel('h200', { sustained: false, launch: 'eager' });
const asOp = (c: ConvPoint) => ({
  kind: 'conv' as const, name: 'c', group: 'vae', count: 1, dims: (c.kind === 'conv3d' ? 3 : 2) as 2 | 3, cin: c.cin, cout: c.cout,
  kernel: (c.kind === 'conv3d' ? c.kernel : [1, c.kernel[1]!, c.kernel[2]!]) as [number, number, number],
  out: [c.kind === 'conv3d' ? c.t : c.n, c.h, c.w] as [number, number, number], dtype: c.dtype as 'bf16' | 'fp32', tf32: c.tf32,
  inputHW: [c.h + c.kernel[1]! - 1, c.w + c.kernel[2]! - 1] as [number, number],
});
const key = (c: ConvPoint) => JSON.stringify([c.kind, c.dtype, c.tf32, c.n, c.cin, c.cout, c.t, c.h, c.w, c.kernel]);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
// the Wan-shaped microbenchmark rows (the family decoders' rows from kernel profiles, which carry a `source`, are not part of the grid)
const group = (dtype: string, tf32: boolean) => h200.data.conv.filter((c) => c.s > 0 && c.dtype === dtype && c.tf32 === tf32 && !(c as { source?: string }).source);

describe('tensor-core convolutions carried to the H200 (held out on its own rows)', () => {
  it('the passes are the op\'s input and output read and written, the bias add its output read and written', () => {
    const { layout, bias } = convPassBytes({ cin: 96, cout: 192, kernel: [3, 3, 3], out: [4, 60, 104], inputHW: [62, 106] }, 4);
    expect(layout).toBe(4 * (2 * 96 * 6 * 62 * 106 + 2 * 192 * 4 * 60 * 104));
    expect(bias).toBe(4 * 2 * 192 * 4 * 60 * 104);
  });

  it('the core rate is the row less its passes at the reference\'s rates, never above the dense peak', () => {
    const c = group('fp32', true).find((x) => x.cin === 384 && x.kernel.join('x') === '3x3x3')!;
    const op = asOp(c);
    const { layout, bias } = convPassBytes(op, 4);
    const flops = 2 * op.out[0] * op.out[1] * op.out[2] * op.cout * op.cin * 27;
    const rowS = flops / (300 * 1e12);
    const coreS = rowS - layout / 3000e9 - bias / (Math.min(3000, stridedElementwiseGBs(132)) * 1e9);
    expect(coreS).toBeGreaterThan(0.3 * rowS);
    expect(rowCoreTflops(op, 4, 300, () => 3000, 132, 989)).toBeCloseTo(flops / coreS / 1e12, 6);
    expect(rowCoreTflops(op, 4, 300, () => 1e-3, 132, 989)).toBeCloseTo(989, 6); // passes slower than the row: the peak
  });

  it('bf16 and TF32 rows: the whole-row carry was slow by 5–12% (median); split, within 2% and 7%; plain FP32 unchanged', () => {
    const same = new Map(h100.data.conv.filter((c) => c.s > 0).map((c) => [key(c), c]));
    for (const [dtype, tf32, wholeAbove, splitWithin] of [['bf16', false, 0.04, 0.02], ['fp32', true, 0.1, 0.07]] as const) {
      const rows = group(dtype, tf32);
      expect(rows.length).toBeGreaterThan(30);
      const whole = median(rows.filter((c) => same.has(key(c))).map((c) => same.get(key(c))!.s / c.s - 1));
      const split = median(rows.map((c) => dev.opTime(asOp(c)).seconds / c.s - 1));
      expect(whole, `${dtype}${tf32 ? ' tf32' : ''}`).toBeGreaterThan(wholeAbove);
      expect(Math.abs(split), `${dtype}${tf32 ? ' tf32' : ''}`).toBeLessThan(splitWithin);
    }
    expect(Math.abs(median(group('fp32', false).map((c) => dev.opTime(asOp(c)).seconds / c.s - 1)))).toBeLessThan(0.02);
  });

  it('the Wan VAE decodes of both H200 validation sets within 5% (they were up to +6.3% with the whole-row carry)', () => {
    const rows = ['h200', 'h200-repeat'].flatMap((f) => compareValidation('h200', loadValidation(`calibration/validation/${f}.json`).cases)).filter((r) => r.kind === 'vae_decode');
    expect(rows).toHaveLength(6);
    for (const r of rows) expect(Math.abs(r.time_error), r.case).toBeLessThan(0.05);
  });

  it('the README quotes these medians', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    const same = new Map(h100.data.conv.filter((c) => c.s > 0).map((c) => [key(c), c]));
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    const whole = (dtype: string, tf32: boolean) => pct(median(group(dtype, tf32).filter((c) => same.has(key(c))).map((c) => same.get(key(c))!.s / c.s - 1)));
    const split = (dtype: string, tf32: boolean) => pct(median(group(dtype, tf32).map((c) => dev.opTime(asOp(c)).seconds / c.s - 1)));
    expect(readme).toContain(`carried whole, the H100's rows were ${whole('fp32', true)} (TF32) and ${whole('bf16', false)} (bf16) slow at the median; split, ${split('fp32', true)} and ${split('bf16', false)}`);
  });
});
