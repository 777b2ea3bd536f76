/**
 * Serving engines and accelerations (issue 15): each knob changes the operators the way its mechanism says,
 * MagCache's schedule reproduces the research notes' independent computation, unsupported combinations are
 * input errors with the reason, and the held-out published timings stay where they are.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { estimate, DEFAULT_INFERENCE } from '../src/perf/estimate.ts';
import { setupEstimate } from '../src/perf/estimate-setup.ts';
import { schedulerOps } from '../src/perf/denoise-cost.ts';
import { getModel } from '../src/workload/request.ts';
import { parsePlan } from '../src/parallel/plan.ts';
import { buildDitForward } from '../src/workload/dit.ts';
import { buildVaeEncode } from '../src/workload/vae-encode.ts';
import { asWan } from '../src/workload/models.ts';
import { InputError } from '../src/errors.ts';
import { MAG_RATIOS } from '../src/engines/magcache-ratios.ts';
import { magcacheComputed, parseCache } from '../src/engines/step-cache.ts';
import { radialDensity } from '../src/engines/sparse-attention.ts';
import { deriveTeacache, renderTeacacheTable } from '../src/perf/teacache-derive.ts';
import { compareEngines, loadEngineValidation, summarizeEngines } from '../src/perf/engine-validation.ts';
import { searchPlans } from '../src/studies/plan-search.ts';
import { listing } from '../src/api/catalog.ts';
import { METRICS } from '../src/sweep/metrics.ts';
import { vgsim } from './support/cli.ts';

const i2v = getModel('wan2.1-i2v-14b');
const base = { model: i2v, gpu: 'h100-sxm', request: { width: 832, height: 480, frames: 81, steps: 40 } };
const opNames = (e: ReturnType<typeof estimate>) => e.forwardOps!.forward.map((o) => o.name);

describe('engines: the DiT block each runtime builds', () => {
  it('the official engine named explicitly is the default estimate, which names it and no acceleration', () => {
    const d = estimate({ ...base, request: { ...base.request } });
    const o = estimate({ ...base, options: { engine: 'official' } });
    expect(o.total_s).toBe(d.total_s);
    expect(d.engine).toBe('official');
    expect(d.accelerations).toEqual([]);
    expect(d.step_cache).toBeNull();
  });

  it('the official engine on Hopper says its FA3 default needs flash_attn_interface; FA2 as asked, or on an A100, says nothing', () => {
    const fa3Note = (e: ReturnType<typeof estimate>) => e.warnings.some((w) => /; in the official code on Hopper FlashAttention-3 is taken when flash_attn_interface is built .* --attention fa2/.test(w));
    expect(fa3Note(estimate(base))).toBe(true);
    // one FA3 warning, not two: how its rate is priced and what a stock install runs, in one line
    expect(estimate(base).warnings.filter((w) => /FlashAttention-3/.test(w))).toEqual([expect.stringMatching(/^FlashAttention-3 is not measured here: .*; in the official code on Hopper FlashAttention-3 is taken when/)]);
    expect(fa3Note(estimate({ ...base, options: { attention: 'fa2' } }))).toBe(false);
    expect(fa3Note(estimate({ ...base, options: { attention: 'fa3' } }))).toBe(false);
    expect(fa3Note(estimate({ ...base, gpu: 'a100-sxm-80g', options: { offload: true } }))).toBe(false);
  });

  it('diffusers: a bf16 residual stream entered and left with casts; SGLang: one fused pass per norm site', () => {
    const dit = asWan(getModel('wan2.1-t2v-14b')).dit;
    const opts = { tokens: 32760, batch: 1, kernel: 'fa3' as const, linearDtype: 'bf16' as const, fused: false, ulysses: 1, ring: 1, tp: 1, weightsResident: false };
    const names = (style: 'official' | 'diffusers' | 'sglang') => buildDitForward(dit, { ...opts, style }).builder.ops.filter((o) => o.group === 'block').map((o) => o.name);
    const off = names('official');
    const dif = names('diffusers');
    const sgl = names('sglang');
    expect(off).toContain('self_attn.q.cast_in'); // autocast casts each linear's fp32 input
    expect(dif).not.toContain('self_attn.q.cast_in');
    expect(dif).toEqual(expect.arrayContaining(['norm1_modulate.to_fp32', 'norm1_modulate.type_as', 'self_attn.residual.x_to_fp32', 'ffn.residual.y_to_fp32']));
    expect(sgl).toEqual(expect.arrayContaining(['self_attn.norm_qk_fused', 'self_attn.rope_qk_flashinfer', 'self_attn.residual', 'cross_attn.residual_norm2_modulate']));
    expect(sgl).not.toContain('norm3'); // produced by the fused residual kernel
    // residual stream bytes: fp32 (official) vs bf16 (engines), hand-computed for one [L, d] activation
    const peak = (style: 'official' | 'sglang') => buildDitForward(dit, { ...opts, style }).builder.peakMemory().byCategory.residual;
    expect(peak('official')).toBe(32760 * 5120 * 4);
    expect(peak('sglang')).toBe(32760 * 5120 * 2);
  });

  it('per-token FP8 quantisation reads the bf16 activation once and writes fp8 plus one fp32 scale per row', () => {
    const e = estimate({ ...base, options: { engine: 'lightx2v', dtype: 'fp8' } });
    const q = e.forwardOps!.forward.find((o) => o.name === 'self_attn.q.quantize_per_token')!;
    expect(q.bytes / q.count).toBe(32760 * 5120 * (2 + 1) + 32760 * 4); // per layer
    expect(e.forwardOps!.forward.find((o) => o.name === 'self_attn.q')!.shape).toMatch(/fp8$/);
  });

  it('SageAttention pays a V padding copy exactly when the sequence is not a multiple of 128 tokens', () => {
    const dit = asWan(getModel('wan2.1-t2v-14b')).dit;
    const has = (tokens: number) => buildDitForward(dit, { tokens, batch: 1, kernel: 'sage2', linearDtype: 'bf16', fused: false, ulysses: 1, ring: 1, tp: 1, weightsResident: false, style: 'lightx2v' }).builder.ops.some((o) => o.name === 'self_attn.attention.sage_pad_v');
    expect(32760 % 128).not.toBe(0);
    expect(has(32760)).toBe(true);
    expect(has(32768)).toBe(false);
  });

  it('sage2 is faster than FA3 per call at Wan lengths, but its input passes cost something', () => {
    const fa3 = estimate({ ...base, options: { engine: 'lightx2v' } });
    const sage = estimate({ ...base, options: { engine: 'lightx2v', attention: 'sage2' } });
    expect(sage.forward_s).toBeLessThan(fa3.forward_s);
    const passes = sage.forwardOps!.forward.filter((o) => o.name.includes('.sage_')).reduce((a, o) => a + o.seconds, 0);
    expect(passes).toBeGreaterThan(0);
    expect(sage.warnings.join(' ')).toMatch(/sage2: its rate is vgsim's cuDNN rate × 1\.\d+, SageAttention's own SM90 kernel measured on an H100 SXM/);
    // measured on this GPU: not flagged; on an H200 scaled, so flagged
    expect(sage.accelerations.find((a) => a.knob === 'attention')).toMatchObject({ value: 'sage2', extrapolated: false });
    const h200 = estimate({ ...base, gpu: 'h200', options: { engine: 'lightx2v', attention: 'sage2' } });
    expect(h200.accelerations.find((a) => a.knob === 'attention')).toMatchObject({ value: 'sage2', extrapolated: true });
    expect(h200.warnings.join(' ')).toMatch(/scaled with vgsim's cuDNN rate, not measured on it; its input kernels at their rates measured on the H100 SXM, carried as a copy share \(memory bandwidth\) and an SM-bound share \(SM count\)/);
  });

  it('compile (inductor) runs fewer kernels than the same engine eager; the official engine keeps its idealisation', () => {
    const kernels = (e: ReturnType<typeof estimate>) => e.forwardOps!.forward.filter((o) => o.kind === 'elementwise').length;
    const eager = estimate({ ...base, options: { engine: 'diffusers' } });
    const comp = estimate({ ...base, options: { engine: 'diffusers', compile: true } });
    expect(kernels(comp)).toBeLessThan(kernels(eager));
    expect(comp.forward_s).toBeLessThan(eager.forward_s);
    expect(estimate({ ...base, options: { compile: true } }).warnings.join(' ')).toMatch(/idealisation/);
  });
});

describe('engines: step caches, distills and VAE variants', () => {
  it('MagCache: the published rule on the published tables gives the research notes\' schedules', () => {
    // forwards computed, reproduced independently in the issue-15 research notes (numpy on the same tables)
    const cases: [string, number, number, number, number, number][] = [
      ['wan2.1-t2v-1.3b', 50, 0.12, 2, 0.2, 50], ['wan2.1-t2v-1.3b', 50, 0.12, 4, 0.2, 42], ['wan2.1-t2v-14b', 50, 0.24, 6, 0.2, 36],
      ['wan2.1-t2v-14b', 50, 0.12, 4, 0.2, 42], ['wan2.1-t2v-14b', 50, 0.12, 2, 0.2, 50], ['wan2.1-t2v-14b', 50, 0.06, 2, 0.2, 56],
      ['wan2.1-i2v-14b-480p', 40, 0.12, 4, 0.2, 34], ['wan2.1-i2v-14b-480p', 40, 0.24, 6, 0.2, 30], ['wan2.1-i2v-14b-720p', 40, 0.24, 6, 0.2, 28], ['wan2.1-i2v-14b-720p', 40, 0.12, 4, 0.2, 34],
    ];
    for (const [key, steps, threshold, k, retention, computed] of cases) {
      const t = MAG_RATIOS[key]!;
      expect(magcacheComputed(t.ratios, t.steps, steps, 2, { threshold, k, retention }).filter(Boolean).length, key).toBe(computed);
    }
  });

  it('MagCache\'s first release (2025-06-09) read the ratio table from the retention start: more skips, as its README timings ran', () => {
    // forwards computed by a Python transcription of Zehong-Ma/MagCache@8a2fcbf:MagCache4Wan2.1/magcache_generate.py:635-652
    // on that commit's own tables (identical to today's), run 2026-12-06
    const cases: [string, number, number, number, number][] = [
      ['wan2.1-t2v-14b', 50, 0.24, 6, 32], ['wan2.1-t2v-1.3b', 50, 0.12, 2, 46], ['wan2.1-t2v-1.3b', 50, 0.12, 4, 36],
      ['wan2.1-i2v-14b-480p', 40, 0.12, 4, 30], ['wan2.1-i2v-14b-480p', 40, 0.24, 6, 26], ['wan2.1-i2v-14b-720p', 40, 0.24, 6, 26],
    ];
    for (const [key, steps, threshold, k, computed] of cases) {
      const t = MAG_RATIOS[key]!;
      expect(magcacheComputed(t.ratios, t.steps, steps, 2, { threshold, k, retention: 0.2, first: true }).filter(Boolean).length, key).toBe(computed);
    }
    expect(parseCache('magcache:E012K4R02,first')).toEqual({ method: 'magcache', threshold: 0.12, k: 4, retention: 0.2, first: true });
    expect(parseCache('magcache:0.12,K=4,first')).toMatchObject({ threshold: 0.12, k: 4, first: true });
    const e = estimate({ model: getModel('wan2.1-t2v-1.3b'), gpu: 'h100-sxm', request: { width: 832, height: 480 }, options: { cache: parseCache('magcache:E012K4R02,first') } });
    expect(e.step_cache).toEqual({ method: 'magcache', forwards: 100, computed: 36, basis: 'rule' });
    expect(() => estimate({ model: getModel('wan2.2-t2v-a14b'), gpu: 'h100-sxm', options: { cache: parseCache('magcache:0.04,first') } })).toThrow(/first MagCache release/);
  });

  it('a MagCache estimate skips forwards, holds the cached residuals, and shows the published quality', () => {
    const t2v = { model: getModel('wan2.1-t2v-14b'), gpu: 'h100-sxm', request: { width: 1280, height: 720 } };
    const plain = estimate(t2v);
    const e = estimate({ ...t2v, options: { cache: parseCache('magcache:E024K6R02') } });
    expect(e.step_cache).toEqual({ method: 'magcache', forwards: 100, computed: 36, basis: 'rule' });
    expect(e.denoise_s).toBeLessThan(0.45 * plain.denoise_s);
    expect(e.denoise_s).toBeGreaterThan(0.36 * plain.denoise_s); // skipped forwards still run embeddings and head
    const denoise = e.memory.phases.find((p) => p.phase === 'denoise')!;
    expect(denoise.breakdown_gb.step_cache).toBeCloseTo((2 * 75600 * 5120 * 4) / 1e9, 2); // one fp32 residual per CFG branch
    expect(e.quality.map((q) => q.value)).toEqual([24.39, 21.82]);
  });

  it('TeaCache: its table is derived from the published README rows (current), and it refuses thresholds beyond them', () => {
    const data = JSON.parse(readFileSync('calibration/published/teacache-wan21.json', 'utf8'));
    expect(readFileSync('src/engines/teacache-table.ts', 'utf8')).toBe(renderTeacacheTable(deriveTeacache(data.runs, data.source)));
    const e = estimate({ ...base, options: { cache: parseCache('teacache:0.2') } });
    expect(e.step_cache!.basis).toBe('published');
    expect(() => estimate({ ...base, options: { cache: parseCache('teacache:0.9') } })).toThrow(InputError);
    expect(() => estimate({ model: getModel('wan2.2-t2v-a14b'), gpu: 'h100-sxm', options: { cache: parseCache('teacache:0.2') } })).toThrow(/no schedule|Wan2.1/);
  });

  it('a distill fixes steps and CFG (one forward per step) and says so when asked for other steps', () => {
    const e = estimate({ ...base, options: { engine: 'lightx2v', distill: 'lightx2v-4step' } });
    expect(e.request.steps).toBe(4);
    expect(e.request.cfg).toBe(false);
    expect(e.step_s).toBeCloseTo(e.forward_s, 1);
    expect(e.warnings.join(' ')).toMatch(/runs 4 steps, not the 40 asked for/);
  });

  it('bf16 halves the VAE decode\'s activation bytes; tiling decodes the overlaps twice; the tiny VAE is far cheaper', () => {
    const fp32 = estimate({ ...base, options: { engine: 'sglang' } });
    const bf16 = estimate({ ...base, options: { engine: 'sglang', vae: { dtype: 'bf16' } } });
    const tiled = estimate({ ...base, options: { engine: 'sglang', vae: { tiled: true } } });
    const tiny = estimate({ ...base, options: { engine: 'lightx2v', vae: { decoder: 'tiny' } } });
    expect(bf16.vae_decode_s).toBeLessThan(fp32.vae_decode_s);
    expect(tiled.vae_decode_s).toBeGreaterThan(fp32.vae_decode_s);
    const peak = (e: typeof fp32) => e.memory.phases.find((p) => p.phase === 'vae_decode')!.peak_gb;
    expect(peak(tiled)).toBeLessThan(peak(fp32));
    expect(tiny.vae_decode_s).toBeLessThan(bf16.vae_decode_s / 5);
  });

  it('a tiled VAE tiles the image-to-video encode too: the conv work follows the tiles\' area, the working set one tile', () => {
    // LightX2V@a10e7462 vae.py tiled_encode: 256-px tiles every 192 px. 832×480: rows at 0, 192, 384 (256, 256, 96 px),
    // columns at 0, 192, 384, 576, 768 (256, 256, 256, 256, 64 px): (256+256+96)·(4·256+64) = 608·1088 px against 480·832
    const area = (608 * 1088) / (480 * 832);
    const whole = buildVaeEncode(asWan(getModel('wan2.1-i2v-14b')).vae, { frames: 81, height: 480, width: 832, tf32: true });
    const tiled = buildVaeEncode(asWan(getModel('wan2.1-i2v-14b')).vae, { frames: 81, height: 480, width: 832, tf32: true, tiling: { tile: 256, stride: 192 } });
    const convFlops = (b: typeof whole) => b.ops.filter((o) => o.kind === 'conv').reduce((a, o) => {
      const c = o as { cin: number; cout: number; kernel: number[]; out: number[]; count?: number };
      return a + 2 * c.cin * c.cout * c.kernel.reduce((x, y) => x * y, 1) * c.out.reduce((x, y) => x * y, 1) * (c.count ?? 1);
    }, 0);
    expect(convFlops(tiled) / convFlops(whole)).toBeCloseTo(area, 6);
    const peak = (b: typeof whole) => b.peakMemory().byCategory['vae_activations'] ?? 0;
    expect(peak(tiled)).toBeLessThan(peak(whole));
    // through an engine: LightX2V's tiled 480p I2V encode against its untiled one
    const lx = (tiled: boolean) => estimate({ ...base, options: { engine: 'lightx2v', vae: { dtype: 'bf16', tiled } } });
    const enc = (e: ReturnType<typeof lx>) => e.stages.find((s) => s.name === 'vae_encode')!.seconds_total;
    // at least the tiles' area; more in eager PyTorch, where each tile's chunk walk launches its own kernels
    expect(enc(lx(true)) / enc(lx(false))).toBeGreaterThan(area * 0.95);
    expect(lx(true).stages.find((s) => s.name === 'vae_encode')!.detail).toMatch(/bf16, tiled \(256-px tiles every 192\)/);
  });

  it('radial attention\'s density follows its mask rule: dense up to two frames, sparser for longer videos and smaller decay', () => {
    expect(radialDensity(2, 3600, 0.2)).toBe(1);
    expect(radialDensity(21, 3600, 0.2)).toBeLessThan(radialDensity(11, 3600, 0.2));
    expect(radialDensity(21, 3600, 0.2)).toBeLessThan(radialDensity(21, 3600, 1));
  });
});

describe('engines: what a runtime does not run is bad input', () => {
  it('an unsupported layout, cache or kernel is an InputError with the reason and who supports it', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as InputError;
      }
      throw new Error('no error');
    };
    const e = err(() => estimate({ ...base, gpus: 2, plan: parsePlan('ulysses=2,fsdp'), options: { engine: 'diffusers', cache: parseCache('teacache:0.2') } }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.issues.map((i) => i.path).sort()).toEqual(['cache', 'parallel']);
    expect(e.issues.find((i) => i.path === 'cache')!.hint).toMatch(/engines that do: official, sglang, lightx2v/);
    expect(err(() => estimate({ ...base, options: { engine: 'vllm-omni', compile: true } })).issues[0]!.message).toMatch(/no torch.compile/);
    expect(err(() => estimate({ ...base, options: { engine: 'xdit', distill: 'fastwan-3step' } })).issues[0]!.message).toMatch(/exists for/);
  });

  it('the CLI exits 2 with the reason; vgsim list engines lists every engine with its source', () => {
    const r = vgsim(['estimate', '--model', 'wan2.2-t2v-a14b', '--gpu', 'h100-sxm', '--engine', 'diffusers', '--attention', 'fa3-fp8']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/diffusers WanPipeline has no fa3-fp8 attention backend/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const l = listing('engines');
    expect(l.rows.map((x) => x[0])).toEqual(['official', 'diffusers', 'xdit', 'sglang', 'lightx2v', 'lightx2v-2507', 'fastvideo', 'cache-dit', 'vllm-omni']);
    expect(l.rows.every((x) => /@[0-9a-f]{7}|commits named/.test(String(x[x.length - 1])))).toBe(true);
    // the kernel an engine's code swaps in on Ada is part of its attention column
    expect(l.rows.filter((x) => /sage2→sage1 on Ada/.test(String(x[2]))).map((x) => x[0])).toEqual(['lightx2v', 'lightx2v-2507']);
    // umT5's precision, the default starred where there is a choice: FastVideo builds it in fp32
    const umt5 = l.headers.indexOf('umT5');
    expect(l.rows.find((x) => x[0] === 'fastvideo')![umt5]).toBe('fp32*,bf16');
    expect(l.rows.find((x) => x[0] === 'official')![umt5]).toBe('bf16');
    // what each keeps off the GPU by default (EngineProfile.residency, priced in perf/engine-residency.ts)
    const off = l.headers.indexOf('off the GPU by default');
    expect(l.rows.find((x) => x[0] === 'fastvideo')![off]).toBe('DiT streamed,umT5 streamed,image encoder moved,VAE moved');
    expect(l.rows.find((x) => x[0] === 'sglang')![off]).toBe('umT5 streamed');
    expect(l.rows.find((x) => x[0] === 'official')![off]).toBe('-');
  });

  it('plan offers only the layouts the engine runs', () => {
    const rows = searchPlans({ model: getModel('wan2.2-t2v-a14b'), gpu: 'h100-sxm', budget: 4, request: { width: 832, height: 480 }, options: { engine: 'diffusers' } });
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.parallel).toMatch(/^(none|ulysses=\d|ring=\d|ulysses=\d,ring=\d|offload)$/);
  });

  it('a scenario pool\'s engine is checked against its layout at the file:line of the pool', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-eng-'));
    const file = join(dir, 's.yaml');
    writeFileSync(file, ['name: t', 'model: wan2.2-t2v-a14b', 'cluster:', '  nodes: [{ type: hgx-h100-sxm-8, count: 1 }]', 'deployment:', '  engine: vllm-omni', '  parallel: ulysses=8', 'workload:', '  arrivals: { process: poisson, rate_per_hour: 1 }', ''].join('\n'));
    const r = vgsim(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/s\.yaml:7:\d+ +deployment\.parallel: vLLM-Omni does not run ulysses/);
  });

  it('a sweep records whether a point changes the video and its published quality', () => {
    expect(METRICS.map((m) => m.key)).toEqual(expect.arrayContaining(['approximate_pools', 'quality_psnr_db']));
  });
});

describe('engines: CFG-parallel as each runtime combines the branches', () => {
  const run = (engine: string) => estimate({
    model: getModel('wan2.1-t2v-1.3b'), gpu: 'h100-sxm', gpus: 2, plan: parsePlan('cfg=2'),
    request: { width: 848, height: 480, frames: 17, steps: 50, cfg: true }, options: { engine },
  });
  it('SGLang: each rank scales its bf16 prediction and one all-reduce sums the branches (no gather, no combine)', () => {
    const e = run('sglang');
    // latent 16 channels x (17 - 1) / 4 + 1 = 5 frames x 480 / 8 = 60 x 848 / 8 = 106, bf16
    const predBytes = 16 * 5 * 60 * 106 * 2;
    expect(e.collectives.map((c) => [c.name, c.collective, c.bytes, c.calls_per_request])).toEqual([['cfg.allreduce_prediction', 'allreduce', predBytes, 50]]);
    const s = setupEstimate({
      model: getModel('wan2.1-t2v-1.3b'), gpu: 'h100-sxm', gpus: 2, plan: parsePlan('cfg=2'),
      request: { width: 848, height: 480, frames: 17, steps: 50, cfg: true }, options: { engine: 'sglang' },
    }, DEFAULT_INFERENCE);
    const sched = schedulerOps(s, predBytes * 2); // fp32 latents
    expect(sched.map((o) => o.name)).toEqual(['cfg.scale_branch', 'cfg.allreduce_prediction', 'unipc_update']);
    expect(sched[0]).toMatchObject({ kind: 'elementwise', bytes: 2 * predBytes, kernels: 1 }); // read + write the bf16 prediction
  });
  it('the official what-if keeps the gathered fp32 predictions and the combine', () => {
    const e = run('official');
    expect(e.collectives.map((c) => [c.name, c.bytes])).toEqual([['cfg.allgather_prediction', 2 * 16 * 5 * 60 * 106 * 4]]);
  });
});

describe('engines: held-out published timings (npm run validate:engines)', () => {
  const file = loadEngineValidation('calibration/published/engines-e2e.json');
  const rows = compareEngines(file.rows);
  const all = summarizeEngines(rows);
  it('the whole set: median |error| under 10%, nine rows in ten within 25% (today 6.6%, 70 of 75)', () => {
    expect(all.n).toBe(75);
    expect(all.median).toBeLessThan(0.10);
    expect(all.within25).toBeGreaterThanOrEqual(60);
    expect(all.within10).toBeGreaterThanOrEqual(36);
  });
  it('SGLang\'s H100 CI runs of the 1.3B, with the shape its harness asks for (24 frames at 832x480: 6 latent frames), eight months apart: within 5% each', () => {
    // 848x480 and ~17 frames, the shape these rows assumed before the harness's code was read, priced the same
    // runs 19% fast; the shape comes from the server's defaults, not from the error (engines-e2e.json notes)
    for (const id of ['sgl-ci-13b', 'sgl26-13b', 'sgl26-13b-cfgp']) {
      const r = rows.find((x) => x.id === id)!;
      expect(Math.abs(r.error), id).toBeLessThan(0.05);
    }
    const old = file.rows.find((r) => r.id === 'sgl-ci-13b')!;
    expect([old.resolution, old.frames]).toEqual(['832x480', 21]);
  });
  it('rows whose every setting is published: median under 8% (today 4.4%)', () => {
    expect(summarizeEngines(rows.filter((r) => r.confidence === 'stated')).median).toBeLessThan(0.08);
  });
  it('the official-path rows stay within 25% each (Morphic\'s 8×H100 steps within 3%)', () => {
    for (const r of rows.filter((x) => x.engine === 'official')) expect(Math.abs(r.error), r.id).toBeLessThan(0.25);
    for (const r of rows.filter((x) => x.id.startsWith('mo-'))) expect(Math.abs(r.error), r.id).toBeLessThan(0.03);
  });
  it('FastWan\'s eager vs compiled pairs (not fitted) within 15% but the 5B compiled one, and compile is faster in each', () => {
    // fw-5b-dmd-fa3-c (+26%): its script streams the 5B's DiT (FastVideo's defaults), and FSDP2's whole copy (0.55 s
    // over three forwards; compiled FSDP2 measured not to overlap either) does not fit the blog's 2.64 s beside vgsim's
    // compiled compute (README, where it falls short)
    for (const r of rows.filter((x) => /^fw-(14b|13b|5b)-dmd-fa3(-c)?$/.test(x.id) && x.id !== 'fw-5b-dmd-fa3-c')) expect(Math.abs(r.error), r.id).toBeLessThan(0.15);
    expect(rows.find((x) => x.id === 'fw-5b-dmd-fa3-c')!.error).toBeLessThan(0.30);
    const v = (id: string) => rows.find((r) => r.id === id)!.vgsim;
    for (const m of ['14b', '13b', '5b']) expect(v(`fw-${m}-dmd-fa3-c`)).toBeLessThan(v(`fw-${m}-dmd-fa3`));
  });
});
