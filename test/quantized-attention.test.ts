/**
 * SageAttention on Hopper is priced from its own kernels measured on an H100 SXM (src/perf/quantized-attention.ts
 * SAGE_H100_MEASURED, from calibration/engines/h100-sxm-sage-split.json) and its input kernels at their measured
 * rates (src/perf/sage-input-rates.ts). These tests recompute both tables from the file, check the whole calls of
 * both runs against kernel + passes as an estimate prices them (held out), and the measured kernel against what
 * SageAttention publishes for it (its H100 chart), which nothing was fitted to.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { DeviceModel } from '../src/perf/device.ts';
import { priceStage } from '../src/perf/stage-cost.ts';
import { StageBuilder } from '../src/workload/ops.ts';
import { attentionCall } from '../src/workload/attention-kernels.ts';
import { quantizedAttentionRatio, SAGE_H100_HD128, SAGE_H100_MEASURED, SAGE_H100_MEASURED_FILE } from '../src/perf/quantized-attention.ts';
import { SAGE_INPUT_CALIBRATION_LENGTHS, SAGE_INPUT_GBS } from '../src/perf/sage-input-rates.ts';
import { interpLog } from '../src/perf/profile.ts';
import { getGpu } from '../src/hardware/catalog.ts';
import { memoryBandwidthRatio } from '../src/perf/cross-gpu.ts';

interface Row { name?: string; L?: number; s?: number; heads?: number; head_dim?: number }
type File = { gpu_name: string; attention: Row[]; sage_split?: Row[]; sage_shapes?: Row[] };
const read = (f: string) => JSON.parse(readFileSync(new URL(`../${f}`, import.meta.url), 'utf8')) as File;
const split = read(SAGE_H100_MEASURED_FILE);
const first = read('calibration/engines/h100-sxm-sage.json');
const at = (rows: Row[] | undefined, name: string, L: number) => rows?.find((r) => r.name === name && r.L === L)?.s;
// as the kernel benches are compared (engine-kernels.ts): burst clocks, eager launches
const h100 = new DeviceModel('h100-sxm', { sustained: false, launch: 'eager' });
const call = (kernel: 'sage1' | 'sage2', L: number, heads = 40, headDim = 128) => {
  const b = new StageBuilder();
  attentionCall(b, { name: 'attn', batch: 1, heads, lq: L, lk: L, headDim, kernel }, {});
  return b.ops;
};
const cudnn = (L: number) => h100.opTime({ kind: 'attention', name: 'a', group: 'attention', count: 1, batch: 1, heads: 40, lq: L, lk: L, headDim: 128, kernel: 'cudnn', dtype: 'bf16' }).seconds;

describe('SageAttention measured on an H100 (SAGE_H100_MEASURED, SAGE_INPUT_GBS)', () => {
  it('both files are H100 runs; the split file has every piece at every tabled length', () => {
    expect(split.gpu_name).toMatch(/H100/);
    expect(first.gpu_name).toMatch(/H100/);
    for (const [L] of SAGE_H100_MEASURED) for (const n of ['sage2_kernel', 'sage1_kernel', 'sage2_quant_qk', 'sage2_quant_v', 'sage1_quant_qk']) expect(at(split.sage_split, n, L), `${n} L=${L}`).toBeGreaterThan(0);
  });

  it('each kernel ratio is recomputed from the file: vgsim\'s cuDNN time over the measured kernel alone', () => {
    for (const [L, sage2, sage1] of SAGE_H100_MEASURED) {
      expect(cudnn(L) / at(split.sage_split, 'sage2_kernel', L)!, `sage2 L=${L}`).toBeCloseTo(sage2, 3);
      expect(cudnn(L) / at(split.sage_split, 'sage1_kernel', L)!, `sage1 L=${L}`).toBeCloseTo(sage1, 3);
    }
  });

  it('each input-kernel rate is recomputed from the file (bytes read + written over the measured time)', () => {
    const rows: Record<keyof typeof SAGE_INPUT_GBS, string> = { sage_int8_qk_thread: 'sage2_quant_qk', sage_int8_qk_block: 'sage1_quant_qk', sage_fp8_v: 'sage2_quant_v' };
    for (const [kind, name] of Object.entries(rows) as [keyof typeof SAGE_INPUT_GBS, string][]) {
      SAGE_INPUT_CALIBRATION_LENGTHS.forEach((L, i) => {
        const [perKernel, gbs] = SAGE_INPUT_GBS[kind][i]!;
        // bytes as the bench counted them: 3 a Q/K element (read bf16, write INT8); 7 a padded V element
        const opBytes = kind === 'sage_fp8_v' ? 40 * (L + ((128 - (L % 128)) % 128)) * 128 * 7 : 2 * 40 * L * 128 * 3;
        expect(perKernel, `${kind} L=${L}`).toBe(opBytes / 2);
        expect(gbs, `${kind} L=${L}`).toBeCloseTo(opBytes / at(split.sage_split, name, L)! / 1e9, 6);
      });
    }
  });

  it('held out: the whole calls of both runs (HND, NHD) within 4% of kernel + input passes as an estimate prices them, at 4k–76k tokens', () => {
    let n = 0;
    for (const [file, names] of [[first, ['sage2_full_call', 'sage1_full_call']], [split, ['sage2_full_call', 'sage1_full_call', 'sage2_full_call_nhd', 'sage1_full_call_nhd']]] as const) {
      for (const r of file.attention.filter((x) => names.includes(x.name as never) && x.s && x.L! >= 4096)) {
        const predicted = priceStage(h100, call(r.name!.startsWith('sage2') ? 'sage2' : 'sage1', r.L!)).seconds;
        expect(Math.abs(predicted / r.s! - 1), `${r.name} L=${r.L}`).toBeLessThan(0.04);
        n++;
      }
    }
    expect(n).toBe(4 + 20);
  });

  it('held out: the measured SM90 kernel within 3% of the Sage2 bar of SageAttention\'s own H100 chart (kernels alone) at 16k–32k', () => {
    for (const L of [16384, 27280, 32760]) {
      const measured = (4 * 40 * L * L * 128) / at(split.sage_split, 'sage2_kernel', L)! / 1e12;
      const chart = interpLog(SAGE_H100_HD128.map((r) => [r[0], r[3]] as [number, number]), L);
      expect(Math.abs(measured / chart - 1), `L=${L}: ${measured.toFixed(0)} vs ${chart}`).toBeLessThan(0.03);
    }
  });

  it('another Hopper GPU takes the same ratio to its own cuDNN rate; the note says measured; Ada keeps the chart', () => {
    const h200 = quantizedAttentionRatio('sage2', getGpu('h200'), 32760);
    expect(h200).toMatchObject({ reference: 'cudnn', measured: true, ratio: SAGE_H100_MEASURED.find((r) => r[0] === 32760)![1] });
    expect(h200.basis).toContain(SAGE_H100_MEASURED_FILE);
    expect(quantizedAttentionRatio('sage1', getGpu('h100-sxm'), 512).ratio).toBe(SAGE_H100_MEASURED[0]![2]); // below the measured lengths the first one holds
    expect(quantizedAttentionRatio('sage2', getGpu('rtx4090'), 32760)).toMatchObject({ reference: 'fa2', measured: false });
    expect(quantizedAttentionRatio('fa3-fp8', getGpu('h100-sxm'), 32760)).toMatchObject({ reference: 'fa3', measured: false });
  });

  it('the README\'s figures are this file\'s: kernel ratios and TFLOP/s at 16k–76k tokens, input-kernel rates', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    const range = (xs: number[], digits: number) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
    const long = SAGE_H100_MEASURED.filter((r) => r[0] >= 16384);
    const tflops = long.map(([L]) => (4 * 40 * L * L * 128) / at(split.sage_split, 'sage2_kernel', L)! / 1e12);
    expect(readme).toContain(`SM90 kernel alone at ${range(long.map((r) => r[1]), 2)}× vgsim's cuDNN rate at 16k–76k tokens (\`sage2\`; ${range(tflops, 0)} TFLOP/s)`);
    expect(readme).toContain(`Triton kernel at ${range(long.map((r) => r[2]), 2)}× (\`sage1\`)`);
    const gbs = Object.values(SAGE_INPUT_GBS).flatMap((t) => t.filter(([b]) => b > 2e8).map(([, g]) => g / 1000));
    expect(Math.min(...gbs)).toBeGreaterThan(0.95);
    expect(Math.max(...gbs)).toBeLessThan(1.3);
    expect(readme).toContain('INT8 and FP8 input kernels at about 1.0–1.25 TB/s');
  });
});

describe('SageAttention measured on an H200 (held out: nothing was set from these runs)', () => {
  const h200split = read('calibration/engines/h200-sage-split.json');
  const shapes = read('calibration/engines/h200-sage-shapes.json');
  const h200 = new DeviceModel('h200', { sustained: false, launch: 'eager' });
  const priced = (kernel: 'sage1' | 'sage2', heads: number, L: number, headDim: number, kernelOnly = false) => {
    const ops = call(kernel, L, heads, headDim);
    return priceStage(h200, kernelOnly ? ops.filter((o) => o.kind === 'attention') : ops).seconds;
  };

  it('both files are H200 runs', () => {
    expect(h200split.gpu_name).toMatch(/H200/);
    expect(shapes.gpu_name).toMatch(/H200/);
  });

  it('the input kernels carried as a copy share plus an SM-bound share: within 10% at 16k–76k tokens (the bandwidth ratio alone: 15–18% fast)', () => {
    const pieces: Record<string, string> = { sage2_quant_qk: 'sage_int8_qk_thread', sage1_quant_qk: 'sage_int8_qk_block', sage2_quant_v: 'sage_fp8_v' };
    const rows = h200split.sage_split!.filter((r) => pieces[r.name!] && r.L! >= 16384 && r.s);
    expect(rows).toHaveLength(12);
    for (const r of rows) {
      const op = call(r.name!.startsWith('sage1') ? 'sage1' : 'sage2', r.L!).find((o) => o.kind === 'elementwise' && o.ew === pieces[r.name!])!;
      const s = priceStage(h200, [op]).seconds;
      expect(Math.abs(s / r.s! - 1), `${r.name} L=${r.L}`).toBeLessThan(0.1);
      // the H100's rate × the bandwidth ratio alone would price it more than 10% fast
      const h100Rate = priceStage(h100, [op]).seconds;
      expect(h100Rate / memoryBandwidthRatio(getGpu('h200'), getGpu('h100-sxm')).ratio / r.s! - 1).toBeLessThan(-0.1);
    }
  });

  it('the H100-measured ratio to cuDNN carried to the H200: whole calls (HND, NHD) within 5% at 4k–76k tokens', () => {
    const rows = h200split.attention.filter((x) => /^sage[12]_full_call(_nhd)?$/.test(x.name ?? '') && x.s && x.L! >= 4096);
    expect(rows).toHaveLength(20);
    for (const r of rows) expect(Math.abs(priced(r.name!.startsWith('sage2') ? 'sage2' : 'sage1', 40, r.L!, 128) / r.s! - 1), `${r.name} L=${r.L}`).toBeLessThan(0.05);
  });

  it('Ulysses head counts (20, 10, 5 of 40) at the 40-head rate: kernel and whole call within 6%', () => {
    const rows = shapes.sage_shapes!.filter((x) => x.head_dim === 128 && x.name !== 'sdpa_cudnn' && x.s);
    expect(rows).toHaveLength(6);
    for (const r of rows) expect(Math.abs(priced('sage2', r.heads!, r.L!, 128, r.name === 'sage2_kernel') / r.s! - 1), `${r.name} h=${r.heads}`).toBeLessThan(0.06);
  });

  it('head dim 64 takes cuDNN\'s head-dim ratio (the kernel rows chose it); the whole calls, held out, within 8%', () => {
    const rows = shapes.sage_shapes!.filter((x) => x.head_dim === 64 && x.s);
    expect(rows.filter((r) => r.name === 'sage2_full_call_nhd')).toHaveLength(3);
    for (const r of rows.filter((x) => x.name === 'sage2_full_call_nhd')) expect(Math.abs(priced('sage2', r.heads!, r.L!, 64) / r.s! - 1), `h=${r.heads} L=${r.L}`).toBeLessThan(0.08);
    // the measured Sage2/cuDNN ratio at head dim 64 is close to the head-dim-128 one at the same length (17,776 tokens)
    const ratio64 = at(shapes.sage_shapes!.filter((r) => r.heads === 48), 'sdpa_cudnn', 17776)! / at(shapes.sage_shapes!.filter((r) => r.heads === 48), 'sage2_kernel', 17776)!;
    expect(ratio64).toBeCloseTo(interpLog(SAGE_H100_MEASURED.map((r) => [r[0], r[1]] as [number, number]), 17776), 1);
  });
});
