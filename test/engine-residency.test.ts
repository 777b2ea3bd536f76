/**
 * An engine's default component residency (src/perf/engine-residency.ts), against hand-computed copies:
 * FastVideo's FSDP2 CPU-offloaded umT5 and DiT (pinned host→device streams, the whole copy exposed: FSDP2's copy-in
 * waits for the compute before it, measured by calibration/offload_stream.py) and its VAE moved
 * with module.to() around the decode, plus the decoded video copied to the host; umT5 in fp32 as FastVideo builds it
 * (configs/pipelines/wan.py:54-55); and the memory those residencies leave on the GPU.
 */
import { describe, it, expect } from 'vitest';
import { estimate } from '../src/perf/estimate.ts';
import { getModel } from '../src/workload/request.ts';
import { DeviceModel } from '../src/perf/device.ts';
import { asWan, ditParams } from '../src/workload/models.ts';
import { parsePlan } from '../src/parallel/plan.ts';

const h200 = new DeviceModel('h200');
const GBs = (dir: 'h2d' | 'd2h', pinned: boolean, module: boolean) => h200.hostLinkGBs(dir, pinned, module) * 1e9;
// umT5-XXL encoder: 4,630,708,224 block + 1,050,148,864 token-embedding parameters, fp32 in FastVideo; Wan2.1 VAE:
// 126,902,470 fp32
const UMT5_PARAMS = 4_630_708_224 + 1_050_148_864;
const UMT5_BYTES = UMT5_PARAMS * 4;
const VAE_BYTES = 126_902_470 * 4;

const run = (engine: string, request: { width: number; height: number; frames: number; steps: number; cfg: boolean }, model = 'wan2.1-t2v-1.3b', gpu = 'h200', more: { textEncoderDtype?: 'bf16' | 'fp32' } = {}) =>
  estimate({ model: getModel(model), gpu, gpus: 1, request, options: { engine, ...more } });

