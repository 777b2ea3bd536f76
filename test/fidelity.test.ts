/**
 * Fidelity on the hardware people compare: the official launch lines, the Wan2.2 table, host paths,
 * weight dtypes, fp32 matmuls and FSDP memory, each checked against hand calculations or the table.
 */
import { describe, it, expect } from 'vitest';
import { parseOfficialFlags } from '../src/parallel/official-flags.ts';
import { formatPlan } from '../src/parallel/plan.ts';
import { comparePublished, loadPublishedTable, summarize, GIB } from '../src/perf/published.ts';
import { estimate } from '../src/perf/estimate.ts';
import { getModel } from '../src/workload/request.ts';
import { moduleToCpuGBs, FIRST_TOUCH_S_PER_BYTE } from '../src/hardware/host-memory.ts';
import { embeddingBytes } from '../src/workload/dit.ts';
import { asWan } from '../src/workload/models.ts';
import { InputError } from '../src/errors.ts';
import { builtinProfile } from '../src/perf/profile.ts';

describe('official launch lines → vgsim terms', () => {
  it('maps every configuration of the Wan2.2 table footnote, the 5B multi-GPU offload path included', () => {
    const a = parseOfficialFlags('torchrun --nproc_per_node=8 generate.py --task t2v-A14B --size 1280*720 --ckpt_dir ./c --ulysses_size 8 --dit_fsdp --t5_fsdp');
    expect([a.model, a.gpus, formatPlan(a.plan), a.weightDtype]).toEqual(['wan2.2-t2v-a14b', 8, 'ulysses=8,fsdp,t5=fsdp', 'fp32']);
    expect(a.request).toMatchObject({ width: 1280, height: 720 });
    const b = parseOfficialFlags('python generate.py --task t2v-A14B --size 832*480 --offload_model True --convert_model_dtype');
    expect([b.gpus, formatPlan(b.plan), b.weightDtype]).toEqual([1, 'offload', 'bf16']);
    const c = parseOfficialFlags('torchrun --nproc_per_node=4 generate.py --task ti2v-5B --size 1280*704 --ulysses_size 4 --offload_model True --convert_model_dtype --t5_cpu --image x.jpg');
    expect([c.model, formatPlan(c.plan), c.weightDtype, c.request.image]).toEqual(['wan2.2-ti2v-5b', 'ulysses=4,offload,t5=cpu', 'bf16', true]);
    // offload defaults to True on one process (generate.py), and Wan2.1 code keeps the fp32 checkpoint
    const d = parseOfficialFlags('python generate.py --task t2v-1.3B --size 832*480 --t5_cpu');
    expect([d.model, formatPlan(d.plan), d.weightDtype]).toEqual(['wan2.1-t2v-1.3b', 'offload,t5=cpu', 'fp32']);
    // the 5B multi-GPU offload line estimates (it used to be rejected)
    expect(() => estimate({ model: getModel(c.model), gpu: 'rtx4090', gpus: c.gpus, plan: c.plan, request: c.request })).not.toThrow();
  });

  it('refuses what generate.py refuses, with the reason', () => {
    const err = (line: string) => {
      try {
        parseOfficialFlags(line);
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        return (e as InputError).issues.map((i) => i.message).join(' | ');
      }
      throw new Error('accepted');
    };
    expect(err('python generate.py --task t2v-A14B --dit_fsdp')).toMatch(/non-distributed/);
    expect(err('torchrun --nproc_per_node=8 generate.py --task t2v-A14B --ulysses_size 4')).toMatch(/must equal the world size/);
    expect(err('python generate.py --task t2v-A14B --ring_size 2')).toMatch(/Wan2\.1 code/);
    expect(err('python generate.py --task t2v-14B --convert_model_dtype')).toMatch(/only in the Wan2\.2 code/);
    expect(err('python generate.py --task t2v-A14B --sise 1280*720')).toMatch(/unknown generate\.py flag --sise/);
    expect(err('python generate.py --task t3v-A14B')).toMatch(/not modelled/);
  });
});

describe('the official Wan2.2 table (calibration data), every cell through estimate()', () => {
  const table = loadPublishedTable('calibration/published/wan22-comp-effic.json');
  const rows = comparePublished(table);
  const s = summarize(rows);

  it('covers every row at 1, 4 and 8 GPUs: 42 cases', () => {
    expect(rows.length).toBe(42);
    expect(new Set(rows.map((r) => r.gpus))).toEqual(new Set([1, 4, 8]));
  });

  it('meets the targets: time median |error| ≤ 7%, max ≤ 15%; peak memory median ≤ 3%, max ≤ 8%', () => {
    expect(s.time.median).toBeLessThanOrEqual(0.07);
    expect(s.time.max).toBeLessThanOrEqual(0.15);
    expect(s.memory.median).toBeLessThanOrEqual(0.03);
    expect(s.memory.max).toBeLessThanOrEqual(0.08);
    for (const [gpu, g] of Object.entries(s.byGpu)) expect(g.time.max, gpu).toBeLessThanOrEqual(0.15);
  });

  it('the table is consistent with TF32 fp32 matmuls, not PyTorch\'s IEEE default (8-GPU rows spend a fifth of their time in the per-token time projection)', () => {
    const ieee = summarize(comparePublished(table, { fp32Matmul: 'ieee' }));
    expect(ieee.time.max).toBeGreaterThan(0.25);
    expect(ieee.time.median).toBeGreaterThan(s.time.median);
  });

  it('its "GB" are GiB: read as 1e9 bytes the single-GPU 720P memory would be 7% off', () => {
    const r = rows.find((x) => x.task === 't2v-A14B' && x.gpu === 'h100-sxm' && x.gpus === 1 && x.size === '1280*720')!;
    expect(Math.abs(r.memory_error)).toBeLessThan(0.03);
    expect(Math.abs((r.vgsim_gib * GIB) / 1e9 / r.published_gib - 1)).toBeGreaterThan(0.05);
  });
});

