/**
 * HunyuanVideo-1.5 (T2V 480p/720p, with and without its default super-resolution stage) against independent
 * numbers: the parameter count from its config by hand and the README's 8.3 B; Qwen2.5-7B's published
 * parameter counts for the LLM encoder; the SR pipeline's bucket arithmetic re-run by hand (a Python replica of
 * generate_crop_size_list / BucketMap gives 1280×720 and 1904×1072); the VAE's tile loops by hand; the plan
 * rules of its public code; and `vgsim list models`, `estimate`, `plan`, `run` on it.
 * (The DiT's and decoder's parameters and FLOPs against the PyTorch reference modules are in families.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODELS, ditParams, latentShape, type ModelSpec } from '../src/workload/models.ts';
import { samplingPasses, decodeLatent } from '../src/workload/families/sampling.ts';
import { hunyuan15Tiles } from '../src/workload/families/vae-decoders.ts';
import { cropSizeList, srLatent } from '../src/workload/families/hunyuan-video-15-sr.ts';
import { QWEN25_VL_7B_LM } from '../src/workload/families/text-encoder-specs.ts';
import { stackEncoderCalls } from '../src/workload/families/stages.ts';
import { parsePlan, planProblems } from '../src/parallel/plan.ts';
import { candidatePlans } from '../src/studies/plan-search.ts';
import { estimate } from '../src/perf/estimate.ts';
import { vgsimInProcess } from './support/cli.ts';

const model = (id: string) => MODELS.find((m) => m.id === id)! as Extract<ModelSpec, { family: 'hunyuan-video-1.5' }>;
const IDS = ['hunyuan-video-1.5-480p', 'hunyuan-video-1.5-720p', 'hunyuan-video-1.5-480p-no-sr', 'hunyuan-video-1.5-720p-no-sr'];

describe('HunyuanVideo-1.5 model facts', () => {
  it('DiT parameters: 8,326,608,160 by hand from the config, the README\'s 8.3 B (README.md:20)', () => {
    const D = 2048;
    const F = 8192;
    const lin = (i: number, o: number) => i * o + o;
    // per stream: adaLN d→6d, q/k/v/proj, q/k RMSNorm (128 each), MLP d→4d→d; × 2 streams × 54 blocks
    const block = 2 * (lin(D, 6 * D) + 4 * lin(D, D) + 256 + lin(D, F) + lin(F, D));
    const refiner = lin(3584, D) + lin(256, D) + lin(D, D) + lin(3584, D) + lin(D, D) + 2 * (4 * D + lin(D, 3 * D) + lin(D, D) + lin(D, F) + lin(F, D) + lin(D, 2 * D));
    const outside = lin(65, D) + refiner + lin(256, D) + lin(D, D) + (2 * 1472 + lin(1472, 2048) + lin(2048, 2048) + lin(2048, D)) + (2 * 1152 + lin(1152, 1152) + lin(1152, D) + 2 * D) + 3 * D + lin(D, 32) + lin(D, 2 * D);
    expect(54 * block + outside).toBe(8326608160);
    for (const id of IDS) expect(ditParams(model(id).dit)).toBe(8326608160);
    expect(Math.abs(8326608160 / 8.3e9 - 1)).toBeLessThan(0.005);
  });
  it("Qwen2.5-VL-7B's language model: 6.53 B non-embedding and 7.61 B with the LM head, Qwen2.5-7B's published counts (same LM shape)", () => {
    // https://huggingface.co/Qwen/Qwen2.5-7B: "Number of Parameters: 7.61B; Number of Paramaters (Non-Embedding): 6.53B"
    expect(QWEN25_VL_7B_LM.blockParams / 1e9).toBeCloseTo(6.53, 2);
    expect((QWEN25_VL_7B_LM.blockParams + 2 * QWEN25_VL_7B_LM.embeddingParams) / 1e9).toBeCloseTo(7.61, 1);
  });
  it('tokens per forward: 49,290 at 480p and 111,600 at 720p (patch 1 on the 16×-spatial latent, 121 frames → 31 latent frames)', () => {
    const tok = (id: string) => { const m = model(id); return latentShape(m, m.defaults.width, m.defaults.height, m.defaults.frames).tokens; };
    expect(tok('hunyuan-video-1.5-480p')).toBe(31 * 30 * 53);
    expect(tok('hunyuan-video-1.5-720p')).toBe(31 * 45 * 80);
  });
  it("the SR stage's buckets: 848×480 → 1280×720 and 1280×720 → 1904×1072 (BucketMap re-run by hand)", () => {
    expect(cropSizeList(640).length).toBe(cropSizeList(640).filter(([w, h]) => Math.max(w, h) / Math.min(w, h) <= 4).length);
    expect(srLatent({ h: 30, w: 53 }, 960)).toEqual({ h: 45, w: 80 });
    expect(srLatent({ h: 45, w: 80 }, 1440)).toEqual({ h: 67, w: 119 });
  });
  it('the default pipeline: 50 batch-2 forwards, then 6 (480p→720p) or 8 (720p→1080p) batch-1 SR forwards; the decode at the SR size', () => {
    const m480 = model('hunyuan-video-1.5-480p');
    const lat = latentShape(m480, 848, 480, 121);
    const p = samplingPasses(m480, lat, 50, true);
    expect(p.map((x) => [x.tokens, x.conds.length, Math.max(...x.conds)])).toEqual([[49290, 50, 2], [111600, 6, 1]]);
    expect(decodeLatent(m480, lat)).toEqual({ t: 31, h: 45, w: 80 });
    const m720 = model('hunyuan-video-1.5-720p');
    const p720 = samplingPasses(m720, latentShape(m720, 1280, 720, 121), 50, true);
    expect(p720.map((x) => [x.tokens, x.conds.length])).toEqual([[111600, 50], [31 * 67 * 119, 8]]);
    expect(model('hunyuan-video-1.5-480p-no-sr').sampler.passes).toBeUndefined();
  });
  it('text encoders: the LLM encodes prompt + negative prompt (+ the prompt again for SR), byT5 the prompt once per pipeline', () => {
    const calls = (id: string) => model(id).textEncoder.encoders.map((e) => stackEncoderCalls(model(id).textEncoder, e, true));
    expect(calls('hunyuan-video-1.5-480p')).toEqual([3, 2]);
    expect(calls('hunyuan-video-1.5-480p-no-sr')).toEqual([2, 1]);
    expect(model('hunyuan-video-1.5-480p').textEncoder.encoders[0]!.tokens).toBe(1108);
  });
  it('VAE tiles: 16×16 latent every 14 — 12 at 480p, 24 at 720p, 45 at 1904×1072, rank 0 decodes 6 of the 45 over 8 GPUs', () => {
    const n = (t: ReturnType<typeof hunyuan15Tiles>) => t.reduce((a, c) => a + c.count, 0);
    expect(n(hunyuan15Tiles(31, 30, 53))).toBe(3 * 4);
    expect(n(hunyuan15Tiles(31, 45, 80))).toBe(4 * 6);
    expect(n(hunyuan15Tiles(31, 67, 119))).toBe(5 * 9);
    expect(n(hunyuan15Tiles(31, 67, 119, 8))).toBe(6);
    expect(hunyuan15Tiles(31, 16, 16)).toEqual([{ t: 31, h: 16, w: 16, count: 1 }]);
  });
});

describe('HunyuanVideo-1.5 parallel plans and memory', () => {
  const problems = (id: string, spec: string, gpus: number) => planProblems(parsePlan(spec), model(id), gpus, { cfg: true, tokens: 100000 });
  it('Ulysses sequence parallelism, offload and the tile-parallel decode exist; ring, CFG parallel, FSDP, TP, PipeFusion do not', () => {
    expect(problems('hunyuan-video-1.5-720p', 'ulysses=8,vae=patch', 8)).toEqual([]);
    expect(problems('hunyuan-video-1.5-720p', 'offload', 1)).toEqual([]);
    for (const [spec, gpus] of [['ulysses=4,ring=2', 8], ['ulysses=4,cfg=2', 8], ['ulysses=8,fsdp', 8], ['tp=2', 2], ['pipefusion=2', 2]] as const) {
      expect(problems('hunyuan-video-1.5-720p', spec, gpus).join(' ')).toMatch(/public inference code has no/);
    }
    const c = candidatePlans(model('hunyuan-video-1.5-480p'), 8);
    expect(c.every((p) => p.ring === 1 && p.cfg === 1 && !p.fsdp && p.tp === 1 && p.pipefusion === 1)).toBe(true);
    expect(c.some((p) => p.ulysses === 8)).toBe(true);
  });
  it('the SR DiT is resident beside the base DiT (2 × 8.33 B in bf16) unless models are offloaded; without SR, one DiT', () => {
    const gb = (id: string, parallel?: string) => estimate({ model: model(id), gpu: 'h100-sxm', ...(parallel ? { plan: parsePlan(parallel) } : {}) }).memory.phases.find((p) => p.phase === 'denoise')!.breakdown_gb.dit_weights;
    const one = (8326608160 * 2) / 1e9;
    const sr = (8326608160 * 2 + (8326608160 + 33 * 2048) * 2) / 1e9;
    expect(gb('hunyuan-video-1.5-480p')).toBeCloseTo(sr, 1);
    expect(gb('hunyuan-video-1.5-480p-no-sr')).toBeCloseTo(one, 1);
    expect(gb('hunyuan-video-1.5-480p', 'offload')).toBeCloseTo(one, 1);
  });
});

describe('HunyuanVideo-1.5 on the command line', () => {
  it('vgsim list models shows the four models with their family and parameters', async () => {
    const r = await vgsimInProcess(['list', 'models']);
    expect(r.code).toBe(0);
    for (const id of IDS) expect(r.stdout).toMatch(new RegExp(`${id.replace(/\./g, '\\.')}\\s+hunyuan-video-1\\.5\\s+t2v\\s+1\\s+8\\.33`));
  });
  it('vgsim estimate prices both passes, the three LLM calls and the SR-size decode', async () => {
    const r = await vgsimInProcess(['estimate', '--model', 'hunyuan-video-1.5-480p', '--gpu', 'h100-sxm']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('50 × 49290 tokens (batch 2) + 6 × 111600 tokens (batch 1)');
    expect(r.stdout).toContain('qwen2.5-vl-7b-lm (fp16) 3 calls × 1108 tokens');
    expect(r.stdout).toContain('31×45×80 latent in 24 decoder calls');
  });
  it('vgsim plan ranks only Ulysses degrees and offload', async () => {
    const r = await vgsimInProcess(['plan', '--model', 'hunyuan-video-1.5-480p-no-sr', '--gpu', 'h100-sxm', '--gpus', '4', '--json']);
    expect(r.code).toBe(0);
    const rows = (JSON.parse(r.stdout) as { layouts: { parallel: string; rank: number | null }[] }).layouts.filter((l) => l.rank !== null);
    expect(rows.length).toBeGreaterThan(1);
    for (const l of rows) expect(l.parallel).toMatch(/^(none|offload|cpu-offload|ulysses=\d+)(,.*)?$/);
  });
  it('vgsim run serves it from a scenario', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-hv15-'));
    const file = join(dir, 'hv15.yaml');
    writeFileSync(file, `name: hv15
seed: 1
duration: 2h
model: hunyuan-video-1.5-480p-no-sr
cluster: { nodes: [{ type: hgx-h100-sxm-8, count: 1 }] }
deployment: { name: hv15, replicas: 2, gpus_per_replica: 4, parallel: "ulysses=4" }
workload:
  arrivals: { process: poisson, rate_per_hour: 10 }
  mix: [{ name: 480p, resolution: 848x480, frames: 121, steps: 50 }]
`);
    const r = await vgsimInProcess(['run', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/completed/i);
  });
});
