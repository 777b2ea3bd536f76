/**
 * The H100 profile's small GEMMs at their CUDA-graph rates: profile_gpu.py --graph re-timed the GEMM grid's shapes
 * with m <= 8192 inside CUDA graphs (no host launch between calls), and calibration/merge_runs.py --min-gain 1.05
 * replaced the rows the eager timing had held back. The README's serving section quotes the range.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { buildDitForward } from '../src/workload/dit.ts';
import { WAN_MODELS } from '../src/workload/models.ts';
import { DeviceModel } from '../src/perf/device.ts';
import { priceStage } from '../src/perf/stage-cost.ts';
describe('small GEMMs at their CUDA-graph rates (profile_gpu.py --graph, merged where >= 5% faster)', () => {
  const prof = JSON.parse(readFileSync('calibration/profiles/h100-sxm.json', 'utf8')) as { gemm: { dtype: string; m: number; n: number; k: number; tflops: number; timing?: string }[]; notes: { merged_runs?: { replaced: number; note: string }[] } };
  const raw = JSON.parse(readFileSync('calibration/profiles/runs/h100-sxm-gemm-graph-2026-12-06.json', 'utf8')) as { gemm: { dtype: string; m: number; n: number; k: number; tflops: number }[] };
  it('the 1.3B model\'s 1536×1536 GEMMs at m <= 2,048 are the graph-timed rows (201–607 TFLOP/s), and 20 rows were replaced', () => {
    const small = prof.gemm.filter((r) => r.dtype === 'bf16' && r.n === 1536 && r.k === 1536 && r.m <= 2048);
    expect(small.map((r) => r.m).sort((a, b) => a - b)).toEqual([256, 512, 1024, 2048]);
    for (const r of small) expect(r.timing, `m=${r.m}`).toBe('cuda_graph');
    expect(Math.round(Math.min(...small.map((r) => r.tflops)))).toBe(201);
    expect(Math.round(Math.max(...small.map((r) => r.tflops)))).toBe(607);
    expect(prof.notes.merged_runs!.at(-1)!.replaced).toBe(20);
    // every graph-timed row in the profile is the raw run's row, unchanged
    for (const r of prof.gemm.filter((x) => x.timing === 'cuda_graph')) {
      expect(raw.gemm.find((x) => x.dtype === r.dtype && x.m === r.m && x.n === r.n && x.k === r.k)!.tflops).toBe(r.tflops);
    }
  });
});

describe('the served 832×480×17 forward against its kernel profile', () => {
  it('prices within 2% of the GPU time its kernels took (calibration/host/forward-kernels-h100-sxm.json: held out)', () => {
    const kp = JSON.parse(readFileSync('calibration/host/forward-kernels-h100-sxm.json', 'utf8')) as { rows: { shape: string; tokens: number; kernels: [string, number, number][] }[] };
    const row = kp.rows.find((r) => r.shape === '832x480x17f')!;
    const measured = row.kernels.reduce((a, k) => a + k[2], 0);
    const m = WAN_MODELS.find((x) => x.id === 'wan2.1-t2v-1.3b')!;
    // as the harness runs it: the Wan2.2 code path (per-token timestep), cuDNN attention, PyTorch's IEEE fp32 matmuls
    const fwd = buildDitForward({ ...m.dit, perTokenTimestep: true }, { tokens: row.tokens, batch: 1, kernel: 'cudnn', linearDtype: 'bf16', fused: false, ulysses: 1, ring: 1, tp: 1, weightsResident: true, part: 'forward', ropeVariant: 'harness', fp32Matmul: 'ieee' });
    const gpu = priceStage(new DeviceModel('h100-sxm', { sustained: true, launch: 'eager' }), fwd.builder.ops).gpuSeconds;
    expect(Math.abs(gpu / measured - 1)).toBeLessThan(0.02);
  });
});