describe('engine residency: FastVideo keeps every component in host memory', () => {
  it('no CFG: one umT5 stream, the VAE in and out, the fp32 video out', () => {
    const e = run('fastvideo', { width: 832, height: 480, frames: 81, steps: 3, cfg: false });
    const umt5 = UMT5_BYTES / GBs('h2d', true, false);
    const vae = VAE_BYTES / GBs('h2d', false, true) + VAE_BYTES / GBs('d2h', false, true);
    const video = (81 * 480 * 832 * 3 * 4) / GBs('d2h', false, false);
    expect(e.transfer_s).toBeCloseTo(umt5 + vae + video, 9);
    // by hand at the H200 profile's rates (54.49 GB/s pinned, 5.50 / 5.91 GB/s module.to in / out, 12.19 GB/s pageable out)
    expect(e.transfer_s).toBeCloseTo(0.4170 + 0.0922 + 0.0859 + 0.0319, 3);
  });

  it('CFG encodes the negative prompt too: one more umT5 stream', () => {
    const base = { width: 832, height: 480, frames: 81, steps: 3 };
    const one = run('fastvideo', { ...base, cfg: false });
    const two = run('fastvideo', { ...base, cfg: true });
    expect(two.transfer_s - one.transfer_s).toBeCloseTo(UMT5_BYTES / GBs('h2d', true, false), 9);
  });

  it('the DiT stream (bf16, every forward) adds its whole copy, however long the forward (FSDP2 does not overlap it)', () => {
    const streamed = (e: ReturnType<typeof run>) => e.stages.find((x) => x.name === 'cpu_offload_stream')!.seconds_total;
    const dit = ditParams(asWan(getModel('wan2.1-t2v-1.3b')).dit) * 2;
    const stream = dit / GBs('h2d', true, false);
    // 480p: the forward is longer than its weights' copy, and the copy still adds
    const big = run('fastvideo', { width: 832, height: 480, frames: 81, steps: 3, cfg: false });
    expect(big.forward_s).toBeGreaterThan(stream);
    expect(streamed(big)).toBeCloseTo(3 * stream, 9);
    // a tiny clip of the 14B: the 28 GB copy every forward
    const dit14 = ditParams(asWan(getModel('wan2.1-t2v-14b')).dit) * 2;
    const small = run('fastvideo', { width: 256, height: 256, frames: 5, steps: 4, cfg: false }, 'wan2.1-t2v-14b');
    expect(streamed(small)).toBeCloseTo((4 * dit14) / GBs('h2d', true, false), 9);
    // a step as the clock sees it includes the copies: four steps make the denoising stage
    expect(small.step_s * 4).toBeCloseTo(small.denoise_s, 9);
    // FastVideo's --dit-cpu-offload False (keep_on_gpu dit): no stream, the weights on the GPU
    const kept = estimate({ model: getModel('wan2.1-t2v-14b'), gpu: 'h200', gpus: 1, request: { width: 256, height: 256, frames: 5, steps: 4, cfg: false }, options: { engine: 'fastvideo', keepOnGpu: ['dit'] } });
    expect(kept.stages.find((x) => x.name === 'cpu_offload_stream')).toBeUndefined();
    expect(kept.memory.phases.find((x) => x.phase === 'denoise')!.breakdown_gb.dit_weights).toBeCloseTo(dit14 / 1e9, 1);
    expect(kept.accelerations.map((a) => `${a.knob}=${a.value}`)).toContain('keep_on_gpu=dit');
  });

  it('on N GPUs the streamed DiT is sharded (FSDP inference): each GPU copies 1/N and all-gathers the rest over NVLink', () => {
    const h100 = new DeviceModel('h100-sxm');
    const pinned = h100.hostLinkGBs('h2d', true, false) * 1e9;
    const dit14 = ditParams(asWan(getModel('wan2.1-t2v-14b')).dit) * 2;
    const req = { width: 256, height: 256, frames: 5, steps: 4, cfg: false };
    const on = (gpus: number, parallel: string) => estimate({ model: getModel('wan2.1-t2v-14b'), gpu: 'h100-sxm', gpus, plan: parsePlan(parallel), request: req, options: { engine: 'fastvideo' } });
    const streamed = (e: ReturnType<typeof estimate>) => e.stages.find((x) => x.name === 'cpu_offload_stream')?.seconds_total ?? 0;
    const one = on(1, 'none');
    const eight = on(8, 'ulysses=8');
    // per forward: the 1/8 share over PCIe plus 40 block all-gathers of 7/8 of each block's 0.7 GB, between
    // NVLink4's 450 GB/s a direction (an upper bound on the ring's rate) and a floor of 100 GB/s
    const share = dit14 / 8 / pinned;
    const perForward = streamed(eight) / 4;
    expect(perForward).toBeGreaterThan(share + ((7 / 8) * dit14) / 450e9);
    expect(perForward).toBeLessThan(share + ((7 / 8) * dit14) / 100e9 + 40 * 100e-6);
    // against one GPU pulling all 28 GB per forward: under a third of its wait
    expect(streamed(eight)).toBeLessThan(streamed(one) / 3);
    // a plan that shards with fsdp itself prices its gathers in the forward; the host share is 1/N all the same
    const fsdp = on(8, 'ulysses=8,fsdp');
    expect(streamed(fsdp)).toBeCloseTo(share * 4, 9);
  });

  it('umT5 is fp32 unless asked for bf16 (--text-encoder-precisions): half the stream then', () => {
    const req = { width: 832, height: 480, frames: 81, steps: 3, cfg: false };
    const fp32 = run('fastvideo', req);
    const bf16 = run('fastvideo', req, 'wan2.1-t2v-1.3b', 'h200', { textEncoderDtype: 'bf16' });
    expect(fp32.transfer_s - bf16.transfer_s).toBeCloseTo((UMT5_PARAMS * 2) / GBs('h2d', true, false), 9);
    expect(fp32.stages.find((x) => x.name === 'text_encode')!.detail).toContain('umT5-XXL (fp32)');
    // the official code builds umT5 in bf16 only
    expect(() => run('official', req, 'wan2.1-t2v-1.3b', 'h200', { textEncoderDtype: 'fp32' })).toThrow(/runs umT5 in bf16, not fp32/);
  });

  it('what stays in host memory is not on the GPU: two streamed blocks, the VAE only for its stage', () => {
    const e = run('fastvideo', { width: 832, height: 480, frames: 81, steps: 3, cfg: false }, 'wan2.1-t2v-14b', 'rtx4090');
    const phase = (p: string) => e.memory.phases.find((x) => x.phase === p)!.breakdown_gb;
    // the text encode holds umT5's fp32 token embedding (the FSDP root) and two of its 24 blocks (the one
    // computing and the one prefetched): 5.74 GB of its 22.7
    expect(phase('text_encode').text_encoder_weights).toBeCloseTo(((1_050_148_864 + (2 * 4_630_708_224) / 24) * 4) / 1e9, 1);
    expect(phase('denoise').dit_weights ?? 0).toBe(0);
    expect(phase('denoise').text_encoder_weights ?? 0).toBe(0);
    expect(phase('denoise').vae_weights ?? 0).toBe(0);
    expect(phase('denoise').cpu_offload_buffers).toBeGreaterThan(0);
    // the 14B's 28 GB of bf16 weights never sit on a 24 GB card at once: it fits, as FastVideo runs it there
    expect(e.fits).toBe(true);
    expect(run('official', { width: 832, height: 480, frames: 81, steps: 3, cfg: false }, 'wan2.1-t2v-14b', 'rtx4090').fits).toBe(false);
  });

  it('engines without a residency profile move nothing', () => {
    for (const engine of ['official', 'diffusers', 'xdit']) {
      expect(run(engine, { width: 832, height: 480, frames: 81, steps: 3, cfg: false }).transfer_s, engine).toBe(0);
    }
  });
});

