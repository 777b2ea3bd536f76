/**
 * The OpenMetrics export (src/report/openmetrics.ts, src/serving/monitoring.ts): a one-GPU, one-request run
 * checked line by line against values computed by hand (the service time, the idle power, the thermal steady
 * state, the framebuffer peak) and against the meter's energy; the format's rules on a whole default-scenario
 * run (family order, _total counters, cumulative histograms, increasing timestamps, # EOF); determinism; and
 * `run --out` writing it without changing the other files. promtool itself runs in test/promtool.test.ts.
 */
import { describe, it, expect } from 'vitest';
import { dirname, join, resolve } from 'node:path';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loadScenario } from '../src/scenario/load.ts';
import { simulate } from '../src/serving/simulate.ts';
import { summaryOf } from '../src/serving/result.ts';
import { formatValue, metricsText, parseMetricsStart, DEFAULT_METRICS_START_S } from '../src/report/openmetrics.ts';
import { OPENMETRICS_FILE, writeRunOutput } from '../src/report/output.ts';
import { gpuThermal, REFERENCE_COOLANT_C } from '../src/hardware/cooling.ts';
import { expandSweep } from '../src/sweep/spec.ts';
import { runSweep } from '../src/sweep/runner.ts';

function run(file: string, set: string[] = [], monitoring = true) {
  const l = loadScenario(file, { set });
  return simulate(l.scenario, { monitoring, records: true, baseDir: dirname(resolve(file)), locate: l.locate });
}

/** The lines of one family (its # lines and samples). */
function family(text: string, name: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(lines.find((l) => l.startsWith(`# TYPE ${name} `))!);
  expect(start, name).toBeGreaterThanOrEqual(0);
  let end = start + 1;
  while (end < lines.length && !lines[end]!.startsWith('# TYPE') && !lines[end]!.startsWith('# EOF')) end++;
  return lines.slice(start, end);
}

