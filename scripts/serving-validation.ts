/**
 * The README's "Validated against a real server" numbers, regenerated from the committed observed traces
 * (calibration/serving/traces/<run>/, written by calibration/serving/run_cpu.sh or run_gpu.sh):
 *
 *   npm run serving:validation              print the README section
 *   npm run serving:validation -- --write   rewrite it in README.md (between the serving-validation markers)
 *                                           and the chart docs/images/serving-replay.{svg,png}
 *
 * test/serving-validation.test.ts checks that README.md holds exactly what this prints, so every number
 * there comes from code CI runs. Each scored trace is replayed with the run's scenario, whose serving
 * overheads were fitted (vgsim calibrate) on a different trace, fit.csv.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { readObservedTrace, type ObservedTrace } from '../src/calibration/observed-trace.ts';
import { replay, type PredictedSamples, type ReplayReport } from '../src/calibration/replay.ts';
import { fmtError, replayChart } from '../src/calibration/report.ts';
import { renderPng, renderSvg } from '../src/report/charts.ts';
import { fmtSeconds } from '../src/report/table.ts';

export const RUNS = [
  {
    dir: 'calibration/serving/traces/cpu-tiny',
    scenario: 'calibration/serving/scenarios/cpu-tiny.yaml',
    scored: ['load50', 'load85', 'bursty'],
    chart: 'load85',
  },
];
const BEGIN = '<!-- serving-validation:begin -->';
const END = '<!-- serving-validation:end -->';

interface Scored {
  name: string;
  trace: ObservedTrace;
  after: ReplayReport;
  before: ReplayReport;
  samples: PredictedSamples;
}

function arrivalsText(t: ObservedTrace): string {
  const l = t.meta?.load ?? {};
  const util = l.utilization !== undefined ? `, ${Math.round(l.utilization * 100)}% target` : '';
  if (l.arrivals === 'gamma') return `Gamma cv ${l.cv}${util}`;
  if (l.arrivals === 'poisson') return `Poisson${util}`;
  return String(l.arrivals ?? '?');
}

export function scoreRun(run: (typeof RUNS)[number]): Scored[] {
  const loaded = loadScenario(run.scenario);
  const baseDir = dirname(resolve(run.scenario));
  return run.scored.map((name) => {
    const trace = readObservedTrace(`${run.dir}/${name}.csv`);
    const after = replay(loaded, trace, { baseDir });
    return { name, trace, after: after.report, samples: after.samples, before: replay(loaded, trace, { baseDir, overheads: null }).report };
  });
}

export const row = (r: ReplayReport, metric: string) => r.rows.find((x) => x.metric === metric)!;

/**
 * How much slower (+) or faster (−) the worker ran during a trace than during the fit trace: the mean over
 * request shapes of (mean stage time in the trace / in the fit trace) − 1, stages = encode + denoise + decode.
 */
export function stageDrift(fit: ObservedTrace, t: ObservedTrace): number {
  const means = (tr: ObservedTrace) => {
    const by = new Map<string, number[]>();
    for (const r of tr.requests) {
      if (r.outcome !== 'completed' || r.encodeStart === undefined || r.decodeEnd === undefined) continue;
      const k = `${r.width}x${r.height}x${r.frames}f/${r.steps}st`;
      const x = r.encodeEnd! - r.encodeStart + (r.denoiseEnd! - r.denoiseStart!) + (r.decodeEnd - r.decodeStart!);
      by.set(k, [...(by.get(k) ?? []), x]);
    }
    return new Map([...by].map(([k, xs]) => [k, xs.reduce((a, b) => a + b, 0) / xs.length]));
  };
  const f = means(fit);
  const ratios = [...means(t)].filter(([k]) => f.has(k)).map(([k, m]) => m / f.get(k)!);
  return ratios.reduce((a, b) => a + b, 0) / ratios.length - 1;
}

