/**
 * vgsim against calibration/engines/h100-sxm-attention-reduce.json (engines_bench.py --sections
 * attention,reduce,quant on an H100 SXM, SDPA backends applied): the full-tensor reduction rate is the file's
 * `max_eager` rows (calibration, recomputed here from the raw rows); everything else is held out — the eager
 * per-tensor path and its parts, and SDPA with cuDNN and with flash.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { compareEngineBenchFiles, compareEngineKernels, ENGINE_BENCH_FILES, loadEngineBench } from '../src/perf/engine-kernels.ts';
import { FULL_REDUCTION_GBS, fullReductionGBs } from '../src/perf/full-reduction.ts';
import { perTensorDynamicEager } from '../src/workload/block-groups.ts';
import { StageBuilder } from '../src/workload/ops.ts';
import { DeviceModel } from '../src/perf/device.ts';
import { getGpu } from '../src/hardware/catalog.ts';
import { STRIDED_ELEMENTWISE_GBS_PER_SM } from '../src/perf/sm-bound-elementwise.ts';

const FILE = 'calibration/engines/h100-sxm-attention-reduce.json';
const rows = compareEngineKernels(loadEngineBench(FILE), 'h100-sxm', { sdpaBackendApplied: true });
const pick = (section: string, prefix: string) => rows.filter((r) => r.section === section && r.case.startsWith(prefix));
const long = (r: { case: string }) => !r.case.includes('m=4096');

describe('engine kernels vs the attention/reduce/quant re-run (H100 SXM)', () => {
  it('prices every measured case it claims to, and validate:engine-kernels compares both runs', () => {
    expect(pick('attention', 'sdpa cuDNN').length).toBe(6);
    expect(pick('attention', 'sdpa flash').length).toBe(6);
    expect(pick('attention', 'xdit').length).toBe(6);
    expect(pick('attention', 'sage2').length).toBe(6);
    expect(pick('quant', '').length).toBe(9);
    expect(pick('reduce', '').length).toBe(12);
    expect(ENGINE_BENCH_FILES.map((f) => f.file)).toContain(FILE);
    const all = compareEngineBenchFiles();
    expect(all.filter((r) => r.file === FILE).length).toBe(rows.length);
    const others = ['h100-sxm', 'h100-sxm-block-fp8', 'h100-sxm-block-quant', 'h100-sxm-sage', 'h100-sxm-sage-split'].map((f) => compareEngineKernels(loadEngineBench(`calibration/engines/${f}.json`)).length);
    // the H200 runs, priced on the H200: every row a check, but the compiled quantisation and RoPE rows (they chose how
    // Inductor's kernels are carried: sm-bound-carry.ts) and the head-dim-64 Sage kernel rows
    const h200 = ['h200', 'h200-sage-split', 'h200-sage-shapes'].map((f) => compareEngineKernels(loadEngineBench(`calibration/engines/${f}.json`), 'h200', { sdpaBackendApplied: true, heldOut: f !== 'h200-sage-shapes' }));
    expect(all.length).toBe(rows.length + others.reduce((a, b) => a + b, 0) + h200.reduce((a, b) => a + b.length, 0));
    const chose = all.filter((r) => r.gpu === 'h200' && r.role === 'calibration');
    expect(chose.map((r) => r.section)).toEqual([...Array(6).fill('quant'), 'rope', 'rope', 'sage_shapes', 'sage_shapes', 'sage_shapes']);
    expect(chose.filter((r) => r.section !== 'sage_shapes').every((r) => r.case.includes('compiled'))).toBe(true);
    expect(all.filter((r) => r.gpu === 'h200' && r.role !== 'check' && r.role !== 'bound').length).toBe(chose.length);
    expect(h200[0]!.length + h200[1]!.length).toBeGreaterThan(100);
  });

  it('held out: a 14B block with FP8 linears (per-token activations), compiled, within 10%, and its gain over the bf16 block of the same run within 5 points', () => {
    const fp8 = compareEngineKernels(loadEngineBench('calibration/engines/h100-sxm-block-fp8.json'));
    expect(fp8.length).toBe(6);
    for (const r of fp8.filter((x) => x.role === 'check')) expect(Math.abs(r.error), r.case).toBeLessThan(0.1);
    for (const res of ['832x480', '1280x720']) {
      const at = (name: string) => fp8.find((r) => r.case.startsWith(name) && r.case.includes(res))!;
      const gain = (side: 'measured_s' | 'predicted_s') => 1 - at('fp8_token_compiled')[side] / at('bf16_compiled')[side];
      expect(gain('measured_s'), res).toBeGreaterThan(0.05); // FP8 linears do shorten the measured block
      expect(Math.abs(gain('predicted_s') - gain('measured_s')), res).toBeLessThan(0.05);
    }
    // the other engines' schemes, compiled in a second run: FP8 per-tensor dynamic (torchao) and INT8 per token
    const quant = compareEngineKernels(loadEngineBench('calibration/engines/h100-sxm-block-quant.json'));
    expect(quant.map((r) => r.case.split(' ')[0])).toEqual(['bf16_compiled_default', 'fp8_tensor_compiled_default', 'int8_token_compiled_default', 'bf16_compiled_default', 'fp8_tensor_compiled_default', 'int8_token_compiled_default']);
    for (const r of quant) expect(Math.abs(r.error), r.case).toBeLessThan(0.1);
    for (const res of ['832x480', '1280x720']) {
      const at = (name: string) => quant.find((r) => r.case.startsWith(name) && r.case.includes(res))!;
      const gain = (name: string, side: 'measured_s' | 'predicted_s') => 1 - at(name)[side] / at('bf16_compiled')[side];
      for (const name of ['fp8_tensor', 'int8_token']) expect(Math.abs(gain(name, 'predicted_s') - gain(name, 'measured_s')), `${name} ${res}`).toBeLessThan(0.05);
    }
    // the eager FP8 block quantises with separate torch ops: vgsim's one-pass price is a lower bound
    for (const r of fp8.filter((x) => x.role === 'bound')) expect(r.predicted_s).toBeLessThan(r.measured_s);
  });

  it('calibration: the full-tensor reduction rate is the file\'s max_eager rows, and only they say calibration', () => {
    const raw = JSON.parse(readFileSync(FILE, 'utf8')) as { reduce: { name: string; m: number; k: number; s: number }[] };
    const max = raw.reduce.filter((r) => r.name === 'max_eager');
    expect(max.length).toBe(3);
    expect(FULL_REDUCTION_GBS.length).toBe(3);
    for (const r of max) {
      const bytes = r.m * r.k * 2;
      expect(FULL_REDUCTION_GBS.find(([b]) => b === bytes)![1]).toBeCloseTo(bytes / r.s / 1e9, 6);
      expect(fullReductionGBs(bytes)).toBeCloseTo(bytes / r.s / 1e9, 6);
    }
    // besides the compiled per-tensor rows at the sizes that set inductor's split-reduction rate (engine-kernels.test.ts)
    expect(rows.filter((r) => r.role === 'calibration' && r.section === 'reduce').map((r) => r.case.split(' ')[0])).toEqual(['max_eager', 'max_eager', 'max_eager']);
    // the op's price is the measured time plus the profile's one launch gap (~1 µs)
    for (const r of pick('reduce', 'max_eager')) expect(r.predicted_s - r.measured_s).toBeCloseTo(1.03e-6, 7);
  });

  it('the reduce_full kind: the measured rate on an H100 SXM, scaled by measured copy bandwidth elsewhere, clamped outside', () => {
    const h100 = new DeviceModel('h100-sxm', { sustained: false });
    const bytes = FULL_REDUCTION_GBS[2]![0];
    expect(h100.memoryGBs('reduce_full', bytes)).toBeCloseTo(FULL_REDUCTION_GBS[2]![1], 6);
    expect(h100.memoryGBs('reduce_full', 1e12)).toBeCloseTo(FULL_REDUCTION_GBS[2]![1], 6); // clamped, not extrapolated
    const h200 = new DeviceModel('h200', { sustained: false });
    expect(h200.memoryGBs('reduce_full', bytes)).toBeCloseTo(FULL_REDUCTION_GBS[2]![1] * (4.01 / 2.9), 6); // Azure's copy rates
    // and it is not the copy rate the old 'reduce' kind fell back to
    expect(h100.memoryGBs('reduce_full', bytes)).not.toBeCloseTo(h100.memoryGBs('reduce', bytes), 0);
  });

  it('eager per-tensor quantisation: one op per kernel, bytes as hand-counted, the divide in the non-vectorised loop', () => {
    const b = new StageBuilder();
    const E = 100 * 5120;
    perTensorDynamicEager(b, 'x', E, 2);
    expect(b.ops.map((o) => o.name)).toEqual(['x.abs', 'x.max', 'x.scale', 'x.divide', 'x.clamp', 'x.cast']);
    expect(b.ops.map((o) => (o.kind === 'elementwise' ? [o.ew, o.bytes, o.kernels, !!o.strided] : []))).toEqual([
      ['copy', 4 * E, 1, false], ['reduce_full', 2 * E, 1, false], ['copy', 16, 2, false],
      ['binary', 4 * E, 1, true], ['copy', 4 * E, 1, false], ['cast_down', 3 * E, 1, false],
    ]);
    // the divide costs its bytes at the non-vectorised loop's rate (sm-bound-elementwise.ts), not the add rate
    const dev = new DeviceModel('h100-sxm', { sustained: false });
    const big = 75600 * 5120;
    const t = dev.opTime({ kind: 'elementwise', name: 'd', group: 'g', count: 1, ew: 'binary', bytes: 4 * big, kernels: 1, strided: true });
    expect(t.rate).toBeCloseTo(STRIDED_ELEMENTWISE_GBS_PER_SM * 132, 6);
  });

  it('held out: the eager per-tensor path and its parts at Wan\'s long sequences', () => {
    for (const r of pick('quant', 'per_tensor_dynamic_fp8_eager').filter(long)) expect(Math.abs(r.error), r.case).toBeLessThan(0.1);
    for (const r of pick('reduce', 'abs_max_eager').filter(long)) expect(Math.abs(r.error), r.case).toBeLessThan(0.1);
    for (const r of pick('reduce', 'amax_lastdim_eager').filter(long)) expect(Math.abs(r.error), r.case).toBeLessThan(0.1);
    // divide/clamp/cast still a little fast (the cast to e4m3 is priced at the bf16 narrowing rate)
    for (const r of pick('reduce', 'scale_cast_eager').filter(long)) {
      expect(r.error, r.case).toBeLessThan(0);
      expect(r.error, r.case).toBeGreaterThan(-0.15);
    }
    for (const r of rows.filter((x) => x.section === 'reduce' || x.section === 'quant')) {
      if (r.case.startsWith('max_eager') || (r.case.startsWith('per_tensor_dynamic_fp8_compiled') && !r.case.includes('m=75600'))) continue;
      expect(r.role, r.case).toBe('check');
    }
  });

  it('held out: SDPA with cuDNN and with flash within 5%, and flash\'s cost over cuDNN\'s as measured within 7%', () => {
    for (const r of [...pick('attention', 'sdpa cuDNN'), ...pick('attention', 'sdpa flash')]) {
      expect(r.role).toBe('check');
      expect(Math.abs(r.error), r.case).toBeLessThan(0.05);
    }
    for (const L of [4096, 16384, 27280, 32760, 75600]) {
      const c = pick('attention', `sdpa cuDNN L=${L}`)[0]!;
      const f = pick('attention', `sdpa flash L=${L}`)[0]!;
      expect(f.measured_s / c.measured_s).toBeGreaterThan(1.5); // flash is the slower kernel on H100
      expect(Math.abs((f.predicted_s / c.predicted_s) / (f.measured_s / c.measured_s) - 1), `L=${L}`).toBeLessThan(0.07); // 6.0% at 75,600
    }
  });
});