describe('OpenMetrics, one GPU and one request, line by line', () => {
  const r = run('test/fixtures/openmetrics/one-gpu.yaml');
  const text = metricsText(r);
  const S = r.service_times[0]!.total_s; // the request's service time: it arrives at t = 0 on an idle replica
  const idleW = r.estimates![0]!.estimate.power.per_gpu_w.idle;
  const R = gpuThermal('rtx4090').air.resistanceKPerW;
  const g = 'scenario="om-one-gpu",Hostname="node0",gpu="0",pool="p",replica="0"';
  const T = ['1735689600.000', '1735689900.000', '1735690200.000']; // 2025-01-01T00:00:00Z + 0, 300, 600 s
  const cls = 'scenario="om-one-gpu",class="832x480x81f/50st"';

  it('latency equals the service time; R is the H100\'s scaled by TDP', () => {
    expect(r.latency_s.max).toBeCloseTo(S, 9);
    expect(R).toBeCloseTo((0.067 * 700) / 450, 12);
  });

  it('GPU utilization, power, temperature, clock and memory', () => {
    expect(family(text, 'DCGM_FI_DEV_GPU_UTIL')).toEqual([
      '# TYPE DCGM_FI_DEV_GPU_UTIL gauge',
      '# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %): share of the sample interval the GPU ran a batch.',
      `DCGM_FI_DEV_GPU_UTIL{${g}} ${formatValue((100 * S) / 300)} ${T[1]}`, // busy S of the first 300 s
      `DCGM_FI_DEV_GPU_UTIL{${g}} 0 ${T[2]}`,
    ]);
    expect(family(text, 'DCGM_FI_DEV_POWER_USAGE').slice(2)).toEqual([
      expect.stringMatching(new RegExp(`^DCGM_FI_DEV_POWER_USAGE\\{${g.replace(/[{}]/g, '\\$&')}\\} [0-9.]+ ${T[1]}$`)),
      `DCGM_FI_DEV_POWER_USAGE{${g}} ${formatValue(idleW)} ${T[2]}`, // idle the whole second interval
    ]);
    // starts and ends at the awake-idle steady state of the reference air path: 25 °C + R·P_idle
    const idleT = REFERENCE_COOLANT_C + R * idleW;
    const temps = family(text, 'DCGM_FI_DEV_GPU_TEMP');
    expect(temps[2]).toBe(`DCGM_FI_DEV_GPU_TEMP{${g}} ${formatValue(idleT)} ${T[0]}`);
    expect(temps[4]).toBe(`DCGM_FI_DEV_GPU_TEMP{${g}} ${formatValue(idleT)} ${T[2]}`);
    expect(Number(temps[3]!.split(' ')[1])).toBeGreaterThan(idleT); // 10 s after the busy stretch
    const clocks = family(text, 'DCGM_FI_DEV_SM_CLOCK');
    expect(clocks.slice(3)).toEqual([`DCGM_FI_DEV_SM_CLOCK{${g}} 345 ${T[1]}`, `DCGM_FI_DEV_SM_CLOCK{${g}} 345 ${T[2]}`]);
    const fb = (r.service_times[0]!.peak_memory_gb * 1e9) / 2 ** 20;
    expect(family(text, 'DCGM_FI_DEV_FB_USED').slice(2)).toEqual(T.map((t) => `DCGM_FI_DEV_FB_USED{${g}} ${formatValue(fb)} ${t}`));
  });

  it('the energy counter ends at the meter\'s GPU energy; node power means add up to the IT energy', () => {
    const energy = family(text, 'vgsim_gpu_energy_joules');
    expect(energy.slice(0, 3)).toEqual(['# TYPE vgsim_gpu_energy_joules counter', '# UNIT vgsim_gpu_energy_joules joules', '# HELP vgsim_gpu_energy_joules Energy drawn by the GPU since the start of the run.']);
    expect(energy[3]).toBe(`vgsim_gpu_energy_joules_total{${g}} 0 ${T[0]}`);
    expect(Number(energy[5]!.split(' ')[1])).toBeCloseTo(r.energy.by_component_kwh.gpus! * 3.6e6, 0);
    const nodeW = family(text, 'vgsim_node_power_watts').slice(3).map((l) => Number(l.split(' ')[1]));
    expect(nodeW).toHaveLength(2);
    expect((nodeW[0]! + nodeW[1]!) * 300).toBeCloseTo(r.energy.total_kwh * 3.6e6, -1);
  });

  it('requests, replicas and the latency histogram', () => {
    expect(family(text, 'vgsim_requests_completed')).toEqual([
      '# TYPE vgsim_requests_completed counter',
      '# HELP vgsim_requests_completed Requests completed, by class.',
      `vgsim_requests_completed_total{${cls}} 0 ${T[0]}`,
      `vgsim_requests_completed_total{${cls}} 1 ${T[1]}`,
      `vgsim_requests_completed_total{${cls}} 1 ${T[2]}`,
    ]);
    expect(family(text, 'vgsim_requests_arrived').slice(2)).toEqual(T.map((t) => `vgsim_requests_arrived_total{${cls}} 1 ${t}`));
    expect(family(text, 'vgsim_pool_replicas_busy').slice(2)).toEqual([1, 0, 0].map((v, i) => `vgsim_pool_replicas_busy{scenario="om-one-gpu",pool="p"} ${v} ${T[i]}`));
    const les = ['30.0', '60.0', '120.0', '300.0', '600.0', '900.0', '1200.0', '1800.0', '2700.0', '3600.0', '7200.0', '+Inf'];
    const hist = family(text, 'vgsim_request_latency_seconds');
    expect(hist.slice(0, 3)).toEqual(['# TYPE vgsim_request_latency_seconds histogram', '# UNIT vgsim_request_latency_seconds seconds', '# HELP vgsim_request_latency_seconds End-to-end latency of completed requests (arrival to last stage done).']);
    const at = (i: number, done: number) => [
      ...les.map((le) => `vgsim_request_latency_seconds_bucket{${cls},le="${le}"} ${done && (le === '+Inf' || Number(le) >= S) ? 1 : 0} ${T[i]}`),
      `vgsim_request_latency_seconds_count{${cls}} ${done} ${T[i]}`,
      `vgsim_request_latency_seconds_sum{${cls}} ${done ? formatValue(S) : 0} ${T[i]}`,
    ];
    expect(hist.slice(3)).toEqual([...at(0, 0), ...at(1, 1), ...at(2, 1)]);
    expect(text.endsWith('\n# EOF\n')).toBe(true);
  });
});

