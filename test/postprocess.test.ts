/**
 * Post-processing stages (issue 21, part 1): the networks' FLOPs against hand-computed closed forms and against
 * PyTorch's own hook counts, the frame arithmetic, the published NVENC table and the measured x264/x265 rates,
 * a chain's latency adding up from its steps into the estimate and the runtime, placement on another pool moving
 * the GPU-seconds there, and bad chains as input errors (exit 2, file:line, did-you-mean).
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { opFlops, type StageBuilder } from '../src/workload/ops.ts';
import { buildRifeCall, rifeParams } from '../src/workload/postprocess/rife.ts';
import { buildUpscaleCall, upscaleParams } from '../src/workload/postprocess/esrgan.ts';
import { interpolatedFrames, chainShape, type PostprocessChain } from '../src/workload/postprocess/chain.ts';
import { CPU_ENCODE_FPS_PER_CORE, cpuEncodeFps, nvencFps, nvencProblem } from '../src/hardware/video-encoders.ts';
import { DeviceModel } from '../src/perf/device.ts';
import { postprocessCost } from '../src/perf/postprocess-cost.ts';
import { estimate } from '../src/perf/estimate.ts';
import { getModel } from '../src/workload/request.ts';
import { parsePlan } from '../src/parallel/plan.ts';
import { getGpu } from '../src/hardware/catalog.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { simulate } from '../src/serving/simulate.ts';
import { phaseList } from '../src/serving/phases.ts';
import { serviceOf } from '../src/serving/service-times.ts';
import { InputError } from '../src/errors.ts';
import { comparePostprocess, loadBench } from '../src/perf/postprocess-validation.ts';
import { vgsim } from './support/cli.ts';
import { parsePostprocessFlag } from '../src/cli/postprocess-flag.ts';
import { UsageError } from '../src/cli/usage-error.ts';
import { PostprocessSchema } from '../src/scenario/postprocess-schema.ts';

const flops = (b: StageBuilder) => b.ops.reduce((a, o) => a + opFlops(o) * o.count, 0);

describe('post-processing networks: FLOPs and parameters', () => {
  // 832x480 input (Wan 480P); FLOPs = 2 per multiply-add, bias not counted
  const W = 832, H = 480, P = W * H;
  it('SRVGGNetCompact (16 and 32 convs) = 2·9·HW·(3·64 + n·64·64 + 64·48)', () => {
    for (const [model, n] of [['realesr-animevideov3', 16], ['realesr-general-x4v3', 32]] as const) {
      expect(flops(buildUpscaleCall(model, W, H, 'fp16'))).toBe(2 * 9 * P * (3 * 64 + n * 64 * 64 + 64 * 48));
    }
  });
  it('RRDBNet x4 = trunk at HW + the ×2, ×4 tail (about 35.9 MFLOP per input pixel)', () => {
    const rdb = (64 + 96 + 128 + 160) * 32 + 192 * 64; // one residual dense block's cin·cout sum
    const hand = 2 * 9 * (P * (3 * 64 + 69 * rdb + 64 * 64) + 4 * P * 64 * 64 + 16 * P * (64 * 64 + 64 * 64 + 64 * 3));
    const f = flops(buildUpscaleCall('realesrgan-x4', W, H, 'fp16'));
    expect(f).toBe(hand);
    expect(f / P / 1e6).toBeCloseTo(35.9, 1);
  });
  it('RIFE IFNet: two heads + four IFBlocks at 1/8 … 1/1 on the 32-padded frame', () => {
    const Wp = 832, Hp = 480; // already multiples of 32
    const q = (Wp / 2) * (Hp / 2);
    const head = 2 * 9 * q * (3 * 32 + 2 * 32 * 32) + 2 * 16 * 32 * 8 * q; // convT 32→8 (k4 s2) on the half-size map
    let blocks = 0;
    for (const [c, s, cin] of [[192, 8, 23], [128, 4, 28], [96, 2, 28], [64, 1, 28]] as const) {
      const p = (Hp / (4 * s)) * (Wp / (4 * s));
      blocks += 2 * 9 * cin * (c / 2) * 4 * p + 2 * 9 * (c / 2) * c * p + 8 * 2 * 9 * c * c * p + 2 * 16 * c * 24 * p;
    }
    expect(flops(buildRifeCall(W, H, 'fp16'))).toBe(2 * head + blocks);
  });
  it('parameters: RRDBNet x4 16.7 M (RealESRGAN_x4plus), animevideov3 0.62 M', () => {
    expect(upscaleParams('realesrgan-x4')).toBe(16697987);
    expect(upscaleParams('realesr-animevideov3')).toBe(621424);
    expect(rifeParams()).toBeGreaterThan(5e6);
  });
  it('match the FLOPs PyTorch counts with forward hooks on the bench networks (calibration/postprocess/cpu-tiny.json)', () => {
    const rows = comparePostprocess(loadBench('calibration/postprocess/cpu-tiny.json'));
    expect(rows.map((r) => r.network).sort()).toEqual(['rife', 'rrdbnet_x4', 'srvgg_16', 'srvgg_32']);
    for (const r of rows) expect(r.flops_model, r.network).toBe(r.flops_measured);
  });
  it('peak memory by hand: a body conv holds its input, its output and cuDNN\'s NHWC copies of both', () => {
    // SRVGGNetCompact at 832x480 fp16: weights + the input frame (kept for the nearest-upsampled base) + 4 maps of 64 channels
    const map = 64 * 480 * 832 * 2;
    expect(buildUpscaleCall('realesr-animevideov3', 832, 480, 'fp16').peakMemory().bytes).toBe(upscaleParams('realesr-animevideov3') * 2 + 3 * 480 * 832 * 2 + 4 * map);
    // RRDBNet: conv_up2 on the ×4 map while the ×2 feat is still referenced: ×2 feat + ×4 input + output + NHWC copies of both
    const x4 = 64 * 1920 * 3328 * 2;
    expect(buildUpscaleCall('realesrgan-x4', 832, 480, 'fp16').peakMemory().bytes).toBe(upscaleParams('realesrgan-x4') * 2 + 3 * 480 * 832 * 2 + x4 / 4 + 4 * x4);
  });
  it("RIFE launches what the bench's eager forward launches: 4 kernels per conv, 8 per warp, the flow and merge passes", () => {
    const b = buildRifeCall(832, 480, 'fp16');
    const d = new DeviceModel('h100-sxm', { sustained: false, launch: 'eager' });
    const kernels = b.ops.reduce((a, o) => a + d.opTime(o).kernels, 0);
    const convs = 2 * 4 + 4 * 11; // heads: 4 each; blocks: 2 + 8 + lastconv
    // timestep; head lrelus; per block: cat, lrelu ×2, res (mul, add, lrelu) ×8, pixel shuffle, ×scale, 4 warps (7 + grid_sample);
    // blocks 1–3: flow ×1/scale, flow add, mask add; merge (sigmoid, mul, 1 − m, mul, add)
    const elementwise = 1 + 2 * 3 + 4 * (1 + 2 + 8 * 3 + 1 + 1 + 4 * 8) + 3 * 3 + 5;
    expect(kernels).toBe(4 * convs + elementwise + 2 * 3); // + the downsample and upsample of blocks 0–2 (none at scale 1)
  });
});

describe('chain arithmetic and encoders', () => {
  it('interpolation keeps the clip length: 81 frames at 16 fps', () => {
    expect(interpolatedFrames(81, 16, 32)).toEqual({ out: 161, synthesised: 80 });
    expect(interpolatedFrames(81, 16, 24)).toEqual({ out: 121, synthesised: 80 }); // every 3rd output frame is an input frame
    expect(interpolatedFrames(81, 16, 60)).toEqual({ out: 301, synthesised: 280 });
    expect(interpolatedFrames(121, 24, 48)).toEqual({ out: 241, synthesised: 120 });
  });
  it('NVENC: the application note\'s 1080p rate per engine, scaled by pixels; none on GH100/GA100', () => {
    expect(nvencFps('l4', 'h264', 'p1', 1920, 1080)).toBe(885);
    expect(nvencFps('l40s', 'hevc', 'p7', 1920, 1080)).toBe(181);
    expect(nvencFps('l4', 'av1', 'p5', 1280, 720)).toBeCloseTo(440 * 2.25, 6);
    expect(nvencProblem('h100-sxm', 'h264')).toMatch(/no NVENC/);
    expect(nvencProblem('a100-sxm-80g', 'h264')).toMatch(/no NVENC/);
    expect(nvencProblem('a10', 'av1')).toMatch(/cannot encode av1/);
  });
  it('x264/x265 rates are the committed measurement (best of 3, one core), linear in cores', () => {
    const bench = JSON.parse(readFileSync('calibration/postprocess/cpu-encode.json', 'utf8')) as { encode: { encoder: string; resolution: string; threads: number; fps: number }[] };
    const fps = (enc: string, res: string) => bench.encode.find((r) => r.encoder === enc && r.resolution === res && r.threads === 1)!.fps;
    expect(CPU_ENCODE_FPS_PER_CORE.h264.p1080).toBeCloseTo(fps('libx264', '1080p'), 1);
    expect(CPU_ENCODE_FPS_PER_CORE.h264.p720).toBeCloseTo(fps('libx264', '720p'), 1);
    expect(CPU_ENCODE_FPS_PER_CORE.hevc.p1080).toBeCloseTo(fps('libx265', '1080p'), 1);
    expect(CPU_ENCODE_FPS_PER_CORE.hevc.p720).toBeCloseTo(fps('libx265', '720p'), 1);
    expect(cpuEncodeFps('h264', 16, 1920, 1080)).toBeCloseTo(16 * CPU_ENCODE_FPS_PER_CORE.h264.p1080, 9);
  });
  it('the L4 in the catalog: 58 SMs × 1,024 FLOP/clock × 2.04 GHz = its 121 dense BF16 TFLOP/s', () => {
    const g = getGpu('l4');
    expect(g.smCount! * g.tensorFlopsPerSmClock! * g.boostClockMHz! * 1e6 / 1e12).toBeCloseTo(g.tflops.bf16, 0);
    expect(g.tdpW).toBe(72);
  });
});

const CHAIN: PostprocessChain = {
  interpolate: { fps: 32, model: 'rife' },
  upscale: { width: 1920, height: 1080, model: 'realesr-animevideov3', label: '1080p' },
  color: true,
  encode: { codec: 'h264', on: 'cpu', preset: 'medium', cores: 16 },
  dtype: 'fp16',
};

describe('a chain\'s cost adds up', () => {
  it('its steps sum to the GPU and CPU times; frames split over the group\'s GPUs', () => {
    const d = new DeviceModel('h100-sxm');
    const one = postprocessCost(d, CHAIN, { frames: 81, width: 832, height: 480, fps: 16 }, 1);
    const four = postprocessCost(d, CHAIN, { frames: 81, width: 832, height: 480, fps: 16 }, 4);
    const gpuSteps = one.steps.filter((s) => s.on === 'gpu');
    expect(one.gpu_s).toBeCloseTo(gpuSteps.reduce((a, s) => a + s.calls * s.call_s, 0), 12);
    expect(one.cpu_s).toBeCloseTo(161 / cpuEncodeFps('h264', 16, 1920, 1080), 9);
    for (const s of four.steps.filter((x) => x.on === 'gpu')) expect(s.seconds).toBeCloseTo(Math.ceil(s.calls / 4) * s.call_s, 12);
    expect(chainShape(CHAIN, 81, 832, 480, 16).output).toEqual({ frames: 161, width: 1920, height: 1080, fps: 32 });
    expect(one.steps.find((s) => s.step === 'interpolate')!.calls).toBe(80);
    expect(one.steps.find((s) => s.step === 'upscale')!.calls).toBe(161);
  });
  it('the estimate adds the chain to the request: total, stage split, energy and a memory phase', () => {
    const base = { model: getModel('wan2.2-t2v-a14b'), gpu: 'h100-sxm', gpus: 4, plan: parsePlan('ulysses=4,fsdp'), request: { width: 832, height: 480, frames: 81 } };
    const plain = estimate({ ...base, options: {} });
    const withPp = estimate({ ...base, options: { postprocess: CHAIN } });
    const pp = withPp.postprocess!;
    expect(plain.postprocess).toBeNull();
    expect(withPp.total_s - plain.total_s).toBeCloseTo(pp.gpu_s + pp.cpu_s, 9);
    expect(withPp.stage_split.postprocess_s).toBe(pp.gpu_s);
    expect(withPp.stage_split.postprocess_cpu_s).toBe(pp.cpu_s);
    expect(withPp.gpu_energy_wh - plain.gpu_energy_wh).toBeCloseTo(pp.gpu_energy_wh, 9);
    expect(withPp.memory.phases.map((p) => p.phase)).toContain('postprocess');
    expect(withPp.stages.filter((s) => s.name.startsWith('postprocess:')).length).toBe(pp.steps.length);
  });
});

function writeScenario(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vgsim-pp-'));
  const f = join(dir, 's.yaml');
  writeFileSync(f, body);
  return f;
}

const SCENARIO = (deployment: string, encode: string, nodes = '- { type: hgx-h100-sxm-8, count: 1 }') => `name: pp
seed: 3
duration: 3h
model: wan2.2-t2v-a14b
cluster:
  nodes:
    ${nodes}
deployment:
${deployment}
workload:
  arrivals: { process: poisson, rate_per_hour: 20 }
  mix:
    - name: c
      resolution: 832x480
      frames: 81
      postprocess:
        interpolate: { fps: 32 }
        upscale: { to: 1080p, model: realesrgan-x4 }
        encode: ${encode}
`;

describe('in the runtime', () => {
  it('on the same replica: the post-processing phase follows the decode; the CPU encode completes the request', () => {
    const f = writeScenario(SCENARIO('  - { name: dit, replicas: 2, parallel: "ulysses=4,fsdp" }', '{ codec: h264, on: cpu, cores: 16 }'));
    const l = loadScenario(f);
    const r = simulate(l.scenario, { locate: l.locate });
    const row = r.service_times[0]!;
    expect(row.stages).toEqual(['encode', 'denoise', 'decode', 'postprocess']);
    expect(row.postprocess_s).toBeGreaterThan(0);
    expect(row.postprocess_cpu_s).toBeGreaterThan(0);
    // the class's service time on an idle cluster is the pool's GPU part plus the host-CPU encode
    expect(r.classes[0]!.service_s).toBeCloseTo(row.total_s + row.postprocess_cpu_s, 9);
    expect(r.cpu_encodes!.count).toBe(r.requests.completed);
    expect(r.cpu_encodes!.core_hours).toBeCloseTo((r.requests.completed * 16 * row.postprocess_cpu_s) / 3600, 6);
  });
  it('phases: one post-processing phase at the chain\'s per-GPU power, only for a class with a chain', () => {
    const f = writeScenario(SCENARIO('  - { name: dit, replicas: 1, parallel: "ulysses=4,fsdp" }', '{ codec: h264, on: cpu }'));
    const l = loadScenario(f);
    const r = simulate(l.scenario, { locate: l.locate });
    const times = r.estimates![0]!.estimate;
    const list = phaseList({ encode_s: 1, denoise_s: 2, decode_s: 3, postprocess_s: times.stage_split.postprocess_s, postprocess_cpu_s: 0, steps: 2, highSteps: 1, lowSteps: 1, step_s: 1, total_s: 0, transfer_s: { encode: 0, denoise: 0, decode: 0 }, estimate: times, peak_memory_gb: 0, fits: true }, { first: 0, last: 3, gpus: 4, stageServers: 1, twoExperts: true, stepByStep: false, labels: true }, 0);
    const i = list.labels!.findIndex((x) => x.label === 'post-processing');
    expect(list.seconds[i]).toBe(times.stage_split.postprocess_s);
    expect(list.watts[i]).toBe(times.power.per_gpu_w.postprocess);
    const none = phaseList({ encode_s: 1, denoise_s: 2, decode_s: 3, postprocess_s: 0, postprocess_cpu_s: 0, steps: 2, highSteps: 1, lowSteps: 1, step_s: 1, total_s: 0, transfer_s: { encode: 0, denoise: 0, decode: 0 }, estimate: times, peak_memory_gb: 0, fits: true }, { first: 0, last: 3, gpus: 4, stageServers: 1, twoExperts: true, stepByStep: false, labels: true }, 0);
    expect(none.labels!.some((x) => x.label === 'post-processing')).toBe(false);
  });
  it('on another pool: the GPU-seconds move there (decoded frames handed over, NVENC on the L4s)', () => {
    const same = writeScenario(SCENARIO('  - { name: dit, replicas: 2, parallel: "ulysses=4,fsdp" }', '{ codec: h264, on: cpu }', '- { type: hgx-h100-sxm-8, count: 1 }\n    - { type: l4-pcie-8, count: 1 }'));
    const split = writeScenario(SCENARIO('  - { name: dit, replicas: 2, parallel: "ulysses=4,fsdp", stages: [encode, denoise, decode] }\n  - { name: post, node: l4-pcie-8, replicas: 8, stages: [postprocess] }', '{ codec: h264, on: nvenc }', '- { type: hgx-h100-sxm-8, count: 1 }\n    - { type: l4-pcie-8, count: 1 }'));
    const run = (f: string) => {
      const l = loadScenario(f);
      return simulate(l.scenario, { locate: l.locate });
    };
    const a = run(same);
    const b = run(split);
    expect(a.requests.arrived).toBe(b.requests.arrived); // same arrivals
    const busy = (r: typeof a, pool: string) => {
      const p = r.pools.find((x) => x.name === pool)!;
      return p.utilization * p.replicas * p.gpus_per_replica * r.sim_time_s; // busy GPU-seconds
    };
    const ditRowA = a.service_times.find((s) => s.pool === 'dit')!;
    const ditRowB = b.service_times.find((s) => s.pool === 'dit')!;
    const postRow = b.service_times.find((s) => s.pool === 'post')!;
    expect(ditRowB.postprocess_s).toBe(0);
    expect(ditRowA.total_s - ditRowB.total_s).toBeCloseTo(ditRowA.postprocess_s, 9);
    // the DiT pool lost 4 GPUs × the chain's time per video; the L4 pool gained one L4 × its own time per video
    expect(busy(a, 'dit') - busy(b, 'dit')).toBeCloseTo(4 * ditRowA.postprocess_s * a.requests.completed, -1);
    expect(busy(b, 'post')).toBeCloseTo(postRow.postprocess_s * b.pools.find((p) => p.name === 'post')!.served, -1);
    expect(b.handoffs.count).toBe(b.requests.completed * 1);
    expect(b.handoffs.gb).toBeCloseTo((b.requests.completed * 3 * 81 * 832 * 480) / 1e9, 6);
  });
});

describe('bad chains are input errors', () => {
  const issues = (f: string) => {
    try {
      loadScenario(f);
    } catch (e) {
      if (e instanceof InputError) return e.issues;
      throw e;
    }
    return [];
  };
  it('a size or model name that is not known: file:line and did-you-mean', () => {
    const f = writeScenario(SCENARIO('  - { name: dit, replicas: 1, parallel: "ulysses=4,fsdp" }', '{ codec: h264, on: cpu }').replace('to: 1080p, model: realesrgan-x4', 'to: 1080, model: realesrgan-4x'));
    const got = issues(f);
    const size = got.find((i) => i.path === 'workload.mix.0.postprocess.upscale.to')!;
    expect(size.line).toBe(18); // the upscale line of the file
    expect(size.message).toMatch(/did you mean "1080p"/);
    const model = got.find((i) => i.path === 'workload.mix.0.postprocess.upscale.model')!;
    expect(model.hint).toMatch(/realesrgan-x4/);
  });
  it('NVENC on an H100 pool, interpolation below the model\'s fps, a bad preset', () => {
    const f = writeScenario(SCENARIO('  - { name: dit, replicas: 1, parallel: "ulysses=4,fsdp" }', '{ codec: h264, on: nvenc }').replace('fps: 32', 'fps: 12'));
    const got = issues(f);
    expect(got.find((i) => i.path === 'workload.mix.0.postprocess.encode.on')!.message).toMatch(/h100-sxm has no NVENC/);
    expect(got.find((i) => i.path === 'workload.mix.0.postprocess.interpolate.fps')!.message).toMatch(/not above the model's 16 fps/);
    const g = writeScenario(SCENARIO('  - { name: dit, replicas: 1, parallel: "ulysses=4,fsdp" }', '{ codec: h264, on: cpu, preset: mediun }'));
    expect(issues(g).find((i) => i.path === 'workload.mix.0.postprocess.encode.preset')!.message).toMatch(/did you mean "medium"/);
  });
  it('no pool runs the postprocess stage; stages out of order', () => {
    const f = writeScenario(SCENARIO('  - { name: dit, replicas: 1, parallel: "ulysses=4,fsdp", stages: [encode, denoise, decode] }', '{ codec: h264, on: cpu }'));
    expect(issues(f).some((i) => /no pool of model "wan2.2-t2v-a14b" runs the postprocess stage/.test(i.message))).toBe(true);
    const g = writeScenario(SCENARIO('  - { name: dit, replicas: 1, parallel: "ulysses=4,fsdp", stages: [encode, denoise, postprocess] }', '{ codec: h264, on: cpu }'));
    expect(issues(g).some((i) => /consecutive and in order/.test(i.message))).toBe(true);
  });
  it('the CLI: exit 2 with the file and line; estimate --postprocess with did-you-mean', () => {
    const f = writeScenario(SCENARIO('  - { name: dit, replicas: 1, parallel: "ulysses=4,fsdp" }', '{ codec: h264, on: nvenc }'));
    const r = vgsim(['run', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${f}:`);
    expect(r.stderr).toMatch(/no NVENC/);
    const e = vgsim(['estimate', '--model', 'wan2.2-t2v-a14b', '--gpu', 'l4', '--postprocess', 'interpolate=32,upscale=1080p:realesr-animev3']);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/did you mean "realesr-animevideov3"/);
    // a chain's own problem is blamed on --postprocess (it read "--to  postprocess.upscale.to: …")
    const to = vgsim(['estimate', '--model', 'wan2.2-t2v-a14b', '--gpu', 'l4', '--postprocess', 'upscale=99999x99999']);
    expect(to.code).toBe(2);
    expect(to.stderr).toMatch(/^--postprocess {2}postprocess\.upscale\.to: 99999x99999 is more than 4×/m);
  });
  it('estimate --postprocess has the scenario\'s bounds: interpolate at most 240 fps, an upscale size with no side of 0', () => {
    // interpolate=1e9 priced 15,645 h of RIFE; upscale=1920x0 was priced and reported as the output size
    expect(() => parsePostprocessFlag('interpolate=1000000000')).toThrow(/interpolate= expects a target frame rate from 1 to 240 fps/);
    expect(() => parsePostprocessFlag('interpolate=241')).toThrow(UsageError);
    expect(parsePostprocessFlag('interpolate=240').interpolate?.fps).toBe(240);
    expect(() => parsePostprocessFlag('upscale=1920x0')).toThrow(/upscale size expects .* or WIDTHxHEIGHT, got "1920x0"/);
    const scenario = PostprocessSchema.safeParse({ interpolate: { fps: 241 } });
    expect(scenario.success).toBe(false);
  });
});

it('serviceOf gives a class without a chain no post-processing time', () => {
  const l = loadScenario('scenarios/default.yaml');
  const r = simulate({ ...l.scenario, duration: 600 }, { locate: l.locate });
  expect(r.service_times.every((s) => s.postprocess_s === 0 && s.postprocess_cpu_s === 0 && !s.stages.includes('postprocess'))).toBe(true);
  expect(r.cpu_encodes).toBeUndefined();
  expect(typeof serviceOf).toBe('function');
});
