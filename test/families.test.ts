/**
 * The non-Wan families (HunyuanVideo, CogVideoX, LTX-Video, Mochi) against independent counts:
 *  - parameters and FLOPs per forward of PyTorch reference modules written from the official code
 *    (calibration/families_reference.py, families_vae_reference.py), counted on the meta device by
 *    calibration/families_count.py into calibration/families/reference-counts.json (torch version inside);
 *  - published checkpoint sizes and token counts from the models' own READMEs and model cards;
 *  - the plan rules (only the parallel modes each public code implements) and diffusers config import.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { MODELS, ditParams, latentShape, type ModelSpec } from '../src/workload/models.ts';
import { familyParamSplit } from '../src/workload/families/params.ts';
import { buildFamilyDitForward } from '../src/workload/families/stages.ts';
import { buildDecoderCall, hunyuanTiles } from '../src/workload/families/vae-decoders.ts';
import { encoderBytes } from '../src/workload/families/text-encoder-specs.ts';
import { samplingPasses } from '../src/workload/families/sampling.ts';
import { opFlops, type Op } from '../src/workload/ops.ts';
import { estimate } from '../src/perf/estimate.ts';
import { parsePlan, planProblems } from '../src/parallel/plan.ts';
import { candidatePlans } from '../src/studies/plan-search.ts';
import { modelFromDiffusersConfig } from '../src/workload/custom-models.ts';
import { customModel } from '../src/workload/custom-models.ts';
import { InputError } from '../src/errors.ts';
import type { FamilyVaeSpec } from '../src/workload/families/specs.ts';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenario } from '../src/scenario/load.ts';
import { simulate } from '../src/serving/simulate.ts';
import { pickWithAffinity, residentWeightsGb } from '../src/serving/model-swap.ts';
import { DeviceModel } from '../src/perf/device.ts';
import { getModel } from '../src/workload/request.ts';
import { mixedVariants } from '../src/docs/readme-mixed.ts';
import { comparePublishedFamilies } from '../src/perf/published-families.ts';

const ref = JSON.parse(readFileSync('calibration/families/reference-counts.json', 'utf8')) as {
  torch: string;
  dit: Record<string, { params: number; block_params: Record<string, number>; latent: [number, number, number]; flops_per_forward: number }>;
  vae: Record<string, { decoder_params: number; latent: [number, number, number]; flops_per_call: number }>;
};
const model = (id: string) => MODELS.find((m) => m.id === id)! as Exclude<ModelSpec, { family: 'wan' }>;
const computeFlops = (ops: readonly Op[]) => ops.filter((o) => o.kind === 'gemm' || o.kind === 'attention' || o.kind === 'conv').reduce((a, o) => a + opFlops(o) * o.count, 0);
const vaes = new Map<string, FamilyVaeSpec>(MODELS.filter((m) => m.family !== 'wan').map((m) => [m.vae.id, m.vae as FamilyVaeSpec]));

describe('family DiTs against the PyTorch reference modules (meta-device counts)', () => {
  it('the counts were made with a real torch', () => expect(ref.torch).toMatch(/^\d+\.\d+/));
  for (const [id, r] of Object.entries(ref.dit)) {
    it(`${id}: parameters, per-block parameters and FLOPs per forward agree`, () => {
      const m = model(id);
      expect(ditParams(m.dit)).toBe(r.params);
      const blocks = familyParamSplit(m.dit as never).blocks;
      const refBlocks = Object.values(r.block_params);
      expect(blocks.map((b) => b.params)).toEqual(refBlocks);
      const [t, h, w] = r.latent;
      const [pt, ph, pw] = m.dit.patch;
      const tokens = Math.ceil(t / pt) * Math.floor(h / ph) * Math.floor(w / pw);
      const f = buildFamilyDitForward(m.dit as never, { tokens, batch: 1, kernel: 'fa2', linearDtype: 'bf16', fused: false, ulysses: 1, ring: 1, tp: 1, weightsResident: false });
      expect(Math.abs(computeFlops(f.builder.ops) / r.flops_per_forward - 1)).toBeLessThan(1e-6);
    });
  }
  it('a forward frees every tensor it allocates (memory timeline closes)', () => {
    for (const id of Object.keys(ref.dit)) {
      const m = model(id);
      const f = buildFamilyDitForward(m.dit as never, { tokens: 4096, batch: 2, kernel: 'fa2', linearDtype: 'bf16', fused: false, ulysses: 1, ring: 1, tp: 1, weightsResident: false });
      expect(f.builder.liveTensorBytes()).toBe(0);
    }
  });
});

describe('family VAE decoders against the reference decoders', () => {
  for (const [id, r] of Object.entries(ref.vae)) {
    it(`${id}: decoder parameters and FLOPs of one call agree`, () => {
      const c = buildDecoderCall(vaes.get(id)!, ...r.latent);
      expect(c.params).toBe(r.decoder_params);
      expect(Math.abs(computeFlops(c.builder.ops) / r.flops_per_call - 1)).toBeLessThan(1e-6);
      expect(c.builder.liveTensorBytes()).toBe(0);
    });
  }
  it("Mochi's decoder is the README's 362M parameters (genmoai/mochi README.md:110-115)", () => {
    expect(Math.abs(ref.vae['mochi-vae']!.decoder_params / 362e6 - 1)).toBeLessThan(0.005);
  });
  it("HunyuanVideo's tiled decode makes 84 decoder calls at 720P and 45 at 544P (autoencoder_kl_causal_3d.py:417-525, re-run by hand)", () => {
    const calls = (t: number, h: number, w: number) => hunyuanTiles(t, h, w).reduce((a, c) => a + c.count, 0);
    expect(calls(33, 90, 160)).toBe(84);
    expect(calls(33, 68, 120)).toBe(45);
  });
});

describe('published sizes and token counts', () => {
  it('DiT checkpoints: parameters × stored bytes match the published files within 0.5%', () => {
    // HunyuanVideo mp_rank_00_model_states.pt 25.6 GB bf16; CogVideoX1.5 transformer 4.98 + 4.95 + 1.22 GB bf16;
    // LTX-Video-0.9.7-dev transformer 4.87 + 4 × 4.97 + 1.34 GB bf16; Mochi dit.safetensors 40.1 GB fp32
    const cases: [string, number, number][] = [['hunyuan-video', 2, 25.6e9], ['cogvideox1.5-5b', 2, 11.15e9], ['ltx-video-13b', 2, 26.09e9], ['mochi-1', 4, 40.1e9]];
    for (const [id, bytes, published] of cases) expect(Math.abs((ditParams(model(id).dit) * bytes) / published - 1)).toBeLessThan(0.005);
  });
  it('T5-XXL encoder: 19.05 GB fp32 (text_encoder shards of the Mochi diffusers release)', () => {
    const t5 = model('mochi-1').textEncoder.encoders[0]!;
    expect(Math.abs(encoderBytes(t5) / 19.05e9 - 1)).toBeLessThan(0.005);
  });
  it("tokens per forward: Mochi 44,520 (its README), HunyuanVideo 118,800, CogVideoX1.5 44,880, LTX multi-scale 5,600 then 22,400", () => {
    const tok = (id: string) => { const m = model(id); return latentShape(m, m.defaults.width, m.defaults.height, m.defaults.frames).tokens; };
    expect(tok('mochi-1')).toBe(44520);
    expect(tok('hunyuan-video')).toBe(118800);
    expect(tok('cogvideox1.5-5b')).toBe(44880);
    const ltx = model('ltx-video-13b');
    const passes = samplingPasses(ltx, latentShape(ltx, 1216, 704, 121), 30, true);
    expect(passes.map((p) => p.tokens)).toEqual([5600, 22400]);
    // 27 forwards in the first pass (30 − 3 skipped) with the CFG/STG segments, 13 in the second (30 − 17) at batch 2
    expect(passes[0]!.conds.length).toBe(27);
    expect(passes[0]!.conds.slice(0, 7)).toEqual([1, 1, 3, 3, 3, 3, 2]);
    expect(passes[1]!.conds).toEqual(Array(13).fill(2));
  });
});

describe('parallel plans follow each public inference code', () => {
  const problems = (id: string, spec: string, gpus: number) => planProblems(parsePlan(spec), model(id), gpus, { cfg: model(id).defaults.guidance, tokens: 100000 });
  it('HunyuanVideo: Ulysses and ring (xDiT USP), no CFG parallel, FSDP, PipeFusion, TP or split VAE', () => {
    expect(problems('hunyuan-video', 'ulysses=4,ring=2', 8)).toEqual([]);
    for (const spec of ['ulysses=4,fsdp', 'pipefusion=2', 'tp=2', 'ulysses=2,vae=patch']) expect(problems('hunyuan-video', spec, spec === 'pipefusion=2' || spec === 'tp=2' ? 2 : spec.startsWith('ulysses=4') ? 4 : 2).join(' ')).toMatch(/public inference code has no/);
    expect(problems('hunyuan-video', 'ulysses=2,cpu-offload', 2).join(' ')).toMatch(/single-GPU only/);
  });
  it('Mochi: CFG parallel, FSDP and the frame-split decode exist; CogVideoX has CFG parallel but no FSDP; LTX-Video has neither', () => {
    expect(problems('mochi-1', 'ulysses=4,cfg=2,fsdp,vae=patch,t5=fsdp', 8)).toEqual([]);
    expect(problems('cogvideox1.5-5b', 'ulysses=4,cfg=2', 8)).toEqual([]);
    expect(problems('cogvideox1.5-5b', 'ulysses=8,fsdp', 8).join(' ')).toMatch(/FSDP/);
    expect(problems('ltx-video-13b', 'ulysses=4,cfg=2', 8).join(' ')).toMatch(/CFG parallelism/);
  });
  it('vgsim plan only proposes layouts the model supports', () => {
    const hv = candidatePlans(model('hunyuan-video'), 8);
    expect(hv.every((p) => p.cfg === 1 && !p.fsdp && p.tp === 1 && p.pipefusion === 1 && !p.offload)).toBe(true);
    expect(hv.length).toBeGreaterThan(5);
    const mochi = candidatePlans(model('mochi-1'), 8);
    expect(mochi.some((p) => p.cfg === 2 && p.fsdp)).toBe(true);
  });
});

describe('diffusers transformer/config.json import', () => {
  it('reads each supported class into its family with the published shapes', () => {
    const hv = modelFromDiffusersConfig('test/fixtures/diffusers-hunyuan/transformer/config.json');
    expect(hv.family).toBe('hunyuan-video');
    expect(ditParams(hv.dit)).toBe(ditParams(model('hunyuan-video').dit));
    const cog = modelFromDiffusersConfig('test/fixtures/diffusers-cogvideox15/transformer/config.json');
    expect([cog.family, cog.dit.patch, ditParams(cog.dit)]).toEqual(['cogvideox', [2, 2, 2], ditParams(model('cogvideox1.5-5b').dit)]);
    const ltx = modelFromDiffusersConfig('test/fixtures/diffusers-ltx13b/transformer/config.json');
    expect([ltx.family, ditParams(ltx.dit)]).toEqual(['ltx-video', ditParams(model('ltx-video-13b').dit)]);
    const mochi = modelFromDiffusersConfig('test/fixtures/diffusers-mochi/transformer/config.json');
    expect([mochi.family, ditParams(mochi.dit)]).toEqual(['mochi', ditParams(model('mochi-1').dit)]);
  });
  it('CogVideoX position encodings as the config sets them: RoPE by default, an additive embedding when RoPE is off (2B-style sin-cos) or learned', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-cog-pos-'));
    const base = JSON.parse(readFileSync('test/fixtures/diffusers-cogvideox15/transformer/config.json', 'utf8')) as Record<string, unknown>;
    const withKeys = (name: string, keys: Record<string, unknown>) => {
      writeFileSync(join(dir, `${name}.json`), JSON.stringify({ ...base, patch_size_t: null, ...keys }));
      return modelFromDiffusersConfig(join(dir, `${name}.json`));
    };
    const tokens = 13 * 30 * 45, B = 2; // 720x480x49 latent patches; CFG batched
    const ops = (m: ModelSpec) => buildFamilyDitForward(m.dit as never, { tokens, batch: B, kernel: 'fa2', linearDtype: 'bf16', fused: false, ulysses: 1, ring: 1, tp: 1, weightsResident: true }).builder.ops;
    const names = (m: ModelSpec) => ops(m).map((o) => o.name);
    const rope = withKeys('rope', {}), sincos = withKeys('sincos', { use_rotary_positional_embeddings: false }), learned = withKeys('learned', { use_learned_positional_embeddings: true });
    expect(names(rope).some((n) => n.startsWith('attn1.rope_q'))).toBe(true);
    expect(names(rope)).not.toContain('patch_embed.pos_embedding.add');
    expect(names(sincos).some((n) => n.includes('rope'))).toBe(false);
    expect(names(learned)).toEqual(expect.arrayContaining(['patch_embed.pos_embedding.add', 'attn1.rope_q.write_back']));
    // by hand: the fp32 [1, 226 + N, 3072] buffer cast to bf16 (4 + 2 B) and added to both CFG rows (read 2, write 2, the buffer once)
    const E = (226 + tokens) * 3072;
    const op = (n: string) => ops(sincos).find((o) => o.name === n) as { bytes: number };
    expect(op('patch_embed.pos_embedding.cast').bytes).toBe(E * 6);
    expect(op('patch_embed.pos_embedding.add').bytes).toBe((2 * B * E + E) * 2);
  });
  it('names the class when a config is not supported', () => {
    try {
      modelFromDiffusersConfig('test/fixtures/diffusers-flux/transformer/config.json');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      const issue = (e as InputError).issues[0]!;
      expect(issue.message).toMatch(/unsupported transformer class "FluxTransformer2DModel"/);
      expect(issue.hint).toMatch(/HunyuanVideoTransformer3DModel/);
    }
  });
  it('a config\'s sizes are whole numbers in bounds, and a width splits into its heads (a 10^8-block config hung estimate; 0 heads crashed it)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-cfg-'));
    const wan = JSON.parse(readFileSync('test/fixtures/diffusers-wan/transformer/config.json', 'utf8')) as Record<string, unknown>;
    const issueOf = (cfg: Record<string, unknown>) => {
      mkdirSync(join(dir, 'transformer'), { recursive: true });
      writeFileSync(join(dir, 'transformer', 'config.json'), JSON.stringify(cfg));
      try {
        modelFromDiffusersConfig(join(dir, 'transformer', 'config.json'));
      } catch (e) {
        return (e as InputError).issues[0]!;
      }
      return undefined;
    };
    expect(issueOf({ ...wan, num_layers: 1e8 })).toMatchObject({ path: 'num_layers', message: 'expected blocks: a whole number from 1 to 1,000, got 100000000' });
    expect(issueOf({ ...wan, num_attention_heads: 0 })!.path).toBe('num_attention_heads');
    expect(issueOf({ ...wan, attention_head_dim: 1e308 })!.path).toBe('attention_head_dim');
    expect(issueOf({ ...wan, num_layers: 1.5 })!.path).toBe('num_layers');
    expect(issueOf({ ...wan, patch_size: [0, 0, 0] })!.path).toBe('patch_size');
    expect(issueOf({ ...wan, _class_name: 'CogVideoXTransformer3DModel', num_layers: -3 })!.message).toMatch(/CogVideoXTransformer3DModel config/);
    expect(issueOf(wan)).toBeUndefined();
    // a scenario model: the width must split into the heads
    expect(() => customModel({ id: 'x', dit: { dim: 4097, heads: 32 } })).toThrow(/dim 4097 does not split into 32 heads/);
    expect(() => customModel({ id: 'x', base: 'cogvideox-5b', dit: { dim: 3000, heads: 48 } })).toThrow(InputError);
  });
  it('a scenario model based on a family keeps its family; Wan-only keys are an input error', () => {
    const m = customModel({ id: 'cog-30', base: 'cogvideox1.5-5b', dit: { layers: 30 } });
    expect([m.family, m.dit.layers]).toEqual(['cogvideox', 30]);
    expect(() => customModel({ id: 'x', base: 'mochi-1', dit: { per_token_timestep: true } })).toThrow(InputError);
  });
});

describe('estimates for every family', () => {
  for (const id of ['hunyuan-video', 'cogvideox1.5-5b', 'cogvideox-5b', 'ltx-video-2b', 'ltx-video-13b', 'mochi-1']) {
    it(`${id}: one H100 estimate whose forwards add up and that fits`, () => {
      const e = estimate({ model: model(id), gpu: 'h100-sxm', options: { offload: id === 'mochi-1' } });
      expect(e.total_s).toBeGreaterThan(0);
      const fwd = e.stages.find((s) => s.name === 'dit_forward')!;
      expect(Math.abs(fwd.seconds_total + e.stages.find((s) => s.name === 'scheduler')!.seconds_total - e.denoise_s) / e.denoise_s).toBeLessThan(0.02);
      expect(e.fits).toBe(true);
    });
  }
  it('HunyuanVideo runs one forward per step (distilled guidance); CogVideoX batches CFG; Mochi runs two forwards', () => {
    const hv = estimate({ model: model('hunyuan-video'), gpu: 'h100-sxm' });
    expect([hv.request.cfg, hv.stages.find((s) => s.name === 'dit_forward')!.count]).toEqual([false, 50]);
    const cog = estimate({ model: model('cogvideox1.5-5b'), gpu: 'h100-sxm' });
    expect([cog.options.cfg, cog.stages.find((s) => s.name === 'dit_forward')!.count]).toEqual(['batched', 50]);
    const mochi = estimate({ model: model('mochi-1'), gpu: 'h100-sxm', options: { offload: true } });
    expect([mochi.options.cfg, mochi.stages.find((s) => s.name === 'dit_forward')!.count]).toEqual(['sequential', 128]);
  });
});

describe('shared replicas with model swaps (src/serving/model-swap.ts)', () => {
  const runShared = (models: string, csv: string, extra = '') => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-shared-'));
    writeFileSync(join(dir, 'trace.csv'), csv);
    const text = `name: shared
seed: 1
duration: 4h
model: ${models.slice(1).split(',')[0]}
cluster: { nodes: [{ type: hgx-h100-sxm-8, count: 1 }] }
deployment: { name: shared, models: ${models}, replicas: 1${extra} }
workload:
  arrivals: { process: trace, file: ${join(dir, 'trace.csv')} }
  mix: [{ name: any }]
`;
    const loaded = parseScenario(text, { dir });
    return simulate(loaded.scenario, { baseDir: dir, locate: loaded.locate, records: true });
  };
  it('two models that do not fit together swap: each change of model adds weights / host→GPU rate (closed form)', () => {
    // HunyuanVideo (41.4 GB of weights per GPU) and LTX-13B (38.1 GB) do not fit an 80 GB H100 together
    const r = runShared('[hunyuan-video, ltx-video-13b]', 'timestamp_s,model\n0,hunyuan-video\n3600,ltx-video-13b\n7200,hunyuan-video\n10800,ltx-video-13b\n');
    const pool = r.pools[0]!;
    expect(pool.co_resident).toBe(false);
    expect(pool.model_swaps).toBe(3); // the first request finds its model resident
    const recs = r.records!.sort((a, b) => a.arrival - b.arrival);
    const service = (m: string) => estimate({ model: getModel(m), gpu: 'h100-sxm' }).total_s;
    const h2d = new DeviceModel('h100-sxm').hostLinkGBs('h2d', false, true);
    const ltxWeights = residentWeightsGb(estimate({ model: getModel('ltx-video-13b'), gpu: 'h100-sxm' }));
    expect(pool.swap_s!['ltx-video-13b']).toBeCloseTo(ltxWeights / h2d, 6);
    expect(recs[0]!.finish - recs[0]!.arrival).toBeCloseTo(service('hunyuan-video'), 6);
    expect(recs[1]!.finish - recs[1]!.arrival).toBeCloseTo(service('ltx-video-13b') + pool.swap_s!['ltx-video-13b']!, 6);
  });
  it('two small models that fit together stay co-resident: no swaps', () => {
    const r = runShared('[wan2.1-t2v-1.3b, ltx-video-2b]', 'timestamp_s,model\n0,wan2.1-t2v-1.3b\n3600,ltx-video-2b\n7200,wan2.1-t2v-1.3b\n');
    expect([r.pools[0]!.co_resident, r.pools[0]!.model_swaps]).toEqual([true, 0]);
  });
  it('routing prefers a replica that holds the model unless it is half a request busier', () => {
    const reps = [{ id: 0, score: 1, model: 'a' }, { id: 1, score: 0, model: 'b' }, { id: 2, score: 0.6, model: 'a' }];
    expect(pickWithAffinity(reps, (r) => r.score, (r) => r.model === 'a')!.id).toBe(1); // 0 + 0.5 < 0.6
    expect(pickWithAffinity(reps.slice(0, 1).concat([{ id: 1, score: 0.2, model: 'b' }, { id: 2, score: 0.6, model: 'a' }]), (r) => r.score, (r) => r.model === 'a')!.id).toBe(2);
  });
  it('bad shared pools are input errors: model and models both, warm: false, a plan the model does not support', () => {
    expect(() => runShared('[hunyuan-video, ltx-video-13b]', 'timestamp_s\n0\n', ', model: hunyuan-video')).toThrow(InputError);
    expect(() => runShared('[hunyuan-video, ltx-video-13b]', 'timestamp_s\n0\n', ', warm: false')).toThrow(/starts warm/);
    expect(() => runShared('[hunyuan-video, ltx-video-13b]', 'timestamp_s\n0\n', ', parallel: "ulysses=2,fsdp"')).toThrow(/FSDP/);
  });
  it("the README's conclusion: shared replicas beat dedicated pools at both mixes (scenarios/mixed-models.yaml)", () => {
    // seed by seed (one 12-hour run is one draw: seed 19 alone had the dedicated pools at 99% within SLO, seeds 20-23 at 69-95%)
    const v = new Map(mixedVariants().map((x) => [x.name, x.seeds]));
    const seeds = v.get('shared replicas, 50/50')!;
    expect(seeds.length).toBeGreaterThanOrEqual(5);
    seeds.forEach((s, i) => expect(s.latency_s.p95).toBeLessThan(v.get('dedicated pools, 50/50')![i]!.latency_s.p95));
    // against dedicated pools left at 2 + 2 and against pools re-sized 1 + 3 for the 25/75 mix (the fair comparison)
    v.get('shared replicas, 25/75')!.forEach((s, i) => {
      expect(s.slo_attainment!).toBeGreaterThan(v.get('dedicated pools, 25/75')![i]!.slo_attainment! + 0.3);
      expect(s.slo_attainment!).toBeGreaterThanOrEqual(v.get('dedicated pools re-sized 1+3, 25/75')![i]!.slo_attainment!);
    });
  });
});

describe('published figures (held out; tolerances pin where the model stands today, see README)', () => {
  const rows = new Map(comparePublishedFamilies().map((r) => [r.id, r]));
  const within = (id: string, tol: number) => expect(Math.abs(rows.get(id)!.error), id).toBeLessThan(tol);
  it('HunyuanVideo on 1, 2 and 3 GPUs: within 10% (xDiT report, official code); the 1-GPU rows within 10% since the long-sequence attention rows', () => {
    for (const id of ['hv-h100-720p-1', 'hv-h100-720p-2', 'hv-h20-720p-1', 'hv-h20-720p-2', 'hv-h100-960-1', 'hv-h100-960-2', 'hv-h100-960-3']) within(id, 0.10);
  });
  it('the attention rows behind them: at 24 heads, 119,056 tokens run slower than 27,280, cuDNN by 5-6% and FA2 by about 3% (profiles/runs/h100-sxm-attention-long-2026-12-07.json)', () => {
    const att = JSON.parse(readFileSync('calibration/profiles/h100-sxm.json', 'utf8')).attention as { backend: string; heads: number; head_dim: number; lq: number; lk: number; tflops: number }[];
    const rate = (be: string, lq: number) => att.find((r) => r.backend === be && r.heads === 24 && r.head_dim === 128 && r.lq === lq && r.lk === lq)!.tflops;
    for (const [be, lo, hi] of [['cudnn', 0.05, 0.06], ['flash', 0.025, 0.035]] as const) {
      const slower = 1 - rate(be, 119056) / rate(be, 27280);
      expect(slower, be).toBeGreaterThan(lo);
      expect(slower, be).toBeLessThan(hi);
    }
  });
  it('HunyuanVideo on 4-8 GPUs: within 13% except 8 H100s (vgsim scales better than the published runs: within 30%)', () => {
    for (const id of ['hv-h100-720p-4', 'hv-h20-720p-4', 'hv-h20-720p-8']) within(id, 0.13);
    within('hv-h100-960-6', 0.16);
    within('hv-h100-720p-8', 0.3);
    expect(rows.get('hv-h100-720p-8')!.error).toBeLessThan(0); // and on the fast side
  });
  it('CogVideoX-5B in diffusers: weights within 1%, peak within 12%, H100 time within 18%, A100 (extrapolated) within 27%', () => {
    within('cog5b-a100-model-mem', 0.01);
    within('cog5b-a100-peak-mem', 0.12);
    within('cog5b-h100-time', 0.18);
    within('cog5b-a100-time', 0.27);
  });
  it('loose settings are compared, not held to 10%: within 25%, but HunyuanVideo at 544p', () => {
    for (const r of rows.values()) if (!r.well_specified && r.id !== 'hv-mem-544p') within(r.id, 0.25);
    // its published 45 GB is below the resident weights plus the decode tile's measured peak (18.2 GB under autocast,
    // calibration/families/vae-autocast/h100-sxm.json): the table's run offloaded something, vgsim's no-offload peak is above it
    const hv = rows.get('hv-mem-544p')!;
    expect(hv.vgsim).toBeGreaterThan(25.6 + 15.3 + 18.2);
    expect(hv.error).toBeGreaterThan(0.25);
  });
});
