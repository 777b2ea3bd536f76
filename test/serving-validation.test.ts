/**
 * The README's "Validated against a real server" section is exactly what scripts/serving-validation.ts
 * computes from the committed observed traces (replays through vgsim, overheads and stage times fitted on a
 * different trace, fit.csv), and the statements written around it hold.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { RUNS, row, scoreRun, serviceVsModel, servingValidationSection, stageDrift, stageSpread } from '../scripts/serving-validation.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { readObservedTrace } from '../src/calibration/observed-trace.ts';
import { replay } from '../src/calibration/replay.ts';
import { modelStages } from '../src/calibration/model-stages.ts';
import { diagnoseStages } from '../src/calibration/stage-diagnosis.ts';
import { EAGER_HOST_PER_KERNEL_S, SERVED_HOST_BOUND_SPREAD } from '../src/perf/host-dispatch.ts';

describe('README: validated against a real server', () => {
  it('holds what `npm run serving:validation` prints (regenerate with -- --write)', () => {
    expect(readFileSync('README.md', 'utf8')).toContain(servingValidationSection());
  }, 120_000);

  const runOf = (dir: string) => RUNS.find((r) => r.dir.endsWith(dir))!;
  /**
   * A later machine's replay of the third machine's trace `name`, scored, beside the third machine's own (scored
   * alone): the same requests — shapes identical, arrivals within 10 ms (the load generator's send jitter).
   */
  const sameArrivals = (dir: string, name: string) => {
    const [repeat] = scoreRun(runOf(dir));
    const [third] = scoreRun({ ...runOf('/gpu1-long'), scored: [name] });
    expect(repeat!.trace.requests.map((r) => [r.width, r.height])).toEqual(third!.trace.requests.map((r) => [r.width, r.height]));
    repeat!.trace.requests.forEach((r, i) => expect(Math.abs(r.arrival - third!.trace.requests[i]!.arrival)).toBeLessThan(0.01));
    return [repeat!, third!] as const;
  };

  it('the committed GPU overheads are what `vgsim calibrate` fits on gpu1/fit.csv today', async () => {
    const { loadScenario } = await import('../src/scenario/load.ts');
    const { readObservedTrace } = await import('../src/calibration/observed-trace.ts');
    const { calibrate, overheadsFile } = await import('../src/calibration/calibrate.ts');
    const { dirname, resolve } = await import('node:path');
    const scen = 'calibration/serving/scenarios/h100x1-1.3b.yaml';
    const c = calibrate(loadScenario(scen), readObservedTrace('calibration/serving/traces/gpu1/fit.csv'), [], dirname(resolve(scen)));
    expect(overheadsFile(c, 'fit.csv')).toEqual(JSON.parse(readFileSync('calibration/serving/traces/gpu1/overheads.json', 'utf8')));
  });

  it('the statements around the GPU tables hold', () => {
    const gpu1 = scoreRun(runOf('/gpu1'));
    const gpu1b = scoreRun(runOf('/gpu1b'));
    const err = (s: (typeof gpu1)[number], m: string) => Math.abs(row(s.after, m).error!);
    const of = (xs: typeof gpu1, t: string) => xs.find((s) => s.name === t)!;
    // overheads in milliseconds
    const o = JSON.parse(readFileSync('calibration/serving/traces/gpu1/overheads.json', 'utf8'));
    for (const k of ['dispatch_s', 'handoff_s', 'request_s']) expect(o[k]).toBeLessThan(0.01);
    // the first machine's host, fitted on fit.csv, is slower than the model's own (23.5 µs per kernel)
    expect(o.host_dispatch_us).toBeGreaterThan(EAGER_HOST_PER_KERNEL_S * 1e6 * 1.2);
    // with it the whole stack meets the targets on the three traces it was not fitted on
    for (const s of gpu1) {
      for (const m of ['latency p50', 'latency p95']) expect(err(s, m), `${s.name} ${m}`).toBeLessThanOrEqual(0.1);
      expect(err(s, 'throughput /h'), s.name).toBeLessThanOrEqual(0.05);
      // the stage times sit within 3% of the model at the fitted host
      expect(Math.abs(s.serviceVsModel), s.name).toBeLessThan(0.03);
      // and before calibration (no overheads, the model's own host) p50 or p95 missed by more than 8%
      expect(Math.max(...['latency p50', 'latency p95'].map((m) => Math.abs(row(s.before, m).error!))), s.name).toBeGreaterThan(0.08);
    }
    // the second machine, at the model's own host time: throughput within 5%, p50 and p95 within 20.5%, its bursty p50 off by more than 13%
    for (const s of gpu1b) {
      expect(err(s, 'throughput /h')).toBeLessThanOrEqual(0.05);
      for (const m of ['latency p50', 'latency p95']) expect(err(s, m)).toBeLessThanOrEqual(0.205);
    }
    expect(err(of(gpu1b, 'bursty'), 'latency p50')).toBeGreaterThan(0.13);
    // at the model's own host time the observed stage times are 9-15% above the model on the first machine, 9-30% on the second
    const scen = 'calibration/serving/scenarios/h100x1-1.3b.yaml';
    const own = loadScenario(scen, { set: ['serving_overheads=null'] });
    for (const s of [...gpu1, ...gpu1b]) {
      const v = serviceVsModel(diagnoseStages(s.trace, modelStages(own, s.trace, dirname(scen))));
      expect(v, s.name).toBeGreaterThan(0.09);
      expect(v, s.name).toBeLessThan(gpu1.includes(s) ? 0.15 : 0.3);
    }
  }, 240_000);

  it('the statements around the third machine\'s longer traces hold', () => {
    const long = scoreRun(runOf('/gpu1-long'));
    const of = (t: string) => long.find((s) => s.name === t)!;
    const err = (t: string, m: string) => row(of(t).after, m).error!;
    // targets hold on two of four: p50 and p95 within 5%, throughput within 1%
    for (const t of ['load50-long', 'bursty2-long']) {
      for (const m of ['latency p50', 'latency p95']) expect(Math.abs(err(t, m)), `${t} ${m}`).toBeLessThanOrEqual(0.05);
      expect(Math.abs(err(t, 'throughput /h')), t).toBeLessThanOrEqual(0.01);
    }
    // load85-long misses p50 by 10-11% (p95 within 4%, throughput met); bursty-long p50 by 12-13% (p95 within 11%):
    // the host's drift (its small shape's stage times spread below)
    expect(err('load85-long', 'latency p50')).toBeGreaterThan(0.10);
    expect(err('load85-long', 'latency p50')).toBeLessThan(0.11);
    expect(Math.abs(err('load85-long', 'latency p95'))).toBeLessThanOrEqual(0.04);
    expect(err('bursty-long', 'latency p50')).toBeLessThan(-0.12);
    expect(err('bursty-long', 'latency p50')).toBeGreaterThan(-0.13);
    expect(Math.abs(err('bursty-long', 'latency p95'))).toBeLessThanOrEqual(0.11);
    // the small shape's stage times spread by more than 50% there; the GPU-bound shape within 5% on every trace
    expect(stageSpread(of('bursty-long').trace)).toEqual({ spread: expect.closeTo(0.795, 2), shape: '480x272x17f/8st' });
    expect(stageSpread(of('bursty-long').trace).spread).toBeGreaterThan(0.5);
    for (const s of long) {
      const big = { ...s.trace, requests: s.trace.requests.filter((r) => r.width === 832) };
      expect(stageSpread(big).spread, s.name).toBeLessThan(0.05);
    }
    // steal time recorded in bursty2-long: under 0.01% of 16 CPUs' time while requests ran
    const reqs = of('bursty2-long').trace.requests;
    expect(reqs.every((r) => r.hostSteal !== undefined)).toBe(true);
    const steal = reqs.reduce((a, r) => a + r.hostSteal!, 0);
    const busy = reqs.reduce((a, r) => a + (r.finish! - r.start!), 0);
    expect(steal / (busy * 16)).toBeLessThan(1e-4);
  }, 240_000);

  it('a host fitted on another machine does not carry over: the first machine\'s (slow) host puts the third machine\'s load85 p50 over two fifths too high', () => {
    const run = runOf('/gpu1-long');
    const [own] = scoreRun({ ...run, scored: ['load85-long'] });
    const [borrowed] = scoreRun({ ...run, scored: ['load85-long'], set: [] });
    expect(Math.abs(row(own!.after, 'latency p50').error!)).toBeLessThanOrEqual(0.11);
    expect(row(borrowed!.after, 'latency p50').error!).toBeGreaterThan(0.35);
    expect(row(borrowed!.after, 'latency p50').error!).toBeLessThan(0.5);
  }, 240_000);

  it('the third machine\'s host changed speed between its traces: fitted on each in turn, 19.5 to 29.3 µs per kernel', async () => {
    const { fitHostDispatch } = await import('../src/calibration/host-fit.ts');
    const scen = 'calibration/serving/scenarios/h100x1-1.3b.yaml';
    const loaded = loadScenario(scen, { set: ['serving_overheads=null'] });
    const us = ['load50-long', 'load85-long', 'bursty-long', 'bursty2-long'].map((n) => {
      const f = fitHostDispatch(loaded, readObservedTrace(`calibration/serving/traces/gpu1-long/${n}.csv`), dirname(resolve(scen)));
      return f.fitted ? f.host_dispatch_us : NaN;
    });
    expect(Math.min(...us)).toBeCloseTo(19.55, 1);
    expect(Math.max(...us)).toBeCloseTo(29.3, 1);
  }, 240_000);

  it('the fourth machine replays bursty-long\'s exact arrivals and meets the targets the third machine missed', () => {
    const [b, third] = sameArrivals('/gpu1-long-b', 'bursty-long');
    for (const m of ['latency p50', 'latency p95']) expect(Math.abs(row(b.after, m).error!), m).toBeLessThanOrEqual(0.08);
    expect(Math.abs(row(b.after, 'throughput /h').error!)).toBeLessThanOrEqual(0.01);
    // its stage times sit near the model (within 5%), the third machine's 8.5% or more above it
    expect(Math.abs(b.serviceVsModel)).toBeLessThan(0.05);
    expect(third.serviceVsModel).toBeGreaterThan(0.085);
  }, 240_000);

  it('the fifth machine replays load85-long\'s exact arrivals: its slow host misses by a third what the third machine came within 11% of', () => {
    const [c, third] = sameArrivals('/gpu1-long-c', 'load85-long');
    // the third machine comes within 11% of this trace; the fifth's p50 misses by more than a third, throughput still within 1%
    expect(Math.abs(row(third.after, 'latency p50').error!)).toBeLessThanOrEqual(0.11);
    expect(row(c.after, 'latency p50').error!).toBeLessThan(-0.3);
    expect(Math.abs(row(c.after, 'throughput /h').error!)).toBeLessThanOrEqual(0.01);
    // the GPU-bound shape agrees within 5% on both hosts; the host-bound one is 20% slow on the fifth
    const byShape = (s: typeof c) => Object.fromEntries(s.after.stage_diagnosis!.stages.map((x) => [x.shape, x.drift]));
    expect(Math.abs(byShape(c)['832x480x17f/8st']!)).toBeLessThan(0.05);
    expect(byShape(c)['480x272x17f/8st']!).toBeGreaterThan(0.15);
  }, 240_000);

  it('the sixth and seventh machines, each fitted on its own fit trace: the serving layer alone and the whole stack meet the targets on both', () => {
    for (const dir of ['/gpu1-long-d', '/gpu1-long-e']) {
      const [full, measured] = RUNS.filter((r) => r.dir.endsWith(dir)).map((r) => scoreRun(r)[0]!);
      expect(measured!.after.scenario.stage_times.some(Boolean), dir).toBe(true);
      for (const s of [full!, measured!]) {
        expect(Math.abs(row(s.after, 'latency p50').error!), `${dir} p50`).toBeLessThanOrEqual(0.1);
        expect(Math.abs(row(s.after, 'latency p95').error!), `${dir} p95`).toBeLessThanOrEqual(0.1);
        expect(Math.abs(row(s.after, 'throughput /h').error!), dir).toBeLessThanOrEqual(0.05);
      }
      // a fast host: the fitted time per kernel is under the model's own, and at the model's own the cost model
      // predicts the small shape too slow, p50 over by more than 10% (the "before" column: no overheads, own host)
      const o = JSON.parse(readFileSync(`calibration/serving/traces${dir}/overheads.json`, 'utf8'));
      expect(o.host_dispatch_us, dir).toBeLessThan(EAGER_HOST_PER_KERNEL_S * 1e6 * 0.9);
      expect(row(full!.before, 'latency p50').error!, dir).toBeGreaterThan(0.1);
    }
  }, 240_000);

  it('the eighth machine (fit and load85 only): its host near the model\'s own, the whole stack meets the targets before calibration and after', () => {
    const [full, measured] = RUNS.filter((r) => r.dir.endsWith('/gpu1-f')).map((r) => scoreRun(r)[0]!);
    expect(measured!.after.scenario.stage_times.some(Boolean)).toBe(true);
    for (const r of [full!.before, full!.after, measured!.after]) {
      for (const m of ['latency p50', 'latency p95']) expect(Math.abs(row(r, m).error!), m).toBeLessThanOrEqual(0.1);
      expect(Math.abs(row(r, 'throughput /h').error!)).toBeLessThanOrEqual(0.05);
    }
    const o = JSON.parse(readFileSync('calibration/serving/traces/gpu1-f/overheads.json', 'utf8'));
    expect(Math.abs(o.host_dispatch_us / (EAGER_HOST_PER_KERNEL_S * 1e6) - 1)).toBeLessThan(0.1);
  }, 240_000);

  it('the ninth machine, measured after the host fit was built (bursty only): a slow host, more than 5% off before calibration, met after', () => {
    const [full, measured] = RUNS.filter((r) => r.dir.endsWith('/gpu1-g')).map((r) => scoreRun(r)[0]!);
    expect(measured!.after.scenario.stage_times.some(Boolean)).toBe(true);
    expect(Math.abs(row(full!.before, 'latency p50').error!)).toBeGreaterThan(0.05);
    for (const r of [full!.after, measured!.after]) {
      for (const m of ['latency p50', 'latency p95']) expect(Math.abs(row(r, m).error!), m).toBeLessThanOrEqual(0.1);
      expect(Math.abs(row(r, 'throughput /h').error!)).toBeLessThanOrEqual(0.05);
    }
    const o = JSON.parse(readFileSync('calibration/serving/traces/gpu1-g/overheads.json', 'utf8'));
    expect(o.host_dispatch_us).toBeGreaterThan(EAGER_HOST_PER_KERNEL_S * 1e6 * 1.1); // a slow host
  }, 240_000);

  it('the tenth machine: bursty met after calibration; load85 meets p50 and misses p95 by a quarter, its host faster than during the fit trace', () => {
    const [full, measured] = RUNS.filter((r) => r.dir.endsWith('/gpu1-h')).map((r) => scoreRun(r));
    const [load85, bursty] = full!;
    for (const r of [bursty!.after, measured![1]!.after]) {
      for (const m of ['latency p50', 'latency p95']) expect(Math.abs(row(r, m).error!), m).toBeLessThanOrEqual(0.1);
      expect(Math.abs(row(r, 'throughput /h').error!)).toBeLessThanOrEqual(0.05);
    }
    expect(Math.abs(row(load85!.after, 'latency p50').error!)).toBeLessThanOrEqual(0.1);
    expect(row(load85!.after, 'latency p95').error!).toBeGreaterThan(0.2);
    expect(row(measured![0]!.after, 'latency p95').error!).toBeGreaterThan(0.2); // with the fit trace's own stage times too
    // the cause: the worker ran faster during load85 than during the fit trace, and the host-speed monitor saw it
    const dir = 'calibration/serving/traces/gpu1-h';
    const fit = readObservedTrace(`${dir}/fit.csv`);
    expect(stageDrift(fit, readObservedTrace(`${dir}/load85.csv`))).toBeLessThan(-0.03);
    const monitor = readFileSync(`${dir}/hostspeed.txt`, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/\s+/).map(Number));
    const medianMs = (name: string) => {
      const run = JSON.parse(readFileSync(`${dir}/${name}.json`, 'utf8')).run;
      const ms = monitor.filter(([t]) => t! >= run.started_at_unix + 20 && t! <= run.started_at_unix + run.wall_s).map((r) => r[2]!).sort((a, b) => a - b);
      return ms[ms.length >> 1]!;
    };
    expect(medianMs('load85')).toBeLessThan(medianMs('fit') * 0.95);
    // and not the queueing: served in each request's own observed stage time, the replay lands on the observed percentiles
    const loaded = loadScenario('calibration/serving/scenarios/h100x1-1.3b-measured.yaml', { set: ['deployment.stage_times=../traces/gpu1-h/stage-times.json', 'serving_overheads=../traces/gpu1-h/overheads.json'] });
    for (const name of ['load85', 'bursty']) {
      const { report } = replay(loaded, readObservedTrace(`${dir}/${name}.csv`), { baseDir: 'calibration/serving/scenarios', observedService: true, diagnose: false });
      expect(report.service).toBe('observed');
      for (const m of ['latency p50', 'latency p95', 'throughput /h']) expect(Math.abs(row(report, m).error!), `${name} ${m}`).toBeLessThan(0.01);
    }
  }, 240_000);

  it('the eleventh machine: both traces met after calibration, with the cost model\'s stage times and with its own; its large shape within 3% of the model at the fitted host, where pricing the harness\'s IEEE fp32 GEMMs as TF32 put it 4-7% under', () => {
    const [full, measured] = RUNS.filter((r) => r.dir.endsWith('/gpu1-i')).map((r) => scoreRun(r));
    for (const r of [...full!, ...measured!].map((x) => x.after)) {
      for (const m of ['latency p50', 'latency p95']) expect(Math.abs(row(r, m).error!), m).toBeLessThanOrEqual(0.1);
      expect(Math.abs(row(r, 'throughput /h').error!)).toBeLessThanOrEqual(0.05);
    }
    const o = JSON.parse(readFileSync('calibration/serving/traces/gpu1-i/overheads.json', 'utf8'));
    const fit = readObservedTrace('calibration/serving/traces/gpu1-i/fit.csv');
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const denoise = (w: number) => mean(fit.requests.filter((q) => q.width === w).map((q) => q.denoiseEnd! - q.denoiseStart!));
    const modelDenoise = (w: number, fp32: 'ieee' | 'tf32') => {
      const loaded = loadScenario('calibration/serving/scenarios/h100x1-1.3b.yaml', { set: [`inference.host_dispatch_us=${o.host_dispatch_us}`, 'serving_overheads=null', `inference.fp32_matmul=${fp32}`] });
      return modelStages(loaded, fit, 'calibration/serving/scenarios')(fit.requests.find((q) => q.width === w)!)!.times.denoise_s;
    };
    expect(Math.abs(denoise(480) / modelDenoise(480, 'ieee') - 1)).toBeLessThan(0.01);
    expect(Math.abs(denoise(832) / modelDenoise(832, 'ieee') - 1)).toBeLessThan(0.03);
    // the harness keeps PyTorch's default IEEE fp32 matmuls: priced as TF32, the large shape comes out 4-7% fast
    expect(denoise(832) / modelDenoise(832, 'tf32') - 1).toBeGreaterThan(0.04);
    expect(denoise(832) / modelDenoise(832, 'tf32') - 1).toBeLessThan(0.07);
    // and the large shape's denoise is the same on every machine (within 3% of this one's on every scored trace)
    for (const run of RUNS.filter((r) => r.dir.includes('/gpu1') && r.scenario.endsWith('h100x1-1.3b.yaml'))) {
      for (const name of run.scored) {
        const t = readObservedTrace(`${run.dir}/${name}.csv`).requests.filter((q) => q.width === 832 && q.outcome === 'completed');
        if (t.length) expect(Math.abs(mean(t.map((q) => q.denoiseEnd! - q.denoiseStart!)) / denoise(832) - 1), `${run.dir}/${name}`).toBeLessThan(0.03);
      }
    }
  }, 240_000);

  it('every committed trace, replayed with each request\'s own observed service time, lands within 1% at p50, p95 and throughput: the misses are in the service times, not the queueing', () => {
    const seen = new Set<string>();
    for (const run of RUNS) {
      const loaded = loadScenario(run.scenario, { set: run.set ?? [] });
      for (const name of run.scored) {
        if (seen.has(`${run.dir}/${name}`)) continue;
        seen.add(`${run.dir}/${name}`);
        const { report } = replay(loaded, readObservedTrace(`${run.dir}/${name}.csv`), { baseDir: dirname(run.scenario), observedService: true, diagnose: false });
        for (const m of ['latency p50', 'latency p95', 'throughput /h']) expect(Math.abs(row(report, m).error!), `${run.dir}/${name} ${m}`).toBeLessThan(0.01);
      }
    }
    expect(seen.size).toBeGreaterThanOrEqual(22);
  }, 240_000);

  it('the twelfth and thirteenth machines (a fast and a slow host, measured after the generic-loop rates went in): both traces of each met after calibration, with the cost model\'s stage times and with their own', () => {
    for (const [dir, fast] of [['/gpu1-j', true], ['/gpu1-k', false]] as const) {
      const [full, measured] = RUNS.filter((r) => r.dir.endsWith(dir)).map((r) => scoreRun(r));
      expect(full!.map((x) => x.name)).toEqual(['load85', 'bursty']);
      for (const r of [...full!, ...measured!].map((x) => x.after)) {
        for (const m of ['latency p50', 'latency p95']) expect(Math.abs(row(r, m).error!), `${dir} ${m}`).toBeLessThanOrEqual(0.1);
        expect(Math.abs(row(r, 'throughput /h').error!), dir).toBeLessThanOrEqual(0.05);
      }
      const o = JSON.parse(readFileSync(`calibration/serving/traces${dir}/overheads.json`, 'utf8'));
      if (fast) expect(o.host_dispatch_us).toBeLessThan(EAGER_HOST_PER_KERNEL_S * 1e6 * 0.9);
      else expect(o.host_dispatch_us).toBeGreaterThan(EAGER_HOST_PER_KERNEL_S * 1e6 * 1.2);
    }
  }, 240_000);

  it('the spread the estimate quotes for host-bound shapes is what the committed GPU traces show', () => {
    const gpuRuns = RUNS.filter((r) => r.dir.includes('/gpu1') && r.scenario.endsWith('h100x1-1.3b.yaml'));
    const errs: { shape: string; error: number; host: boolean; trace: string; dir: string }[] = [];
    for (const run of gpuRuns) {
      // the spread is against the model's own host time per kernel, as the estimate quotes it (the run's own
      // request mix kept: a machine that served two GPU-bound shapes sets it)
      const loaded = loadScenario(run.scenario, { set: ['serving_overheads=null', ...(run.set ?? []).filter((x) => x.startsWith('workload.'))] });
      for (const name of run.scored) {
        const trace = readObservedTrace(`${run.dir}/${name}.csv`);
        for (const s of diagnoseStages(trace, modelStages(loaded, trace, dirname(run.scenario))).stages) errs.push({ shape: s.shape, error: s.drift!, host: s.host_bound!, trace: `${run.dir}/${name}`, dir: run.dir });
      }
    }
    // the host-bound spread: the traces and machines that served a host-bound shape; GPU-bound shapes of every trace
    const withHost = errs.filter((e) => e.host);
    expect(new Set(withHost.map((e) => e.trace)).size).toBe(SERVED_HOST_BOUND_SPREAD.traces);
    const host = errs.filter((e) => e.host).map((e) => e.error);
    const gpu = errs.filter((e) => !e.host).map((e) => e.error);
    expect(Math.min(...host)).toBeCloseTo(SERVED_HOST_BOUND_SPREAD.min, 3);
    expect(Math.max(...host)).toBeCloseTo(SERVED_HOST_BOUND_SPREAD.max, 3);
    expect(Math.max(...gpu.map(Math.abs))).toBeCloseTo(SERVED_HOST_BOUND_SPREAD.gpuBoundMax, 3);
    expect(new Set(withHost.map((e) => e.dir)).size).toBe(SERVED_HOST_BOUND_SPREAD.machines);
    // the machine that served only GPU-bound shapes (gpu1-gb) adds GPU-bound rows, all inside that bound
    const gb = errs.filter((e) => e.dir.endsWith('/gpu1-gb'));
    expect(gb.length).toBe(4);
    for (const e of gb) expect(e.host).toBe(false);
  }, 240_000);

  it('the first machine\'s traces with the stage times measured on its fit trace: the serving layer alone meets the targets', () => {
    const run = RUNS.find((r) => r.scenario.endsWith('h100x1-1.3b-measured.yaml'))!;
    expect(run.dir.endsWith('/gpu1')).toBe(true);
    const scored = scoreRun(run);
    expect(scored.map((s) => s.name)).toEqual(['load50', 'load85', 'bursty']);
    for (const s of scored) {
      for (const m of ['latency p50', 'latency p95']) expect(Math.abs(row(s.after, m).error!), `${s.name} ${m}`).toBeLessThanOrEqual(0.1);
      expect(Math.abs(row(s.after, 'throughput /h').error!), s.name).toBeLessThanOrEqual(0.05);
    }
  }, 240_000);

  it('stageSpread: slowest over fastest request of one shape, the widest shape', () => {
    const req = (w: number, enc: number, den: number) => ({ line: 1, id: '', model: '', width: w, height: 64, frames: 9, steps: 4, cfg: true, arrival: 0, outcome: 'completed' as const, start: 0, encodeStart: 0, encodeEnd: enc, denoiseStart: enc, denoiseEnd: enc + den, decodeStart: enc + den, decodeEnd: enc + den + 1, finish: enc + den + 1 });
    const t = { file: 'x.csv', meta: undefined, requests: [req(64, 1, 2), req(64, 1, 4), req(128, 1, 10), req(128, 1, 11), req(256, 1, 1)] };
    // 64: totals 4 and 6 -> +50%; 128: 12 and 13 -> +8.3%; 256: one request, no spread
    expect(stageSpread(t)).toEqual({ spread: expect.closeTo(0.5, 9), shape: '64x64x9f/4st' });
  });

  it('the statements around the CPU table hold', () => {
    const cpu = runOf('/cpu-tiny');
    const by = Object.fromEntries(scoreRun(cpu).map((s) => [s.name, s.after]));
    const err = (t: string, m: string) => Math.abs(row(by[t]!, m).error!);
    // at about half load the targets hold
    expect(err('load50', 'latency p50')).toBeLessThanOrEqual(0.1);
    expect(err('load50', 'latency p95')).toBeLessThanOrEqual(0.1);
    // throughput within 5% on every trace
    for (const t of ['load50', 'load85', 'bursty']) expect(err(t, 'throughput /h')).toBeLessThanOrEqual(0.05);
    // p95 misses at high load and under bursts
    expect(err('load85', 'latency p95')).toBeGreaterThan(0.1);
    expect(err('bursty', 'latency p95')).toBeGreaterThan(0.1);
    // load85's observed p95 inside the seeds' range, bursty's outside
    const inside = (t: string) => {
      const r = row(by[t]!, 'latency p95');
      return r.observed >= r.range![0] && r.observed <= r.range![1];
    };
    expect(inside('load85')).toBe(true);
    expect(inside('bursty')).toBe(false);
    // calibration lowers the p95 error at half load
    const before = Object.fromEntries(scoreRun(cpu).map((s) => [s.name, s.before]));
    expect(Math.abs(row(before.load50!, 'latency p95').error!)).toBeGreaterThan(err('load50', 'latency p95'));
    expect(Math.abs(row(before.load85!, 'latency p95').error!)).toBeLessThan(err('load85', 'latency p95'));
  }, 120_000);
});