describe('OpenMetrics format rules on the default scenario', () => {
  const r = run('scenarios/default.yaml', ['duration=2h']);
  const text = metricsText(r);

  it('families are contiguous, counters end in _total, histograms are cumulative, timestamps increase', () => {
    const lines = text.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toBe('# EOF');
    const types = new Map<string, string>();
    const errors: string[] = [];
    let current = '';
    const lastT = new Map<string, number>();
    const sample = /^([A-Za-z_:][A-Za-z0-9_:]*)(\{[^}]*\})? (\S+) (\d+\.\d{3})$/;
    for (const line of lines.slice(0, -1)) {
      if (line.startsWith('# TYPE ')) {
        const [, , name, type] = line.split(' ');
        if (types.has(name!)) errors.push(`family ${name} appears twice`);
        types.set(name!, type!);
        current = name!;
        continue;
      }
      if (line.startsWith('#')) {
        if (line.split(' ')[2] !== current) errors.push(`${line}: not under # TYPE ${current}`);
        continue;
      }
      const m = sample.exec(line);
      if (!m) {
        errors.push(`not a sample line: ${line}`);
        continue;
      }
      const [, name, labels = '', , ts] = m;
      const type = types.get(current)!;
      const ok = type === 'counter' ? name === `${current}_total` : type === 'histogram' ? new RegExp(`^${current}_(bucket|count|sum)$`).test(name!) : name === current;
      if (!ok) errors.push(`${name} in ${type} family ${current}`);
      const key = name! + labels;
      if (Number(ts) <= (lastT.get(key) ?? -Infinity)) errors.push(`${key}: timestamp ${ts} does not increase`);
      lastT.set(key, Number(ts));
    }
    expect(errors.slice(0, 5)).toEqual([]);
    expect([...types.keys()]).toEqual(expect.arrayContaining(['DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_POWER_USAGE', 'DCGM_FI_DEV_GPU_TEMP', 'DCGM_FI_DEV_SM_CLOCK', 'DCGM_FI_DEV_FB_USED', 'vgsim_request_latency_seconds', 'vgsim_pool_replicas', 'vgsim_pool_requests_waiting']));
    // 8 GPUs, each with its own series
    expect(lines.filter((l) => l.startsWith('DCGM_FI_DEV_GPU_TEMP{') && l.endsWith(' 1735689600.000'))).toHaveLength(8);
  });

  it('the last sample is at the run\'s end: its counters are the run summary\'s (the drain\'s last completion fell after the grid)', () => {
    const last = (name: string) => {
      const rows = text.split('\n').filter((l) => l.startsWith(name + '{')).map((l) => l.split(' '));
      const t = rows.reduce((a, x) => Math.max(a, Number(x[2])), 0);
      return { t, sum: rows.filter((x) => Number(x[2]) === t).reduce((a, x) => a + Number(x[1]), 0) };
    };
    const sum = summaryOf(r);
    const completed = last('vgsim_requests_completed_total');
    expect(r.timeseries[r.timeseries.length - 1]!.t).toBeLessThan(sum.sim_time_s); // the case this checks
    expect(completed.t).toBeCloseTo(DEFAULT_METRICS_START_S + sum.sim_time_s, 2);
    expect(completed.sum).toBe(sum.requests.completed);
    expect(last('vgsim_request_latency_seconds_count').sum).toBe(sum.requests.completed);
    expect(last('vgsim_gpu_energy_joules_total').sum / 3.6e6).toBeCloseTo(r.energy.by_component_kwh.gpus!, 6);
  });

  it('histogram buckets never decrease and +Inf equals _count at every sample', () => {
    const lines = text.split('\n').filter((l) => l.startsWith('vgsim_request_latency_seconds_'));
    const groups = new Map<string, number[]>();
    for (const l of lines) {
      const [series, v, ts] = l.split(' ');
      const key = series!.replace(/,le="[^"]*"/, '').replace(/_(bucket|count|sum)\{/, '{') + ts;
      if (series!.includes('_sum')) continue;
      (groups.get(key) ?? groups.set(key, []).get(key)!).push(Number(v));
    }
    for (const [key, vs] of groups) {
      const buckets = vs.slice(0, -1);
      for (let i = 1; i < buckets.length; i++) expect(buckets[i]!, key).toBeGreaterThanOrEqual(buckets[i - 1]!);
      expect(buckets[buckets.length - 1], key).toBe(vs[vs.length - 1]);
    }
  });

  it('is deterministic, and the Prometheus dialect names counters with _total and stamps milliseconds', () => {
    expect(metricsText(run('scenarios/default.yaml', ['duration=2h']))).toBe(text);
    const prom = metricsText(r, { dialect: 'prometheus', startUnixS: 0 });
    expect(prom).toContain('# TYPE vgsim_requests_completed_total counter');
    expect(prom).not.toContain('# EOF');
    expect(prom).not.toContain('# UNIT');
    expect(prom.split('\n')[2]).toMatch(/ 0$/); // t = 0 at Unix 0, in ms
  });

  it('--metrics-start takes ISO 8601 or Unix seconds; values print compactly', () => {
    expect(parseMetricsStart('2025-01-01T00:00:00Z')).toBe(DEFAULT_METRICS_START_S);
    expect(parseMetricsStart('1700000000')).toBe(1700000000);
    expect(parseMetricsStart('yesterday')).toBeUndefined();
    expect(formatValue(96.56528784191573)).toBe('96.56529');
    expect(formatValue(3)).toBe('3');
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(1.5e-9)).toBe('1.5e-9');
  });
});

