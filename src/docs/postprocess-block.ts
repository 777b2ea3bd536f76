/**
 * The README's post-processing block: scenarios/postprocess.yaml's variants (post-processing on the DiT's H100s
 * with a host-CPU encode, on an L4 pool, on an L40S pool) run now, tabulated, and the conclusion stated from the
 * same numbers — so the README cannot drift from the model (test/readme.test.ts).
 */
import { loadScenario } from '../scenario/load.ts';
import { simulate, type SimulationResult } from '../serving/simulate.ts';
import { readdirSync } from 'node:fs';
import { packagePath } from '../package-files.ts';
import { comparePostprocess, loadBench } from '../perf/postprocess-validation.ts';
import { catalogGpuOfDeviceName } from '../hardware/device-names.ts';
import { builtinProfile, REFERENCE_GPU } from '../perf/profile.ts';
import { median } from '../hardware/refs.ts';

export const POSTPROCESS_SCENARIO = 'scenarios/postprocess.yaml';

export interface PostprocessRun {
  name: string;
  result: SimulationResult;
}

/** Every variant of the post-processing scenario, simulated (a variant's `set` applied like `vgsim sweep` does). */
export function postprocessRuns(file = packagePath(POSTPROCESS_SCENARIO)): PostprocessRun[] {
  const base = loadScenario(file);
  return (base.scenario.sweep?.variants ?? []).map((v) => {
    const set = Object.entries(v.set).map(([k, x]) => `${k}=${JSON.stringify(x)}`);
    const l = loadScenario(file, { set });
    return { name: v.name, result: simulate(l.scenario, { locate: l.locate }) };
  });
}

const s = (x: number) => (x >= 100 ? `${x.toFixed(0)} s` : x >= 10 ? `${x.toFixed(1)} s` : `${x.toFixed(2)} s`);
const usd = (x: number | null | undefined) => (x == null ? '–' : `$${x.toFixed(3)}`);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function postprocessBlock(rows = postprocessRuns()): string {
  const out = [
    '| post-processing | videos/h | p50 | p95 | DiT pool utilization | post pool utilization | Wh/video | $/video |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const { name, result: r } of rows) {
    const dit = r.pools.find((p) => p.name === 'dit')!;
    const post = r.pools.find((p) => p.name !== 'dit');
    out.push(`| ${name} | ${r.throughput_per_h.toFixed(1)} | ${s(r.latency_s.p50)} | ${s(r.latency_s.p95)} | ${pct(dit.utilization)} | ${post ? `${pct(post.utilization)} (${post.replicas}× ${post.gpu})` : '–'} | ${Math.round(r.energy.per_video_wh)} | ${usd(r.cost?.usd_per_video)} |`);
  }
  out.push('', '| class | where | post-processing on the GPUs | CPU encode | that pool\'s time per video |', '|---|---|---:|---:|---:|');
  for (const { name, result: r } of rows) {
    for (const t of r.service_times.filter((x) => x.postprocess_s > 0 || x.postprocess_cpu_s > 0)) {
      out.push(`| ${t.class} | ${name}: ${t.pool} | ${s(t.postprocess_s)} | ${t.postprocess_cpu_s > 0 ? s(t.postprocess_cpu_s) : '–'} | ${s(t.total_s)} |`);
    }
  }
  const cheapest = [...rows].sort((a, b) => (a.result.cost?.usd_per_video ?? Infinity) - (b.result.cost?.usd_per_video ?? Infinity))[0]!;
  const fastest = [...rows].sort((a, b) => a.result.latency_s.p95 - b.result.latency_s.p95)[0]!;
  const onDit = rows[0]!.result;
  const rrdb = onDit.service_times.find((t) => t.class.includes('rrdb'));
  const rrdbL4 = rows.find((x) => x.name.includes('L4'))?.result.service_times.find((t) => t.class.includes('rrdb') && t.pool !== 'dit');
  out.push(
    '',
    `Same traffic (\`vgsim sweep ${POSTPROCESS_SCENARIO}\`, ${onDit.requests.arrived} videos in 12 h). ` +
      `Cheapest per video: **${cheapest.name}** (${usd(cheapest.result.cost?.usd_per_video)}); lowest p95: **${fastest.name}** (${s(fastest.result.latency_s.p95)}). ` +
      (rrdb && rrdbL4
        ? `The networks are small next to the DiT: the heaviest chain (RIFE to 24 fps, then RRDBNet ×4 on every frame) holds a 4-GPU H100 replica for ${s(rrdb.postprocess_s)} of its ${s(rrdb.total_s)} (${pct(rrdb.postprocess_s / rrdb.total_s)}), but a single L4 for ${s(rrdbL4.postprocess_s)}. `
        : '') +
      `The H100 has no NVENC, so on the DiT GPUs the encode runs on host cores (x264/x265), off the GPUs' clock. ` +
      (cheapest === rows[0] && fastest === rows[0]
        ? 'Here the H100 time that a separate pool frees is worth less than the pool costs, and the hand-over of decoded frames plus the slower GPUs add latency: keep post-processing on the DiT replicas. A separate pool would pay off where the DiT GPUs are the bottleneck (the freed H100 time buys videos) or the chain is heavy on an expensive GPU.'
        : 'Here a separate pool frees enough H100 time to pay for itself.'),
  );
  return out.join('\n');
}

/** The operator model against each GPU's post-processing bench (npm run validate:postprocess), per network: median time error. */
export function postprocessCheckBlock(): string {
  const dir = packagePath('calibration/postprocess');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('cpu-')).sort();
  const nets = ['rife', 'srvgg_16', 'srvgg_32', 'rrdbnet_x4'];
  const out = [`| GPU (file) | profile | ${nets.join(' | ')} |`, `|---|---|${nets.map(() => '---:').join('|')}|`];
  const sg = (x: number) => `${x >= 0 ? '+' : '−'}${(100 * Math.abs(x)).toFixed(1)}%`;
  for (const f of files) {
    const bench = loadBench(`${dir}/${f}`);
    const gpu = catalogGpuOfDeviceName(bench.gpu_name);
    if (!gpu) continue;
    const rows = comparePostprocess(bench, gpu);
    const cell = (n: string) => { const e = rows.filter((r) => r.network === n && r.time_error !== null).map((r) => r.time_error!); return e.length ? sg(median(e)) : '–'; };
    out.push(`| ${gpu} (\`${f}\`) | ${builtinProfile(gpu) ? 'measured' : `extrapolated from ${REFERENCE_GPU}`} | ${nets.map(cell).join(' | ')} |`);
  }
  return out.join('\n');
}
