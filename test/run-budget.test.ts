/**
 * Bounded runs (issue 20): the run budget estimated before a run (events, memory, overload) against what runs
 * actually do, the refusals (exit 2 with the estimate, the limit and the --set), the limits watched while a
 * run goes on, slicing that never changes a result, a partial result when a run is stopped, and "n/a" rather
 * than 0 when nothing completed; requests.csv with every request and no NaN.
 */
import { describe, it, expect } from 'vitest';
import { dirname, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { loadScenario } from '../src/scenario/load.ts';
import { simulate, simulateAsync, startSimulation, summaryOf } from '../src/serving/simulate.ts';
import { requestsCsv, toJson, REQUEST_COLUMNS } from '../src/report/output.ts';
import { runSummary } from '../src/report/run-summary.ts';
import { readCsvTable } from '../src/csv.ts';
import { reportCharts } from '../src/report/charts.ts';
import { findCapacity } from '../src/studies/capacity.ts';
import { parseSlo } from '../src/studies/objectives.ts';
import { compareCharts } from '../src/report/compare-charts.ts';
import { issuesOf } from './support/issues.ts';


const load = (file: string, set: string[] = []) => loadScenario(file, { set });
const start = (set: string[], opts = {}) => {
  const l = load('scenarios/default.yaml', set);
  return startSimulation(l.scenario, { locate: l.locate, ...opts });
};

describe('the run budget, estimated before the run', () => {
  const library = ['cold-start', 'cooling', 'default', 'dgx-power', 'disaggregated-vae', 'engines', 'failure-drill', 'interconnects', 'memory-720p-claim', 'mixed-models', 'model-families', 'optimizations', 'postprocess', 'power-cap', 'production-day', 'scaling-one-node'];
  it('is within 0.5–2.5× of the events the library scenarios process', () => {
    for (const name of library) {
      const file = `scenarios/${name}.yaml`;
      const l = load(file);
      const run = startSimulation(l.scenario, { baseDir: dirname(resolve(file)), locate: l.locate });
      while (!run.advance(1e6));
      const r = run.finish();
      const ratio = run.budget.events / r.events;
      expect(ratio, `${name}: estimate ${run.budget.events}, actual ${r.events}`).toBeGreaterThan(0.5);
      expect(ratio, name).toBeLessThan(2.5);
      expect(Math.abs(run.budget.arrivals - r.requests.arrived) / r.requests.arrived, name).toBeLessThan(0.3);
    }
  });

  it('the service rate is every replica busy back to back: 8 replicas / the mix\'s mean service time', () => {
    const run = start([]);
    const rows = (run.finish().service_times);
    const mean = 0.7 * rows.find((x) => x.class === '720p-5s')!.total_s + 0.3 * rows.find((x) => x.class === '480p-5s')!.total_s;
    expect(run.budget.serviceRatePerS).toBeCloseTo(8 / mean, 9);
  });

  it('refuses a rate above what the cluster could ever see, naming the limit and the --set', () => {
    const [i] = issuesOf(() => start(['workload.arrivals.rate_per_hour=1e7']));
    expect(i!.path).toBe('workload.arrivals.rate_per_hour');
    expect(i!.source).toBe('--set workload.arrivals.rate_per_hour=1e7');
    expect(i!.message).toMatch(/the offered load \(1\.0e7\/h\) is .*× what the cluster can ever serve \(34\/h.*the limit is 100× \(limits.max_overload\)/);
    expect(i!.hint).toMatch(/--set limits\.max_overload=/);
  });

  it('a rate past any count says the rate or duration is out of range, never "Infinity" or a limit to raise', () => {
    for (const set of [['workload.arrivals.rate_per_hour=1e308'], ['workload.arrivals.rate_per_hour=null', 'workload.arrivals.rate_per_s=1e308']]) {
      const issues = issuesOf(() => start(set));
      const text = issues.map((i) => `${i.message} ${i.hint}`).join('\n');
      expect(text).not.toMatch(/Infinity|max_events=|max_memory_mb=/);
      expect(issues.find((i) => /out of range/.test(i.message))).toMatchObject({ path: set.at(-1)!.split('=')[0], hint: 'lower the rate or shorten duration' });
    }
  });

  it('refuses a run of too many events (rate × steps × window), then runs it once the limit is raised', () => {
    const set = ['workload.arrivals.rate_per_hour=30', 'duration=3650d']; // 2.6 million arrivals of 40 steps
    const issues = issuesOf(() => start(set));
    const i = issues.find((x) => /events/.test(x.message))!;
    expect(i.message).toMatch(/^the run would process about 1\.\de8 events \(2\.6e6 arrivals × 48 events each/);
    expect(i.message).toMatch(/the limit is 1\.0e8 \(limits\.max_events\)/);
    const raise = /--set limits\.max_events=(\S+)/.exec(i.hint!)![1]!;
    expect(() => start([...set, `limits.max_events=${raise}`, 'limits.max_memory_mb=1e6'])).not.toThrow();
  });

  it('counts the monitoring series (OpenMetrics export) at the numbers a sample really adds', () => {
    // cooling.yaml models fans, so every per-node series is there
    const l = load('scenarios/cooling.yaml', ['duration=1h']);
    const opts = { locate: l.locate, baseDir: resolve('scenarios') };
    const without = startSimulation(l.scenario, opts).budget;
    const run = startSimulation(l.scenario, { ...opts, monitoring: true });
    const perSample = ((run.budget.memoryMb - without.memoryMb) * 1e6) / run.budget.samples / 16; // 16 bytes a number
    while (!run.advance(1e6));
    const m = run.finish().monitoring!;
    // every value of every series, walked generically (arrays of samples, or [sample][bucket])
    let values = 0;
    const walk = (x: unknown): void => {
      if (Array.isArray(x)) {
        if (x.length === m.t.length && x.every((v) => typeof v !== 'object' || Array.isArray(v))) values += x.reduce((a: number, v) => a + (Array.isArray(v) ? v.length : 1), 0);
        else x.forEach(walk);
      } else if (x && typeof x === 'object') Object.values(x).forEach(walk);
    };
    const { t: _t, gpus: _g, ...series } = m;
    walk(series);
    expect(perSample).toBeCloseTo(values / m.t.length, 6);
  });

  it('refuses a run whose per-request records would not fit the memory limit', () => {
    const issues = issuesOf(() => start(['duration=7d', 'limits.max_memory_mb=0.5'], { records: true }));
    expect(issues[0]!.message).toMatch(/would keep about .* MB \(.* per-request records.*limits\.max_memory_mb/);
    // without records the same run keeps far less
    expect(() => start(['duration=7d', 'limits.max_memory_mb=0.5'])).not.toThrow();
  });
});

describe('studies under the budget', () => {
  it('capacity with objectives that never bind stops at the saturation bound instead of a refusal (exit 2)', () => {
    const l = load('scenarios/default.yaml', ['duration=1h']);
    const t0 = performance.now();
    const res = findCapacity(l.scenario, parseSlo('p95<=10000h'), { locate: l.locate, baseDir: resolve('scenarios') });
    expect(performance.now() - t0).toBeLessThan(60_000);
    // no trial comes near the run budget's overload limit, and none above saturation passes
    expect(Math.max(...res.trials.map((t) => t.rate_per_h))).toBeLessThanOrEqual(100 * res.saturation_rate_per_h);
    expect(res.max_rate_per_h).toBeLessThanOrEqual(res.saturation_rate_per_h);
    expect(res.trials.filter((t) => t.rate_per_h > res.saturation_rate_per_h).every((t) => !t.pass)).toBe(true);
  });
});

describe('limits watched while the run goes on', () => {
  it('a drain that cannot end stops at the event limit with an input error, not a hang', () => {
    // every GPU of the only node is down for a year while requests wait: the drain has nothing to serve them
    const set = ['duration=2h', 'failures={events: [{at: 600, what: node, node: 0, repair_after: 8000h}]}', 'limits.max_events=50000'];
    const t0 = performance.now();
    const issues = issuesOf(() => {
      const l = load('scenarios/default.yaml', set);
      simulate(l.scenario, { locate: l.locate });
    });
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect(issues[0]!.path).toBe('limits.max_events');
    expect(issues[0]!.message).toMatch(/^the run passed its limit of 50,000 events at simulated time .* \(draining \d+ requests\)/);
    expect(issues[0]!.source).toBe('--set limits.max_events=50000');
  });

  it('a batching window ending at an instant that rounding cannot reach no longer re-arms forever', () => {
    // a batch that never fills (two requests an hour; a batch of 3 fits at 480p): every batch leaves when its window ends
    const l = load('scenarios/default.yaml', ['duration=1h', 'deployment.batching={max_batch: 3, window_s: 3000}', 'workload.mix.0.resolution=832x480', 'workload.arrivals.rate_per_hour=2']);
    const r = simulate(l.scenario, { locate: l.locate });
    expect(r.events).toBeLessThan(20_000);
    expect(r.requests.in_flight).toBe(0);
  });
});

describe('slices, async runs and partial results', () => {
  it('simulateAsync and any slicing give the summary simulate() gives, byte for byte', async () => {
    const l = load('scenarios/failure-drill.yaml');
    const opts = { baseDir: resolve('scenarios'), locate: l.locate, records: true };
    const whole = toJson(summaryOf(simulate(l.scenario, opts)));
    expect(toJson(summaryOf(await simulateAsync(l.scenario, { ...opts, yieldMs: 1 })))).toBe(whole);
    const run = startSimulation(l.scenario, opts);
    while (!run.advance(7)); // slices that stop inside instants
    expect(toJson(summaryOf(run.finish()))).toBe(whole);
  });

  it('an aborted run returns what it simulated so far, flagged partial, with the requests in flight', async () => {
    const l = load('scenarios/production-day.yaml');
    const ac = new AbortController();
    let slices = 0;
    const r = await simulateAsync(l.scenario, { locate: l.locate, records: true, yieldMs: 1, onProgress: () => ++slices === 3 && ac.abort('test stop'), signal: ac.signal });
    expect(r.partial).toEqual({ reason: 'test stop', at_s: r.sim_time_s });
    expect(r.sim_time_s).toBeLessThan(l.scenario.duration);
    expect(summaryOf(r).partial).toEqual(r.partial);
    expect(r.warnings.some((w) => w.startsWith('partial run: stopped (test stop)'))).toBe(true);
    expect(r.records!.length + r.in_flight_records!.length).toBe(r.requests.arrived);
    expect(r.in_flight_records!.length).toBe(r.requests.in_flight);
    // an unstopped run has no partial field at all (its files stay byte-identical)
    expect('partial' in summaryOf(simulate(load('scenarios/default.yaml', ['duration=1h']).scenario))).toBe(false);
  });
});

describe('nothing completed: n/a, never 0', () => {
  it('latency, wait and energy per video are NaN (null in JSON, n/a in the table)', () => {
    const r = simulate(load('scenarios/default.yaml', ['duration=60', 'drain=false']).scenario);
    expect(r.requests.completed).toBe(0);
    expect(r.requests.arrived).toBeGreaterThan(0);
    const json = JSON.parse(toJson(summaryOf(r)));
    for (const k of ['mean', 'p50', 'p90', 'p95', 'p99', 'max']) expect(json.latency_s[k]).toBeNull();
    expect(json.queue_wait_s.p95).toBeNull();
    expect(json.energy.per_video_wh).toBeNull();
    expect(json.energy.total_kwh).toBeGreaterThan(0);
    expect(json.classes[0].latency_s.p95).toBeNull();
    const summaryText = runSummary(r);
    expect(summaryText).toMatch(/no completed requests: latency, queue wait, energy and cost per video are n\/a/);
    expect(summaryText).toMatch(/end-to-end +n\/a +n\/a/);
    expect(summaryText).not.toMatch(/NaN/);
    // the cost line says why there is no cost per video ("n/a/video, n/a/video-second" read as a unit)
    expect(summaryText).toMatch(/^cost \(owned\): no cost per video \(no video completed\), \$\d+\/month, /m);
    expect(summaryText).not.toMatch(/n\/a\/video/);
    // the report's charts: no latency distribution to draw (its axis ran from NaN to NaN), no NaN anywhere
    const withRecords = simulate(load('scenarios/default.yaml', ['duration=60', 'drain=false']).scenario, { records: true });
    const charts = reportCharts(withRecords);
    expect(charts.map((c) => c.id)).not.toContain('latency-cdf');
    // (JSON.stringify writes a NaN number as null: text is what could show NaN; subtitles are wrapped in lines)
    const text = (x: unknown) => JSON.stringify(x, (_k, v) => (typeof v === 'number' && Number.isNaN(v) ? 'NaN' : v)).replaceAll('","', ' ');
    expect(text(charts)).not.toMatch(/NaN/);
    expect(text(charts)).toMatch(/no video completed/);
    const runs = [{ label: 'a', result: withRecords, scenario: load('scenarios/default.yaml').scenario }];
    expect(compareCharts(runs).map((c) => c.id)).not.toContain('compare-latency-cdf');
    expect(text(compareCharts(runs))).not.toMatch(/NaN/);
  });
});

describe('requests.csv', () => {
  it('every request (in flight ones too), derived columns, RFC 4180, formula-neutralised names, no NaN', () => {
    const l = load('scenarios/default.yaml', ['duration=1200', 'drain=false', 'deployment.replicas=1', 'scheduling.max_queue=1', 'workload.arrivals.rate_per_hour=60', 'workload.mix=[{name: "=cmd|calc", resolution: 832x480, slo_s: 400}, {name: "@x, \\"y\\"", resolution: 832x480, frames: 17}]']);
    const r = simulate(l.scenario, { records: true, locate: l.locate });
    const text = requestsCsv(r);
    expect(text).not.toMatch(/NaN/);
    const t = readCsvTable(text);
    expect(t.header).toEqual([...REQUEST_COLUMNS]);
    expect(t.rows.length).toBe(r.requests.arrived);
    const col = (row: (typeof t.rows)[number], name: string) => t.get(row, name)!;
    const states = t.rows.map((row) => col(row, 'state'));
    for (const st of ['completed', 'dropped', 'in_flight']) expect(states).toContain(st);
    expect(states.filter((s) => s === 'in_flight').length).toBe(r.requests.in_flight);
    for (const row of t.rows) {
      expect(['\'=cmd|calc', '\'@x, "y"']).toContain(col(row, 'class'));
      const st = col(row, 'state');
      if (st === 'completed') {
        expect(Number(col(row, 'latency_s'))).toBeCloseTo(Number(col(row, 'finish_s')) - Number(col(row, 'arrival_s')), 5);
        expect(Number(col(row, 'wait_s'))).toBeGreaterThanOrEqual(0);
        if (col(row, 'slo_s') !== '') expect(col(row, 'slo_met')).toBe(String(Number(col(row, 'latency_s')) <= 400));
        expect(col(row, 'pool')).toBe('a14b');
      } else {
        expect(col(row, 'latency_s')).toBe('');
        if (st === 'dropped' && col(row, 'slo_s') !== '') expect(col(row, 'slo_met')).toBe('false');
        if (st === 'in_flight') expect(col(row, 'finish_s')).toBe('');
      }
    }
    expect(t.rows.map((row) => Number(col(row, 'id')))).toEqual([...t.rows.keys()]);
    // the README lists the columns as they are
    expect(readFileSync('README.md', 'utf8').replace(/\s+/g, ' ')).toContain(REQUEST_COLUMNS.join(', '));
  });
});
