/**
 * Multi-GPU scaling against published figures we did not tune to.
 *   npm run validate:scaling
 *
 * Anchor: xDiT docs/performance/hunyuanvideo.md (xdit-project/xDiT@175e0bf:docs/performance/hunyuanvideo.md:1-30)
 * — HunyuanVideo, 129 frames, 50 steps, Ulysses, run with the official HunyuanVideo repository (end-to-end
 * generation time):
 *   1280×720 on H100: 1,904 / 925 / 514 / 338 s on 1 / 2 / 4 / 8 GPUs; on H20: 6,639 / 3,401 / 1,763 / 941 s;
 *   960×960 on H100: 1,735 / 934 / 645 / 367 s on 1 / 2 / 3 / 6 GPUs.
 * The model is vgsim's HunyuanVideo (workload/families/hunyuan-video.ts: dual- and single-stream blocks, the
 * LLaVA/CLIP encoders, its tiled fp16 VAE decoded on every rank). We compare speedups T1/Tn of the whole
 * request; calibration/families.ts compares the absolute times.
 */
import { estimate } from '../src/perf/estimate.ts';
import { getModel } from '../src/workload/request.ts';
import { parsePlan } from '../src/parallel/plan.ts';

const hunyuan = getModel('hunyuan-video');
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
      model: hunyuan,
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
