/**
 * An engine's default component residency (src/perf/engine-residency.ts), against hand-computed copies:
 * FastVideo's FSDP2 CPU-offloaded umT5 and DiT (pinned host→device streams behind compute) and its VAE moved
 * with module.to() around the decode, plus the decoded video copied to the host.
 */
import { describe, it, expect } from 'vitest';
import { estimate } from '../src/perf/estimate.ts';
import { getModel } from '../src/workload/request.ts';
import { DeviceModel } from '../src/perf/device.ts';
import { asWan, ditParams } from '../src/workload/models.ts';

const h200 = new DeviceModel('h200');
const GBs = (dir: 'h2d' | 'd2h', pinned: boolean, module: boolean) => h200.hostLinkGBs(dir, pinned, module) * 1e9;
// umT5-XXL encoder (bf16): 4,630,708,224 block + 1,050,148,864 token-embedding parameters; Wan2.1 VAE: 126,902,470 fp32
const UMT5_BYTES = (4_630_708_224 + 1_050_148_864) * 2;
const VAE_BYTES = 126_902_470 * 4;

const run = (engine: string, request: { width: number; height: number; frames: number; steps: number; cfg: boolean }, model = 'wan2.1-t2v-1.3b') =>
  estimate({ model: getModel(model), gpu: 'h200', gpus: 1, request, options: { engine } });

describe('engine residency: FastVideo keeps every component in host memory', () => {
  it('no CFG: one umT5 stream (less its compute), the VAE in and out, the fp32 video out', () => {
    const e = run('fastvideo', { width: 832, height: 480, frames: 81, steps: 3, cfg: false });
    const umt5 = UMT5_BYTES / GBs('h2d', true, false) - e.text_encode_s / 2; // vgsim prices umT5 as two calls
    const vae = VAE_BYTES / GBs('h2d', false, true) + VAE_BYTES / GBs('d2h', false, true);
    const video = (81 * 480 * 832 * 3 * 4) / GBs('d2h', false, false);
    expect(e.transfer_s).toBeCloseTo(umt5 + vae + video, 9);
    // by hand at the H200 profile's rates (54.49 GB/s pinned, 5.50 / 5.91 GB/s module.to in / out, 12.19 GB/s pageable out)
    expect(e.transfer_s).toBeCloseTo(0.2085 - e.text_encode_s / 2 + 0.0922 + 0.0859 + 0.0319, 3);
  });

  it('CFG encodes the negative prompt too: one more umT5 stream', () => {
    const base = { width: 832, height: 480, frames: 81, steps: 3 };
    const one = run('fastvideo', { ...base, cfg: false });
    const two = run('fastvideo', { ...base, cfg: true });
    expect(two.transfer_s - one.transfer_s).toBeCloseTo(UMT5_BYTES / GBs('h2d', true, false) - one.text_encode_s / 2, 9);
  });

  it('the DiT stream (bf16, every forward) costs only what its forward does not hide', () => {
    const dit = ditParams(asWan(getModel('wan2.1-t2v-1.3b')).dit) * 2;
    const stream = dit / GBs('h2d', true, false);
    // 480p: a forward takes longer than its weights' copy, nothing exposed
    const big = run('fastvideo', { width: 832, height: 480, frames: 81, steps: 3, cfg: false });
    expect(big.forward_s).toBeGreaterThan(stream);
    expect(big.denoise_s).toBeCloseTo(big.step_s * 3, 9);
    // a tiny clip of the 14B: the forward (bound by the host's dispatch) is shorter than the 28 GB copy, each
    // forward waits for the difference
    const dit14 = ditParams(asWan(getModel('wan2.1-t2v-14b')).dit) * 2;
    const stream14 = dit14 / GBs('h2d', true, false);
    const small = run('fastvideo', { width: 256, height: 256, frames: 5, steps: 4, cfg: false }, 'wan2.1-t2v-14b');
    expect(small.forward_s).toBeLessThan(stream14);
    expect(small.denoise_s - small.step_s * 4).toBeCloseTo(4 * (stream14 - small.forward_s), 9);
  });

  it('engines without a residency profile move nothing', () => {
    for (const engine of ['official', 'diffusers', 'sglang']) {
      expect(run(engine, { width: 832, height: 480, frames: 81, steps: 3, cfg: false }).transfer_s, engine).toBe(0);
    }
  });
});
