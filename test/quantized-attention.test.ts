/**
 * SageAttention on Hopper is priced from its own kernels measured on an H100 SXM (calibration/engines/h100-sxm-sage.json,
 * src/perf/quantized-attention.ts SAGE_H100_MEASURED). These tests recompute the table from the file, check the
 * whole call as an estimate prices it against the measurement, and check the measured kernel against what
 * SageAttention publishes for the same kernel (its H100 chart), which nothing was fitted to.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { DeviceModel } from '../src/perf/device.ts';
import { priceStage } from '../src/perf/stage-cost.ts';
import { StageBuilder } from '../src/workload/ops.ts';
import { attentionCall } from '../src/workload/attention-kernels.ts';
import { quantizedAttentionRatio, SAGE_H100_HD128, SAGE_H100_MEASURED, SAGE_H100_MEASURED_FILE } from '../src/perf/quantized-attention.ts';
import { interpLog } from '../src/perf/profile.ts';
import { getGpu } from '../src/hardware/catalog.ts';

interface Row { name?: string; L?: number; s?: number }
const file = JSON.parse(readFileSync(new URL(`../${SAGE_H100_MEASURED_FILE}`, import.meta.url), 'utf8')) as { gpu_name: string; attention: Row[] };
const row = (name: string, L: number) => file.attention.find((r) => r.name === name && r.L === L)?.s;
// as the kernel benches are compared (engine-kernels.ts): burst clocks, eager launches
const h100 = new DeviceModel('h100-sxm', { sustained: false, launch: 'eager' });
const call = (kernel: 'sage1' | 'sage2' | 'cudnn', L: number) => {
  const b = new StageBuilder();
  attentionCall(b, { name: 'attn', batch: 1, heads: 40, lq: L, lk: L, headDim: 128, kernel }, {});
  return { passes: priceStage(h100, b.ops.filter((o) => o.kind === 'elementwise')).seconds, whole: priceStage(h100, b.ops).seconds };
};
const LENGTHS = SAGE_H100_MEASURED.map((r) => r[0]);

describe('SageAttention measured on an H100 (SAGE_H100_MEASURED)', () => {
  it('the file is an H100 run with both whole calls at every tabled length', () => {
    expect(file.gpu_name).toMatch(/H100/);
    for (const L of LENGTHS) for (const k of ['sage2_full_call', 'sage1_full_call']) expect(row(k, L), `${k} L=${L}`).toBeGreaterThan(0);
  });

  it('each ratio is recomputed from the file: the kernel (the call less the priced input passes) over vgsim\'s cuDNN rate', () => {
    for (const [L, sage2, sage1] of SAGE_H100_MEASURED) {
      const cudnn = call('cudnn', L).whole;
      for (const [k, tabled] of [['sage2', sage2], ['sage1', sage1]] as const) {
        const kernel = row(`${k}_full_call`, L)! - call(k, L).passes;
        expect(cudnn / kernel, `${k} L=${L}`).toBeCloseTo(tabled, 3);
      }
    }
  });

  it('so the whole call as an estimate prices it is the measured call (within 0.1%)', () => {
    for (const L of LENGTHS) for (const k of ['sage2', 'sage1'] as const) {
      expect(Math.abs(call(k, L).whole / row(`${k}_full_call`, L)! - 1), `${k} L=${L}`).toBeLessThan(1e-3);
    }
  });

  it('held out: the measured SM90 kernel is within 10% of the Sage2 bar of SageAttention\'s own H100 chart (kernels alone)', () => {
    for (const L of LENGTHS) {
      const flops = 4 * 40 * L * L * 128;
      const measured = flops / (row('sage2_full_call', L)! - call('sage2', L).passes) / 1e12;
      const chart = interpLog(SAGE_H100_HD128.map((r) => [r[0], r[3]] as [number, number]), L);
      expect(Math.abs(measured / chart - 1), `L=${L}: ${measured.toFixed(0)} vs ${chart}`).toBeLessThan(0.1);
    }
  });

  it('another Hopper GPU takes the same ratio to its own cuDNN rate; the note says measured; Ada keeps the chart', () => {
    const h200 = quantizedAttentionRatio('sage2', getGpu('h200'), 32760);
    expect(h200).toMatchObject({ reference: 'cudnn', measured: true, ratio: SAGE_H100_MEASURED[0]![1] });
    expect(h200.basis).toContain(SAGE_H100_MEASURED_FILE);
    const short = quantizedAttentionRatio('sage1', getGpu('h100-sxm'), 4096);
    expect(short.ratio).toBe(SAGE_H100_MEASURED[0]![2]); // below the measured lengths the first one holds
    const ada = quantizedAttentionRatio('sage2', getGpu('rtx4090'), 32760);
    expect(ada).toMatchObject({ reference: 'fa2', measured: false });
    expect(quantizedAttentionRatio('fa3-fp8', getGpu('h100-sxm'), 32760)).toMatchObject({ reference: 'fa3', measured: false });
  });
});