describe('engine residency: SGLang keeps umT5 in host memory and streams it per call', () => {
  const h100 = new DeviceModel('h100-sxm');
  const pinned = h100.hostLinkGBs('h2d', true, false) * 1e9;
  const ci = { width: 832, height: 480, frames: 21, steps: 50, cfg: true }; // its CI case: 24 frames = 6 latent frames
  const sgl = (more: object = {}) => estimate({ model: getModel('wan2.1-t2v-1.3b'), gpu: 'h100-sxm', gpus: 1, request: ci, options: { engine: 'sglang' }, ...more });

  it('two bf16 umT5 streams (prompt and negative prompt); nothing else moves', () => {
    const e = sgl();
    expect(e.transfer_s).toBeCloseTo(2 * ((UMT5_PARAMS * 2) / pinned), 9);
    // by hand: 11.36 GB at the H100 profile's 54.49 GB/s pinned = 208.5 ms a call
    expect((UMT5_PARAMS * 2) / pinned).toBeCloseTo(0.2085, 3);
  });

  it('SGLang\'s own CI: streaming umT5 adds 363 ms to its text encoding (535 ms by default, 172 ms with the encoder kept resident); vgsim\'s whole copy (417 ms) is 15% above it', () => {
    // sgl-project/sglang@03dbd7a python/sglang/multimodal_gen/test/server/perf_baselines/h100.json, TextEncodingStage of
    // wan2_1_t2v_1.3b (534.89 ms) and wan2_1_t2v_1.3b_encoder_permanent_residents (171.56 ms): held out, not fitted.
    // vgsim prices FSDP2's offload as the whole copy (the copy-in waits for the compute before it: measured on DiT
    // blocks, calibration/offload/h100-sxm.json); SGLang's encoder hides 55 ms of it or copies faster than the H100
    // profile's 54.5 GB/s, which vgsim does not know. Held to within 20%, above the measurement.
    const measured = 0.53489 - 0.17156;
    const r = sgl().transfer_s / measured - 1;
    expect(r).toBeGreaterThan(0);
    expect(r).toBeLessThan(0.20);
  });

  it('umT5 off the GPU outside its stage (the official code keeps its 11.4 GB through the decode); a plan that places umT5 itself (t5=cpu) streams nothing', () => {
    const e = sgl();
    const phase = (p: string) => e.memory.phases.find((x) => x.phase === p)!.breakdown_gb;
    expect(phase('denoise').text_encoder_weights ?? 0).toBe(0);
    expect(phase('text_encode').text_encoder_weights).toBeCloseTo(((1_050_148_864 + (2 * 4_630_708_224) / 24) * 2) / 1e9, 1);
    const official = estimate({ model: getModel('wan2.1-t2v-1.3b'), gpu: 'h100-sxm', gpus: 1, request: ci, options: { engine: 'official' } });
    const at = (x: typeof e, p: string) => x.memory.phases.find((y) => y.phase === p)!.breakdown_gb.text_encoder_weights ?? 0;
    expect(at(official, 'vae_decode')).toBeCloseTo((UMT5_PARAMS * 2) / 1e9, 1);
    expect(at(e, 'vae_decode')).toBe(0);
    const cpu = estimate({ model: getModel('wan2.1-t2v-1.3b'), gpu: 'h100-sxm', gpus: 1, plan: parsePlan('t5=cpu'), request: ci, options: { engine: 'sglang' } });
    expect(cpu.transfer_s).toBe(0);
  });
});