describe('a run without monitoring series', () => {
  it('is refused with what to pass, not a TypeError', () => {
    const r = run('test/fixtures/openmetrics/one-gpu.yaml', [], false);
    expect(() => metricsText(r)).toThrow('the run did not record its monitoring series (simulate with { monitoring: true })');
  });
});

describe('run --out', () => {
  it('writes metrics.openmetrics.txt beside the other files, which do not change', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-om-'));
    const plain = mkdtempSync(join(tmpdir(), 'vgsim-om-'));
    const l = loadScenario('scenarios/default.yaml', { set: ['duration=1h'] });
    const files = writeRunOutput(dir, simulate(l.scenario, { records: true, monitoring: true }), l.scenario);
    writeRunOutput(plain, simulate(l.scenario, { records: true }), l.scenario);
    expect(files).toContain(join(dir, OPENMETRICS_FILE));
    for (const f of ['summary.json', 'timeseries.csv', 'requests.csv', 'scenario.json']) expect(readFileSync(join(dir, f), 'utf8'), f).toBe(readFileSync(join(plain, f), 'utf8'));
    expect(readFileSync(join(dir, OPENMETRICS_FILE), 'utf8')).toMatch(/^# TYPE vgsim_it_power_watts gauge\n/);
  });
});

describe('sweep --openmetrics', () => {
  it('writes one file per run, each series labelled with its sweep point', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-om-sweep-'));
    const plan = expandSweep(loadScenario('scenarios/cooling.yaml', { set: ['duration=30m'] }), { limit: 2 });
    const out = await runSweep(plan.points, { file: 'scenarios/cooling.yaml', set: ['duration=30m'], workers: 0, metrics: { dir, startUnixS: 0 } });
    expect(out.every((o) => o.ok)).toBe(true);
    for (const p of plan.points) {
      const text = readFileSync(join(dir, `point-${p.id}.openmetrics.txt`), 'utf8');
      expect(text.split('\n')[3]).toBe(`vgsim_it_power_watts{scenario="dgx-h100-cooling",sweep_point="${p.id}"} 1539.416 0.000`);
      expect(text).toContain('# TYPE vgsim_gpu_thermal_throttle_seconds counter');
    }
  });
});
