/**
 * Why a replay misses: what the committed observed traces say about the server itself, independent of vgsim's
 * model (calibration/serving/README.md, "Why the replay missed at high load"):
 *
 *   npm run serving:diagnosis              print the README block
 *   npm run serving:diagnosis -- --write   rewrite it in calibration/serving/README.md (between the markers)
 *
 * Per trace: the host's load average, each shape's stage time (encode + denoise + decode: the worker's service
 * time without overheads), its mean and coefficient of variation, the drift of the mean against the fit
 * trace (stageDrift), the worker's CPU time over its wall time (worker_cpu_s: did it wait for a CPU?), the correlation of consecutive requests' log stage-time ratios (slow spells), the
 * correlation of the stage-time ratio with the arrivals per second the server took in meanwhile (does the
 * server's own load slow its worker?), the first five requests' ratio (warm-up), and a FIFO check: each worker's queue
 * replayed with the observed occupancies (dispatch = max(arrival, previous finish on that worker)) against
 * the observed dispatch times. test/serving-diagnosis.test.ts checks the README holds exactly this.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readObservedTrace, type ObservedRequest, type ObservedTrace } from '../src/calibration/observed-trace.ts';
import { shapeOf } from '../src/calibration/fit.ts';
import { fmtError } from '../src/calibration/report.ts';
import { stageDrift } from './serving-validation.ts';

export const DIAGNOSED = [
  { dir: 'calibration/serving/traces/cpu-tiny', label: 'the committed runs: process nice −15 only (autogroup nice 0)' },
  { dir: 'calibration/serving/traces/cpu-tiny-autogroup', label: 'recorded again with the server\'s session and autogroup at nice −15' },
];
const TRACES = ['stage-profile-trace', 'fit', 'load50', 'load85', 'bursty'];
const BEGIN = '<!-- serving-diagnosis:begin -->';
const END = '<!-- serving-diagnosis:end -->';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const staged = (r: ObservedRequest) => r.outcome === 'completed' && r.encodeStart !== undefined && r.decodeEnd !== undefined && r.start !== undefined;
const stageTime = (r: ObservedRequest) => r.encodeEnd! - r.encodeStart! + (r.denoiseEnd! - r.denoiseStart!) + (r.decodeEnd! - r.decodeStart!);

export interface TraceDiagnosis {
  name: string;
  requests: number;
  loadAverage: string;
  shapes: { shape: string; n: number; mean: number; cv: number }[];
  drift: number | null;
  lag1: number;
  /** Correlation of the stage-time ratio with the arrival rate the server handled while the stage ran. */
  loadCorr: number | null;
  ratioFirst5: number;
  /** Mean worker CPU time / wall time (worker_cpu_s / (worker_end − start)); null without worker_cpu_s. */
  cpuShare: number | null;
  fifoMaxError: number | null;
}

export function diagnose(t: ObservedTrace, fit: ObservedTrace | null): TraceDiagnosis {
  const rs = t.requests.filter(staged).sort((a, b) => a.start! - b.start!);
  const by = new Map<string, number[]>();
  for (const r of rs) by.set(shapeOf(r), [...(by.get(shapeOf(r)) ?? []), stageTime(r)]);
  const means = new Map([...by].map(([k, xs]) => [k, mean(xs)]));
  const shapes = [...by].sort(([a], [b]) => a.localeCompare(b)).map(([shape, xs]) => {
    const m = mean(xs);
    return { shape, n: xs.length, mean: m, cv: Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)) / m };
  });
  const ratio = rs.map((r) => stageTime(r) / means.get(shapeOf(r))!);
  const logs = ratio.map(Math.log);
  const lm = mean(logs);
  const lv = mean(logs.map((x) => (x - lm) ** 2));
  const lag1 = mean(logs.slice(1).map((x, i) => (x - lm) * (logs[i]! - lm))) / lv;
  // the server's own load while a request ran: arrivals per second during its stages (for Poisson arrivals
  // independent of the window's length, so a correlation means the load changes the service time)
  const closed = t.meta?.load?.arrivals === 'closed';
  const arrivals = t.requests.map((r) => r.arrival);
  const rate = rs.map((r) => arrivals.filter((a) => a >= r.encodeStart! && a < r.decodeEnd!).length / (r.decodeEnd! - r.encodeStart!));
  // FIFO per worker with the observed occupancies
  let fifoMaxError = 0;
  const free = new Map<string, number>();
  for (const r of [...t.requests].filter((x) => x.outcome === 'completed').sort((a, b) => a.arrival - b.arrival)) {
    const w = r.worker ?? '0';
    const dispatch = Math.max(r.arrival, free.get(w) ?? 0);
    fifoMaxError = Math.max(fifoMaxError, Math.abs(dispatch - r.dispatch!));
    free.set(w, r.finish!);
  }
  const run = t.meta?.run ?? {};
  const la = (x: number[] | undefined) => (x ? x[0]!.toFixed(1) : '?');
  return {
    name: t.file.replace(/^.*\//, '').replace(/\.csv$/, ''),
    requests: rs.length,
    loadAverage: `${la(run.load_average_at_start)} → ${la(run.load_average_at_end ?? t.meta?.host?.load_average)}`,
    shapes,
    drift: fit ? stageDrift(fit, t) : null,
    lag1,
    loadCorr: closed ? null : correlation(ratio, rate),
    ratioFirst5: mean(ratio.slice(0, 5)),
    cpuShare: rs.every((r) => r.workerCpu !== undefined && r.workerEnd !== undefined) ? mean(rs.map((r) => r.workerCpu! / (r.workerEnd! - r.start!))) : null,
    fifoMaxError: closed ? null : fifoMaxError,
  };
}

