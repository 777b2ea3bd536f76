/**
 * A LoRA on the DiT (src/engines/lora.ts): unfused, as PEFT runs it, every block linear adds two skinny GEMMs,
 * a scaling multiply and an add; merged, nothing. Checked against hand-counted FLOPs, bytes and parameters.
 */
import { describe, it, expect } from 'vitest';
import { estimate } from '../src/perf/estimate.ts';
import { getModel } from '../src/workload/request.ts';
import { buildDitForward } from '../src/workload/dit.ts';
import { asWan } from '../src/workload/models.ts';
import { opFlops } from '../src/workload/ops.ts';
import { InputError } from '../src/errors.ts';
import { loraParams, parseLora } from '../src/engines/lora.ts';
import { vgsim } from './support/cli.ts';

const t2v13 = getModel('wan2.1-t2v-1.3b');
const dit = asWan(t2v13).dit;

describe('LoRA on the DiT', () => {
  it('parses a rank, fused or not; anything else is an input error at the lora field', () => {
    expect(parseLora('256')).toEqual({ rank: 256, fused: false });
    expect(parseLora(' 64 , fused ')).toEqual({ rank: 64, fused: true });
    expect(parseLora('none')).toBeUndefined();
    for (const bad of ['0', '1.5', 'x', '64,merged', '5000']) {
      try {
        parseLora(bad, 'inference');
        expect.unreachable(bad);
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        expect((e as InputError).issues[0]!.path).toBe('lora');
      }
    }
  });

  it('unfused: per linear, 2·rows·r·(in + out) FLOPs and 5·rows·out·2 bytes more, on every block linear', () => {
    const tokens = 7800;
    const opts = { tokens, batch: 1, kernel: 'cudnn' as const, linearDtype: 'bf16' as const, fused: false, ulysses: 1, ring: 1, tp: 1, weightsResident: true, style: 'diffusers' as const };
    const r = 32;
    const plain = buildDitForward(dit, opts).builder.ops;
    const lora = buildDitForward(dit, { ...opts, loraRank: r }).builder.ops;
    const d = dit.dim, f = dit.ffnDim, ctx = dit.textLen;
    // rows x (in, out) of each adapted linear: self q, k, v, o; cross q, o on the video tokens, cross k, v on the text; ffn.0, ffn.2
    const linears: [number, number, number][] = [
      ...Array.from({ length: 4 }, () => [tokens, d, d] as [number, number, number]),
      [tokens, d, d], [tokens, d, d], [ctx, d, d], [ctx, d, d],
      [tokens, d, f], [tokens, f, d],
    ];
    const flops = dit.layers * linears.reduce((a, [m, i, o]) => a + 2 * m * r * (i + o), 0);
    const sum = (ops: typeof plain, kind: string) => ops.filter((o) => o.kind === kind).reduce((a, o) => a + (kind === 'gemm' ? opFlops(o) * o.count : (o as { bytes: number }).bytes * o.count), 0);
    expect(sum(lora, 'gemm') - sum(plain, 'gemm')).toBeCloseTo(flops, -3);
    const bytes = dit.layers * linears.reduce((a, [m, , o]) => a + 5 * m * o * 2, 0);
    expect(sum(lora, 'elementwise') - sum(plain, 'elementwise')).toBeCloseTo(bytes, -3);
    // the LoRA's weights: r·(in + out) per linear, bf16
    expect(loraParams(dit, r)).toBe(dit.layers * r * linears.reduce((a, [, i, o]) => a + i + o, 0));
  });

  it('diffusers: an unfused LoRA costs time and its weights; merged it costs nothing; the JSON names it', () => {
    const run = (lora?: string) => estimate({ model: t2v13, gpu: 'h100-sxm', gpus: 1, request: { width: 832, height: 480, frames: 81, steps: 10, cfg: true }, options: { engine: 'diffusers', ...(lora ? { lora: parseLora(lora) } : {}) } });
    const none = run();
    const unfused = run('128');
    const fused = run('128,fused');
    expect(unfused.forward_s).toBeGreaterThan(none.forward_s * 1.02);
    expect(fused.forward_s).toBe(none.forward_s);
    const denoise = (e: typeof none) => e.memory.phases.find((p) => p.phase === 'denoise')!.breakdown_gb;
    expect(denoise(unfused).lora_weights).toBeCloseTo((loraParams(dit, 128) * 2) / 1e9, 2);
    expect(denoise(fused).lora_weights).toBeUndefined();
    expect(unfused.accelerations.find((a) => a.knob === 'lora')!.value).toBe('rank 128, unfused');
    expect(fused.accelerations.find((a) => a.knob === 'lora')!.value).toBe('rank 128, fused');
  });

  it('the README\'s figure: a rank-256 unfused LoRA makes a Wan2.1-14B 832x480 diffusers forward about 7% slower, mostly the passes', () => {
    const run = (lora?: string) => estimate({ model: getModel('wan2.1-t2v-14b'), gpu: 'h100-sxm', gpus: 1, request: { width: 832, height: 480, frames: 81, steps: 2, cfg: true }, options: { engine: 'diffusers', ...(lora ? { lora: parseLora(lora) } : {}) } });
    const none = run();
    const with256 = run('256');
    expect(Math.round(100 * (with256.forward_s / none.forward_s - 1))).toBe(7);
    const loraOps = with256.ops.filter((o) => /\.lora_/.test(o.name));
    const passes = loraOps.filter((o) => o.kind === 'elementwise').reduce((a, o) => a + o.seconds, 0);
    const gemms = loraOps.filter((o) => o.kind === 'gemm').reduce((a, o) => a + o.seconds, 0);
    expect(passes).toBeGreaterThan(gemms);
  });

  it('where it is not modelled, an input error with the reason: engines that are not PEFT-based, other families', () => {
    expect(() => estimate({ model: t2v13, gpu: 'h100-sxm', gpus: 1, request: { width: 832, height: 480, frames: 81, steps: 10, cfg: true }, options: { engine: 'lightx2v', lora: parseLora('64') } })).toThrow(/LoRA unfused[\s\S]*fused/);
    expect(() => estimate({ model: getModel('hunyuan-video'), gpu: 'h100-sxm', gpus: 1, request: { width: 1280, height: 720, frames: 129, steps: 2, cfg: false }, options: { lora: parseLora('64') } })).toThrow(/unfused LoRA .* Wan models only/);
    // merged: any engine
    expect(() => estimate({ model: t2v13, gpu: 'h100-sxm', gpus: 1, request: { width: 832, height: 480, frames: 81, steps: 10, cfg: true }, options: { engine: 'lightx2v', lora: parseLora('64,fused') } })).not.toThrow();
  });

  it('CLI: --lora, and a bad value exits 2 with the field and a hint', () => {
    const ok = vgsim(['estimate', '--model', 'wan2.1-t2v-1.3b', '--gpu', 'h100-sxm', '--engine', 'diffusers', '--lora', '64', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).accelerations.some((a: { knob: string }) => a.knob === 'lora')).toBe(true);
    const bad = vgsim(['estimate', '--model', 'wan2.1-t2v-1.3b', '--gpu', 'h100-sxm', '--engine', 'diffusers', '--lora', 'big']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/lora.*whole number.*"big"/);
    expect(bad.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});
