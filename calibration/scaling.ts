/**
 * Multi-GPU scaling against published figures we did not tune to.
 *   npm run validate:scaling
 *
 * Anchor: xDiT docs/performance/hunyuanvideo.md — HunyuanVideo, 129 frames, 50 steps, Ulysses, run with
 * the official HunyuanVideo repository (end-to-end generation time):
 *   1280×720 on H100: 1,904 / 925 / 514 / 338 s on 1 / 2 / 4 / 8 GPUs; on H20: 6,639 / 3,401 / 1,763 / 941 s;
 *   960×960 on H100: 1,735 / 934 / 645 / 367 s on 1 / 2 / 3 / 6 GPUs.
 * vgsim has no HunyuanVideo builder; we approximate it as a Wan-style DiT with HunyuanVideo's dimensions
 * (hidden 3072, 24 heads × 128, 60 blocks, MLP 12288, 16-channel latents, 4×8×8 VAE, 1×2×2 patches →
 * 118,800 tokens at 720P), guidance-distilled (one forward per step), without Wan2.2's per-token timestep
 * MLP, and its VAE decode by our Wan2.1-style causal decoder at HunyuanVideo's base width 128 on one GPU
 * (the decode does not scale with Ulysses). We compare speedups T1/Tn of the whole request, not absolute
 * times: the architectures differ, the scaling mechanisms (attention split by heads, four all-to-alls per
 * block, a serial VAE decode) are the same.
 */
import { estimate } from '../src/perf/estimate.ts';
import { customModel } from '../src/workload/custom-models.ts';
import { WAN21_VAE } from '../src/workload/models.ts';
import { parsePlan } from '../src/parallel/plan.ts';

const hunyuanLike = {
  ...customModel({
    id: 'hunyuanvideo-like',
    base: 'wan2.1-t2v-14b',
    dit: { dim: 3072, heads: 24, layers: 60, ffn_dim: 12288, per_token_timestep: false },
    defaults: { steps: 50, frames: 129, width: 1280, height: 720 },
  }),
  vae: { ...WAN21_VAE, decoderDim: 128 },
};
const cases = [
  { gpu: 'h100-sxm', width: 1280, height: 720, published: { 1: 1904.08, 2: 925.04, 4: 514.08, 8: 337.58 } as Record<number, number> },
  { gpu: 'h20', width: 1280, height: 720, published: { 1: 6639.17, 2: 3400.55, 4: 1762.86, 8: 940.97 } as Record<number, number> },
  { gpu: 'h100-sxm', width: 960, height: 960, published: { 1: 1735.01, 2: 934.09, 3: 645.45, 6: 367.02 } as Record<number, number> },
];
console.log('| GPU | size | GPUs | published s | published speedup | vgsim s | vgsim speedup | speedup error |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
const errors: number[] = [];
for (const c of cases) {
  const total = (n: number) =>
    estimate({
      model: hunyuanLike,
      gpu: c.gpu,
      plan: parsePlan(n === 1 ? 'none' : `ulysses=${n}`),
      request: { width: c.width, height: c.height, frames: 129, steps: 50, cfg: false },
    }).total_s;
  const ns = Object.keys(c.published).map(Number);
  const t1 = total(1);
  for (const n of ns) {
    const t = n === 1 ? t1 : total(n);
    const ps = c.published[1]! / c.published[n]!;
    const vs = t1 / t;
    if (n > 1) errors.push(vs / ps - 1);
    console.log(`| ${c.gpu} | ${c.width}x${c.height} | ${n} | ${c.published[n]!.toFixed(0)} | ${ps.toFixed(2)} | ${t.toFixed(0)} | ${vs.toFixed(2)} | ${n === 1 ? '-' : `${((vs / ps - 1) * 100).toFixed(1)}%`} |`);
  }
}
const abs = errors.map(Math.abs);
console.log(`\nspeedup error: mean |e| ${(100 * abs.reduce((a, b) => a + b, 0) / abs.length).toFixed(1)}%, max ${(100 * Math.max(...abs)).toFixed(1)}%`);
