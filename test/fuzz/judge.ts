/**
 * What every fuzzed command must do (issue 20), as a list of problems (empty: fine):
 *  - never exit 1 (an unexpected failure) and never print a stack trace;
 *  - refuse malformed input with exit 2 and say where: file:line, the --set flag, the command-line flag or
 *    argument, or the file that could not be read;
 *  - finish within the time limit (the run budget bounds every accepted run);
 *  - for an accepted run, the invariants of its summary: requests conserved, latencies >= 0 with ordered
 *    percentiles, energy > 0 when a GPU was busy, and n/a (null) rather than 0 when nothing completed;
 *  - no NaN, "undefined" or "[object Object]" in what an accepted command prints.
 */
import type { FuzzCase } from './generator.ts';

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Wall time one case may take (2 shared cores; an accepted run is bounded by a 2-million-event budget). */
export const CASE_LIMIT_MS = 30_000;

const STACK = /\n\s+at (\S+ \(|\/|file:|node:)/;
/** Where an error points: a file position, a file, a --set or other flag, or commander's argument errors. */
const LOCATION = /\.(ya?ml|csv|json)\b|--[a-z][\w-]*|\/adir\b|\/dev\/|\/etc\b|argument|command|option/;

export function judge(c: FuzzCase, o: Outcome): string[] {
  const problems: string[] = [];
  const all = `${o.stdout}\n${o.stderr}`;
  const firstError = o.stderr.split('\n').find((l) => l.trim()) ?? o.stdout.split('\n').find((l) => /FAIL|error/.test(l)) ?? '';
  if (o.code === 1) problems.push(`exit 1 (an unexpected failure): ${firstError.slice(0, 300)}`);
  else if (![0, 2, 3].includes(o.code)) problems.push(`exit ${o.code}`);
  if (STACK.test(all)) problems.push(`a stack trace: ${all.slice(all.search(STACK) - 200, all.search(STACK) + 200)}`);
  if (o.ms > CASE_LIMIT_MS) problems.push(`took ${(o.ms / 1000).toFixed(1)} s (limit ${CASE_LIMIT_MS / 1000} s)`);
  if (c.bad && o.code === 0) problems.push('malformed input accepted (exit 0)');
  if (o.code === 2 && !LOCATION.test(all)) problems.push(`exit 2 without saying where: ${all.slice(0, 300)}`);
  if (o.code === 0 && /\bNaN\b|\bundefined\b|\[object Object\]/.test(o.stdout)) problems.push(`NaN/undefined in the output: ${o.stdout.match(/.{0,80}(\bNaN\b|\bundefined\b|\[object Object\]).{0,80}/)?.[0]}`);
  if (o.code === 0 && c.argv.includes('--json')) {
    let doc: unknown;
    try {
      doc = JSON.parse(o.stdout);
    } catch {
      problems.push(`--json printed something that is not one JSON document: ${o.stdout.slice(0, 200)}`);
    }
    if (doc !== undefined && c.argv[0] === 'run') {
      try {
        problems.push(...runInvariants(doc as RunJson));
      } catch (e) {
        problems.push(`the run's summary lacks a field the invariants read (${e instanceof Error ? e.message : String(e)})`);
      }
    }
  }
  return problems;
}

interface Dist {
  mean: number | null;
  p50: number | null;
  p90?: number | null;
  p95: number | null;
  p99: number | null;
  max?: number | null;
}

interface RunJson {
  requests: { arrived: number; completed: number; dropped: number; failed: number; in_flight: number };
  latency_s: Dist;
  queue_wait_s: Dist;
  energy: { total_kwh: number; per_video_wh: number | null };
  gpus: number;
  sim_time_s: number;
  gpu_utilization: number;
  slo_attainment: number | null;
  classes: { arrived: number; latency_s: Dist }[];
}

/** The invariants of a run's summary (a run that was accepted). */
export function runInvariants(s: RunJson): string[] {
  const p: string[] = [];
  const q = s.requests;
  if (q.arrived !== q.completed + q.dropped + q.failed + q.in_flight) p.push(`requests not conserved: ${JSON.stringify(q)}`);
  if (s.classes.reduce((a, c) => a + c.arrived, 0) !== q.arrived) p.push('class arrivals do not add up to the arrivals');
  const ordered = (what: string, d: Dist, keys: (keyof Dist)[]) => {
    const xs = keys.map((k) => d[k]);
    if (xs.some((x) => x === null || x === undefined || !(x >= 0))) p.push(`${what}: a value is missing or negative: ${JSON.stringify(d)}`);
    else for (let i = 1; i < xs.length; i++) if (xs[i]! < xs[i - 1]! * (1 - 1e-9)) p.push(`${what}: ${keys[i]} ${xs[i]} below ${keys[i - 1]} ${xs[i - 1]}`);
  };
  if (q.completed > 0) {
    ordered('latency', s.latency_s, ['p50', 'p90', 'p95', 'p99', 'max']);
    ordered('latency mean', s.latency_s, ['mean', 'max']);
    ordered('queue wait', s.queue_wait_s, ['p50', 'p95', 'p99']);
    if (!(s.energy.per_video_wh !== null && s.energy.per_video_wh > 0)) p.push(`energy per video ${s.energy.per_video_wh} with ${q.completed} videos made`);
  } else {
    // nothing completed: n/a (null in JSON), never a latency or an energy per video of 0
    for (const [k, v] of Object.entries(s.latency_s)) if (v !== null) p.push(`nothing completed but latency ${k} = ${v}`);
    if (s.energy.per_video_wh !== null) p.push(`nothing completed but energy per video = ${s.energy.per_video_wh}`);
  }
  // something ran: a GPU was busy or a video was made (a cluster asleep all along, nodes off, may use nothing)
  if ((s.gpu_utilization > 0 || q.completed > 0) && !(s.energy.total_kwh > 0)) p.push(`GPUs were busy (utilization ${s.gpu_utilization}) but the run used ${s.energy.total_kwh} kWh`);
  if (!(s.gpu_utilization >= 0 && s.gpu_utilization <= 1 + 1e-9)) p.push(`GPU utilization ${s.gpu_utilization}`);
  if (s.slo_attainment !== null && !(s.slo_attainment >= 0 && s.slo_attainment <= 1)) p.push(`SLO attainment ${s.slo_attainment}`);
  return p;
}