export function servingValidationSection(): string {
  const out: string[] = [BEGIN];
  for (const run of RUNS) {
    const scored = scoreRun(run);
    const meta = scored[0]!.trace.meta ?? {};
    const worker = (meta.workers ?? [])[0] ?? {};
    const overheads = JSON.parse(readFileSync(`${run.dir}/overheads.json`, 'utf8'));
    const fit = readObservedTrace(`${run.dir}/fit.csv`);
    const host = meta.host ?? {};
    out.push(
      `**${meta.server?.device === 'cpu' ? 'CPU tiny-model run — not a GPU measurement' : 'Run'}** (\`${run.dir}/\`): ${host.cpu ?? '?'} with ${host.cpus ?? '?'} vCPUs shared with other jobs, ` +
        `${meta.server?.workers} worker × ${worker.threads ?? '?'} torch thread at nice ${meta.server?.nice ?? 0}${meta.server?.autogroup ? ' in its own autogroup' : ''}, ${meta.server?.routing}; Python ${meta.software?.python}, torch ${worker.torch ?? '?'}. ` +
        `Fitted by \`vgsim calibrate\` on \`fit.csv\` (${arrivalsText(fit)}, ${fit.requests.length} requests): the stage times of each shape (\`stage-times.json\`; vgsim has no cost model for a CPU) ` +
        `and the serving overheads: dispatch ${fmtSeconds(overheads.dispatch_s)}, hand-off ${fmtSeconds(overheads.handoff_s)}, request ${fmtSeconds(overheads.request_s)}, service-time CV ${overheads.service_cv.toFixed(2)} with a correlation time of ${fmtSeconds(overheads.service_correlation_s)}. ` +
        'The traces below were not used for fitting.',
      '',
      `| trace | arrivals | requests | stage times vs fit.csv | utilization obs / pred | throughput err | p50 obs / pred | p50 err | p95 obs / pred | p95 err | p95 over ${scored[0]!.after.replications} seeds | p99 err |`,
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const s of scored) {
      const a = s.after;
      const u = row(a, 'utilization');
      const p = (m: string) => `${fmtSeconds(row(a, m).observed)} / ${fmtSeconds(row(a, m).predicted)}`;
      const range = row(a, 'latency p95').range;
      out.push(`| ${s.name} | ${arrivalsText(s.trace)} | ${a.compared} | ${fmtError(stageDrift(fit, s.trace))} | ${(u.observed * 100).toFixed(1)}% / ${(u.predicted * 100).toFixed(1)}% | ${fmtError(row(a, 'throughput /h').error)} | ${p('latency p50')} | ${fmtError(row(a, 'latency p50').error)} | ${p('latency p95')} | ${fmtError(row(a, 'latency p95').error)} | ${range ? `${fmtSeconds(range[0])} … ${fmtSeconds(range[1])}` : '-'} | ${fmtError(row(a, 'latency p99').error)} |`);
    }
    out.push('', 'Error before (no serving overheads) → after calibration:', '', '| trace | p50 | p95 | throughput | mean wait |', '|---|---:|---:|---:|---:|');
    for (const s of scored) {
      const ba = (m: string) => `${fmtError(row(s.before, m).error)} → ${fmtError(row(s.after, m).error)}`;
      out.push(`| ${s.name} | ${ba('latency p50')} | ${ba('latency p95')} | ${ba('throughput /h')} | ${ba('queue wait mean')} |`);
    }
  }
  out.push(END);
  return out.join('\n');
}

export function replaceSection(readme: string, section: string): string {
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${BEGIN} … ${END} markers`);
  return readme.slice(0, a) + section + readme.slice(b + END.length);
}

async function main(): Promise<void> {
  const section = servingValidationSection();
  if (!process.argv.includes('--write')) {
    process.stdout.write(section + '\n');
    return;
  }
  writeFileSync('README.md', replaceSection(readFileSync('README.md', 'utf8'), section));
  for (const run of RUNS) {
    const s = scoreRun(run).find((x) => x.name === run.chart)!;
    const svg = await renderSvg(replayChart(s.after, `vgsim replay of a real server (CPU, tiny model): ${run.chart}.csv`, s.samples));
    writeFileSync('docs/images/serving-replay.svg', svg);
    writeFileSync('docs/images/serving-replay.png', renderPng(svg, { scale: 900 / Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1] ?? 900) }));
  }
  process.stderr.write('wrote README.md (serving validation section) and docs/images/serving-replay.{svg,png}\n');
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) await main();