function correlation(x: number[], y: number[]): number {
  const mx = mean(x);
  const my = mean(y);
  const c = mean(x.map((v, i) => (v - mx) * (y[i]! - my)));
  return c / Math.sqrt(mean(x.map((v) => (v - mx) ** 2)) * mean(y.map((v) => (v - my) ** 2)));
}

const ms = (s: number) => (s < 1e-3 ? `${(s * 1e6).toFixed(0)} µs` : `${(s * 1e3).toFixed(1)} ms`);

export function servingDiagnosisSection(): string {
  const out: string[] = [BEGIN];
  for (const d of DIAGNOSED) {
    const fit = readObservedTrace(`${d.dir}/fit.csv`);
    const ds = TRACES.map((n) => diagnose(readObservedTrace(`${d.dir}/${n}.csv`), n === 'fit' || n === 'stage-profile-trace' ? null : fit));
    const shapes = ds[0]!.shapes.map((s) => s.shape);
    out.push(
      '',
      `\`${d.dir.replace(/^calibration\/serving\//, '')}/\` — ${d.label}:`,
      '',
      `| trace | load avg start → end | requests | ${shapes.map((s) => `${s} mean (CV)`).join(' | ')} | vs fit.csv | worker CPU / wall | lag-1 corr | corr with arrivals/s | first 5 | FIFO: max dispatch error |`,
      `|---|---|---:|${shapes.map(() => '---:').join('|')}|---:|---:|---:|---:|---:|---:|`,
    );
    for (const x of ds) {
      const cells = shapes.map((s) => {
        const v = x.shapes.find((y) => y.shape === s);
        return v ? `${v.mean.toFixed(3)} s (${v.cv.toFixed(2)})` : '-';
      });
      out.push(`| ${x.name} | ${x.loadAverage} | ${x.requests} | ${cells.join(' | ')} | ${x.drift === null ? '-' : fmtError(x.drift)} | ${x.cpuShare === null ? '-' : `${(x.cpuShare * 100).toFixed(0)}%`} | ${x.lag1.toFixed(2)} | ${x.loadCorr === null ? '-' : x.loadCorr.toFixed(2)} | ${x.ratioFirst5.toFixed(2)} | ${x.fifoMaxError === null ? '-' : ms(x.fifoMaxError)} |`);
    }
  }
  out.push('', END);
  return out.join('\n');
}

export function replaceDiagnosis(text: string, section: string): string {
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`calibration/serving/README.md has no ${BEGIN} … ${END} markers`);
  return text.slice(0, a) + section + text.slice(b + END.length);
}

const README = 'calibration/serving/README.md';
if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const section = servingDiagnosisSection();
  if (process.argv.includes('--write')) {
    writeFileSync(README, replaceDiagnosis(readFileSync(README, 'utf8'), section));
    process.stderr.write(`wrote ${README} (serving diagnosis block)\n`);
  } else process.stdout.write(section + '\n');
}