describe('host paths', () => {
  it('first touch of fresh host pages explains the calibration VM\'s slow module.to(\'cpu\'): 1.44 GB/s from 12.2 GB/s pageable D2H', () => {
    expect(moduleToCpuGBs(12.2, { pages: 'small-vm' })).toBeCloseTo(1.44, 1);
    expect(moduleToCpuGBs(12.2, { pages: 'huge' })).toBeGreaterThan(4 * moduleToCpuGBs(12.2, { pages: 'small-vm' }));
    // huge pages: one 183 µs zeroing per 2 MiB
    expect(FIRST_TOUCH_S_PER_BYTE.huge * 2 ** 21).toBeCloseTo(183e-6, 12);
  });

  it('the offload path on a VM host pays ~35 s more per A14B video than on bare metal with huge pages', () => {
    const model = getModel('wan2.2-t2v-a14b');
    const run = (pages: 'huge' | 'small-vm') => estimate({ model, gpu: 'h100-sxm', request: { width: 832, height: 480 }, options: { offload: true }, device: { host: { memory: { pages } } } }).transfer_s;
    const extra = run('small-vm') - run('huge');
    // 68.6 GB moved off the GPU per video (umT5, both experts) at 1.44 vs 5.4 GB/s
    const d2h = 11.4e9 + 2 * 28.58e9;
    expect(extra).toBeCloseTo(d2h / (moduleToCpuGBs(12.2, { pages: 'small-vm' }) * 1e9) - d2h / (moduleToCpuGBs(12.2, { pages: 'huge' }) * 1e9), 0);
    expect(extra).toBeGreaterThan(30);
  });
});

describe('weights, fp32 matmuls and FSDP as the official code runs them', () => {
  const a14b = asWan(getModel('wan2.2-t2v-a14b'));
  it('an fp32 checkpoint kept on the GPU doubles the DiT weights and adds a bf16 cast per linear layer', () => {
    const bf16 = estimate({ model: a14b, gpu: 'h100-sxm', request: { width: 832, height: 480 }, options: { offload: true, weightDtype: 'bf16' } });
    const fp32 = estimate({ model: a14b, gpu: 'h100-sxm', request: { width: 832, height: 480 }, options: { offload: true, weightDtype: 'fp32' } });
    const w = (e: typeof bf16) => e.memory.phases.find((p) => p.phase === 'denoise')!.breakdown_gb.dit_weights!;
    expect(w(fp32) / w(bf16)).toBeCloseTo(2, 2);
    expect(fp32.forward_s).toBeGreaterThan(bf16.forward_s);
    // the casts read 4 and write 2 bytes per weight per forward: a few hundredths of a second on an H100
    expect(fp32.forward_s - bf16.forward_s).toBeLessThan(0.1);
  });

  it('Wan2.1 models default to the fp32 checkpoint (their generate.py has no --convert_model_dtype)', () => {
    const w21 = estimate({ model: getModel('wan2.1-t2v-14b'), gpu: 'h100-sxm', request: { width: 832, height: 480 }, options: { offload: true } });
    expect(w21.memory.phases.find((p) => p.phase === 'denoise')!.breakdown_gb.dit_weights).toBeCloseTo(57.2, 0);
  });

  it('TF32 prices the per-token time projection at the profile\'s measured TF32 rate', () => {
    const run = (fp32Matmul: 'ieee' | 'tf32') => estimate({ model: a14b, gpu: 'h100-sxm', gpus: 8, plan: { ...parseOfficial8().plan }, request: { width: 832, height: 480 }, options: { fp32Matmul } }).ops.find((o) => o.name === 'time_projection')!;
    const p = builtinProfile('h100-sxm')!;
    const ratio = p.gemmTflops('tf32', 32760, 30720, 5120)! / p.gemmTflops('fp32', 32760, 30720, 5120)!;
    expect(run('ieee').seconds / run('tf32').seconds).toBeCloseTo(ratio, 1);
  });

  it('FSDP keeps the root units\' parameters gathered: both experts\' embeddings and umT5\'s token embedding, in bf16', () => {
    const run = parseOfficial8();
    const e = estimate({ model: a14b, gpu: 'h100-sxm', gpus: 8, plan: run.plan, request: { width: 832, height: 480 } });
    const denoise = e.memory.phases.find((p) => p.phase === 'denoise')!.breakdown_gb;
    expect(denoise.fsdp_unsharded_roots).toBeCloseTo((2 * embeddingBytes(a14b.dit, 2)) / 1e9, 2);
    const t5 = a14b.textEncoder;
    expect(denoise.text_encoder_weights).toBeCloseTo(((t5.blockParams + t5.embeddingParams) * 2 / 8 + t5.embeddingParams * 2 * (7 / 8)) / 1e9, 2);
  });
});

function parseOfficial8() {
  return parseOfficialFlags('torchrun --nproc_per_node=8 generate.py --task t2v-A14B --size 832*480 --ulysses_size 8 --dit_fsdp --t5_fsdp');
}
