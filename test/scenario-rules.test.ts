/**
 * Semantic validation at load time (issue 20): cross-references, ordering rules, the model's request-shape
 * rules (for mix classes, trace rows and `vgsim estimate`) and physical bounds, each reported with the
 * file:line (or --set flag) of the value, its field path, the reason and a suggestion. Every input below
 * validated silently or failed only at run time (exit 1) before.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { closest, type InputIssue } from '../src/errors.ts';
import { shapeProblems, ROPE_MAX_POSITIONS, MAX_STEPS } from '../src/workload/shape-limits.ts';
import { getModel } from '../src/workload/request.ts';
import { runEstimate } from '../src/api/estimate-run.ts';
import { estimateInput } from '../src/perf/estimate-input.ts';
import { parseRequest } from '../src/api/request-issues.ts';
import { EstimateRequestSchema } from '../src/api/estimate.ts';
import { issuesOf } from './support/issues.ts';


/** The one issue of loading the default scenario with these overrides. */
function issueWith(...set: string[]): InputIssue {
  const issues = issuesOf(() => loadScenario('scenarios/default.yaml', { set }));
  expect(issues, JSON.stringify(issues)).toHaveLength(1);
  return issues[0]!;
}

const dir = () => mkdtempSync(join(tmpdir(), 'vgsim-rules-'));

describe('cross-references and ordering', () => {
  it('duplicate pool names', () => {
    const i = issueWith('deployment=[{name: a, replicas: 4}, {name: a, replicas: 4}]');
    expect(i).toMatchObject({ path: 'deployment.1.name', message: 'pool name "a" is used twice (pools 0 and 1)' });
  });

  it('duplicate class names, and two unnamed classes of the same shape', () => {
    expect(issueWith('workload.mix.1.name=720p-5s')).toMatchObject({ path: 'workload.mix.1.name', message: 'class name "720p-5s" is used twice (classes 0 and 1)' });
    const unnamed = issueWith('workload.mix=[{resolution: 832x480}, {resolution: 832x480, weight: 2}]');
    expect(unnamed.path).toBe('workload.mix.1');
    expect(unnamed.message).toMatch(/class name "832x480x81f\/40st" is used twice/);
  });

  it('autoscale.pool naming no pool, with did-you-mean; two settings for one pool', () => {
    const i = issueWith('autoscale.pool=a14', 'deployment.replicas=8');
    expect(i).toMatchObject({ path: 'autoscale.pool', source: '--set autoscale.pool=a14', message: 'no pool is named "a14"' });
    expect(i.hint).toMatch(/did you mean "a14b"/);
    expect(issueWith('autoscale=[{pool: a14b}, {min_replicas: 2}]').message).toMatch(/pool "a14b" already has an autoscale setting \(entry 0\)/);
  });

  it('min_replicas above max_replicas or above the pool, scale_down_at above scale_up_at', () => {
    expect(issueWith('autoscale.min_replicas=5', 'autoscale.max_replicas=2')).toMatchObject({ path: 'autoscale.min_replicas', message: 'min_replicas (5) is above max_replicas (2)' });
    expect(issueWith('autoscale.min_replicas=9').message).toBe('min_replicas (9) is above pool "a14b"\'s 8 replicas');
    expect(issueWith('autoscale.scale_down_at=5', 'autoscale.scale_up_at=1').message).toMatch(/^scale_down_at \(5\) is above scale_up_at \(1\)/);
    // above the pool: cut to the pool's size without a word before
    expect(issueWith('autoscale.max_replicas=100')).toMatchObject({ path: 'autoscale.max_replicas', message: 'max_replicas (100) is above pool "a14b"\'s 8 replicas: the autoscaler wakes only the pool\'s replicas' });
    // utilization and slo_risk are fractions: a threshold above 1 never fired (the pool stayed at min_replicas)
    expect(issueWith('autoscale={metric: utilization, scale_up_at: 5}')).toMatchObject({ path: 'autoscale.scale_up_at', source: '--set autoscale={metric: utilization, scale_up_at: 5}' });
    expect(issueWith('autoscale={metric: slo_risk, scale_up_at: 2}').message).toMatch(/^scale_up_at \(2\) is above 1, but slo_risk is a fraction/);
    expect(loadScenario('scenarios/default.yaml', { set: ['autoscale={metric: queue_length, scale_up_at: 5}'] }).scenario.autoscale).toBeDefined();
    // equal thresholds are a real policy (scale to demand: up when anything waits, down when nothing does)
    expect(loadScenario('scenarios/default.yaml', { set: ['autoscale.scale_down_at=0', 'autoscale.scale_up_at=0'] }).scenario.autoscale).toBeDefined();
  });

  it('curve points that are not times of day, out of order, or all zero', () => {
    expect(issueWith('workload.curve=[{at: "25:00", x: 1}]')).toMatchObject({ path: 'workload.curve.0.at', message: '"25:00" is not a time of day' });
    expect(issueWith('workload.curve=[{at: "12:99", x: 1}]').message).toBe('"12:99" is not a time of day');
    expect(issueWith('workload.curve=[{at: "24:01", x: 1}]').message).toBe('"24:01" is not a time of day');
    expect(issueWith('workload.curve=[{at: "12:00", x: 1}, {at: "06:00", x: 2}]')).toMatchObject({ path: 'workload.curve.1.at', message: 'curve times must increase: "06:00" comes after 12:00' });
    expect(issueWith('workload.curve=[{at: "06:00", x: 1}, {at: "06:00", x: 2}]').path).toBe('workload.curve.1.at');
    expect(issueWith('workload.curve=[{at: "06:00", x: 0}, {at: "18:00", x: 0}]').message).toMatch(/every multiplier is 0/);
    expect(loadScenario('scenarios/default.yaml', { set: ['workload.curve=[{at: "00:00", x: 1}, {at: "24:00", x: 2}]'] }).scenario.workload.curve).toHaveLength(2);
    // 1e304 overflowed the normalisation: no arrival at all (1e308 alone: 12x too many), exit 0
    expect(issueWith('workload.curve=[{at: "00:00", x: 1e304}, {at: "12:00", x: 1}]')).toMatchObject({ path: 'workload.curve.0.x', message: 'at most 1,000,000: multipliers are relative (the curve is normalised to a mean of 1)' });
  });

  it('mix weights whose sum overflows (all traffic went to the last class) are refused with the bound', () => {
    const d = dir();
    writeFileSync(join(d, 's.yaml'), `extends: ${join(process.cwd(), 'scenarios/default.yaml')}\nworkload:\n  mix:\n    - {name: a, weight: 1e308, resolution: 832x480}\n    - {name: b, weight: 1e308, resolution: 1280x720}\n`);
    const issues = issuesOf(() => loadScenario(join(d, 's.yaml')));
    expect(issues.map((i) => [i.path, i.line])).toEqual([['workload.mix.0.weight', 4], ['workload.mix.1.weight', 5]]);
    expect(issues[0]!.message).toBe('at most 1,000,000,000: weights are relative shares, and their sum must stay finite');
  });

  it('failure drills on nodes and GPUs that exist', () => {
    expect(issueWith('failures.events=[{at: 60, what: node, node: 1, repair_after: 60}]').message).toBe('node 1 does not exist: the cluster has 1 node, indexed from 0');
    expect(issueWith('failures.events=[{at: 60, what: gpu, node: 0, gpu: 8, repair_after: 60}]').message).toBe('GPU 8 does not exist: hgx-h100-sxm-8 has 8 GPUs, indexed from 0');
  });

  it('located in the file that wrote the value', () => {
    const d = dir();
    writeFileSync(join(d, 's.yaml'), `extends: ${join(process.cwd(), 'scenarios/default.yaml')}\nautoscale:\n  min_replicas: 3\n  max_replicas: 2\n`);
    expect(issuesOf(() => loadScenario(join(d, 's.yaml')))[0]).toMatchObject({ source: join(d, 's.yaml'), line: 3, col: 17, path: 'autoscale.min_replicas' });
  });
});

describe("request shapes the model can run (the same rules for mix classes, trace rows and estimate)", () => {
  const a14b = getModel('wan2.2-t2v-a14b');
  const ti2v = getModel('wan2.2-ti2v-5b');

  it('by hand: frames 4n+1, 16 px (Wan2.1 VAE) or 32 px (Wan2.2 VAE) multiples, 1024 RoPE positions, 1000 steps', () => {
    expect(shapeProblems(a14b, { width: 1280, height: 720, frames: 81, steps: 40 })).toEqual([]);
    expect(shapeProblems(ti2v, { width: 1280, height: 704, frames: 121, steps: 50 })).toEqual([]);
    expect(shapeProblems(a14b, { width: 1280, height: 720, frames: 80, steps: 40 })[0]!.hint).toBe('use 77 or 81');
    expect(shapeProblems(ti2v, { width: 1280, height: 720, frames: 121, steps: 50 })[0]!.message).toMatch(/not a multiple of 32x32 px/); // 720 = 22.5 × 32
    // the largest grid the RoPE tables cover: 1024 × 16 px per axis, (1024 − 1) × 4 + 1 frames
    expect(shapeProblems(a14b, { width: ROPE_MAX_POSITIONS * 16, height: 16, frames: (ROPE_MAX_POSITIONS - 1) * 4 + 1, steps: MAX_STEPS })).toEqual([]);
    expect(shapeProblems(a14b, { width: (ROPE_MAX_POSITIONS + 1) * 16, height: 16, frames: 81, steps: 40 })[0]!.message).toMatch(/1025x1 latent grid/);
    expect(shapeProblems(a14b, { width: 16, height: 16, frames: ROPE_MAX_POSITIONS * 4 + 1, steps: 40 })[0]!.field).toBe('frames');
    expect(shapeProblems(a14b, { width: 16, height: 16, frames: 1, steps: MAX_STEPS + 1 })[0]!.field).toBe('steps');
  });

  it('mix classes: frames 80, resolution 1x1, steps 1e9 (each ran or crashed before)', () => {
    expect(issueWith('workload.mix.0.frames=80')).toMatchObject({ path: 'workload.mix.0.frames', hint: 'use 77 or 81' });
    expect(issueWith('workload.mix.0.resolution=1x1')).toMatchObject({ path: 'workload.mix.0.resolution' });
    expect(issueWith('workload.mix.0.steps=1000000000').message).toMatch(/1000 training timesteps/);
    // a model's default shape is checked too, located at the class
    expect(issueWith('model=wan2.2-ti2v-5b', 'deployment.model=wan2.2-ti2v-5b', 'workload.mix=[{frames: 120}]')).toMatchObject({ path: 'workload.mix.0.frames' });
  });

  it('estimate (CLI and API) refuses the same shapes instead of failing inside the cost model', () => {
    const body = (x: object) => parseRequest(EstimateRequestSchema, { model: 'wan2.2-t2v-a14b', gpu: 'h100-sxm', ...x });
    expect(issuesOf(() => runEstimate(body({ resolution: '1x1' })))[0]!.path).toBe('resolution');
    expect(issuesOf(() => runEstimate(body({ frames: 80 })))[0]!.path).toBe('frames');
    expect(issuesOf(() => body({ oversubscription: 0 }))[0]!.path).toBe('oversubscription');
    // an official launch line's --size/--frame_num/--sample_steps (they ran with 82 frames or 100,000 steps before)
    const launch = (flags: string) => issuesOf(() => runEstimate(parseRequest(EstimateRequestSchema, { gpu: 'h100-sxm', official: `python generate.py --task t2v-1.3B ${flags}` })))[0]!;
    expect(launch('--size 832*480 --frame_num 82')).toMatchObject({ path: 'official', hint: 'use 81 or 85' });
    expect(launch('--size 832*480 --frame_num 82').message).toMatch(/^--frame_num: /);
    expect(launch('--sample_steps 100000').message).toMatch(/^--sample_steps: .*1000 training timesteps/);
    expect(launch('--size 840*480').message).toMatch(/^--size: 840x480 is not a multiple of 16x16/);
    // a baseline check's estimate (vgsim check) gets them too: before, frames 82 ran as 81 and 100,000 steps priced hours
    expect(issuesOf(() => estimateInput({ model: 'wan2.1-t2v-1.3b', gpu: 'h100-sxm', frames: 82, steps: 100000 })).map((i) => i.path)).toEqual(['frames', 'steps']);
    // a suggested size stays within what the position encoding covers
    expect(shapeProblems(getModel('wan2.1-t2v-1.3b'), { width: 99999, height: 99999, frames: 81, steps: 50 })[0]!.hint).toMatch(/^use 16384x16384/);
  });

  it('a replica spread over more nodes than it has GPUs: the same sentence from the API and a check spec as from the CLI', () => {
    const api = issuesOf(() => runEstimate(parseRequest(EstimateRequestSchema, { model: 'wan2.2-t2v-a14b', gpu: 'h100-sxm', parallel: 'ulysses=8,fsdp', nodes: 16 })))[0]!;
    expect(api).toMatchObject({ path: 'nodes', message: 'a replica of 8 GPUs spans at most 8 nodes, got nodes 16' });
    const spec = issuesOf(() => estimateInput({ model: 'wan2.2-t2v-a14b', gpu: 'h100-sxm', parallel: 'ulysses=2', nodes: 3 }))[0]!;
    expect(spec).toMatchObject({ path: 'nodes', message: 'a replica of 2 GPUs spans at most 2 nodes, got nodes 3' });
    expect(issuesOf(() => estimateInput({ model: 'wan2.2-t2v-a14b', gpu: 'h100-sxm', nodes: 2 }))[0]!.message).toBe('a replica of 1 GPU spans at most 1 node, got nodes 2');
  });
});

describe('trace files are opened and checked at load (vgsim validate)', () => {
  const withTrace = (d: string, csv: string) => {
    writeFileSync(join(d, 't.csv'), csv);
    return issuesOf(() => loadScenario('scenarios/default.yaml', { set: ['workload.arrivals={process: trace, file: ' + join(d, 't.csv') + '}'] }));
  };

  it('an unknown model is blamed on the trace row, not a --model flag', () => {
    const d = dir();
    const [i] = withTrace(d, 'timestamp_s,model\n0,wan2.2-t2v-a14b\n5,wan2.2-t2v-a14bb\n');
    expect(i).toMatchObject({ source: join(d, 't.csv'), line: 3, path: 'model', message: 'unknown model "wan2.2-t2v-a14bb"' });
    expect(i!.hint).toMatch(/did you mean "wan2.2-t2v-a14b"/);
  });

  it('an unknown model on every row of a large trace, or in a huge cell, is reported in seconds (it took minutes: fuzz pass 3)', () => {
    const d = dir();
    const t0 = performance.now();
    const rows = withTrace(d, `timestamp_s,model\n${Array.from({ length: 300_000 }, (_, i) => `${i},wan2.1-t2v-1.3bx`).join('\n')}\n`);
    expect(rows).toHaveLength(21); // the first 20, then how many more
    expect(rows[0]!.hint).toMatch(/did you mean "wan2.1-t2v-1.3b"/);
    expect(rows[20]!.message).toBe('and 299980 more problems in the trace');
    const cell = withTrace(d, `timestamp_s,model\n0,${'a'.repeat(8 << 20)}\n`);
    expect(cell[0]!.message).toMatch(/^unknown model "a{56}"\.\.\.$/);
    expect(closest('b'.repeat(8 << 20), ['bbb'])).toEqual([]);
    expect(closest('wan2.1-t2v-1.3bx', ['wan2.1-t2v-1.3b', 'x'])).toEqual(['wan2.1-t2v-1.3b']);
    expect(performance.now() - t0).toBeLessThan(15_000); // about 30 s before
  });

  it('workload.trace_models maps a trace\'s model names to the scenario\'s; a target no catalog knows is located in the scenario', () => {
    const d = dir();
    writeFileSync(join(d, 't.csv'), 'timestamp_s,model\n0,my-checkpoint\n');
    const arrivals = 'workload.arrivals={process: trace, file: ' + join(d, 't.csv') + '}';
    expect(() => loadScenario('scenarios/default.yaml', { set: [arrivals, 'workload.trace_models={my-checkpoint: wan2.2-t2v-a14b}'] })).not.toThrow();
    expect(issuesOf(() => loadScenario('scenarios/default.yaml', { set: [arrivals] }))[0]).toMatchObject({ line: 2, message: 'unknown model "my-checkpoint"' });
    const [bad] = issuesOf(() => loadScenario('scenarios/default.yaml', { set: ['workload.trace_models={my-checkpoint: wan2.2-t2v-a14bb}'] }));
    expect(bad).toMatchObject({ path: 'workload.trace_models.my-checkpoint', message: 'unknown model "wan2.2-t2v-a14bb"' });
  });

  it('a row of another model no pool serves, a 100000x100000 row, a row with 80 frames', () => {
    const d = dir();
    const issues = withTrace(d, 'timestamp_s,model,resolution,frames\n0,wan2.1-t2v-1.3b,832x480,81\n1,,100000x100000,81\n2,,832x480,80\n');
    expect(issues.map((i) => [i.line, i.path])).toEqual([[2, 'model'], [3, 'resolution'], [4, 'frames']]);
    expect(issues[0]!.message).toBe('no deployment pool serves model "wan2.1-t2v-1.3b": 1 row of the trace, the first here');
    expect(issues[0]!.hint).toMatch(/add a pool with model: wan2\.1-t2v-1\.3b, or map the trace's name to a served model with workload\.trace_models/);
    // many rows of it: one problem, at the first, with the count
    const many = withTrace(dir(), `timestamp_s,model\n${Array.from({ length: 30 }, (_, i) => `${i},wan2.1-t2v-1.3b`).join('\n')}\n`);
    expect(many).toHaveLength(1);
    expect(many[0]).toMatchObject({ line: 2, message: 'no deployment pool serves model "wan2.1-t2v-1.3b": 30 rows of the trace, the first here' });
    expect(issues[1]!.message).toMatch(/6250x6250 latent grid/);
  });

  it('a quoted model field is read as the model (RFC 4180), and a directory is exit 2 at the scenario\'s file field', () => {
    const d = dir();
    writeFileSync(join(d, 'q.csv'), 'timestamp_s,model\n0,"wan2.2-t2v-a14b"\n');
    expect(loadScenario('scenarios/default.yaml', { set: ['workload.arrivals={process: trace, file: ' + join(d, 'q.csv') + '}'] }).scenario.workload.arrivals.process).toBe('trace');
    mkdirSync(join(d, 'folder.csv'));
    const [i] = issuesOf(() => loadScenario('scenarios/default.yaml', { set: ['workload.arrivals={process: trace, file: ' + join(d, 'folder.csv') + '}'] }));
    expect(i).toMatchObject({ path: 'workload.arrivals.file' });
    expect(i!.message).toMatch(/it is a directory, expected a CSV file/);
  });
});

describe('physical bounds, with the reason and a suggestion', () => {
  const cases: [string[], string, RegExp][] = [
    [['duration=1e308'], 'duration', /at most ten years/],
    [['output.sample_interval_s=1e-6'], 'output.sample_interval_s', /time-series samples over the run; at most 1,000,000/],
    [['cluster.storage.read_gbs=1e-12'], 'cluster.storage.read_gbs', /between 0.01 GB\/s/],
    [['cluster.storage.process_start_s=1e300'], 'cluster.storage.process_start_s', /within an hour/],
    [['failures.gpu={mtbf_h: 1e-9, mttr_h: 1}'], 'failures.gpu.mtbf_h', /at most every 0.1 h/],
    [['failures.node={mtbf_h: 1000, mttr_h: 1e300}'], 'failures.node.mttr_h', /at most a year/],
    [['failures.gpu={mtbf_h: 100, mttr_h: 1, distribution: weibull, shape: 1e-9}'], 'failures.gpu.shape', /between 0.1 and 20/],
    [['autoscale.interval_s=1e-6'], 'autoscale.interval_s', /at most once a second/],
    [['cluster.nodes.0.count=1000000'], 'cluster.nodes.0.count', /at most 25,000/],
    [['power.node_overhead_w.idle=50000'], 'power.node_overhead_w.idle', /at most 20 kW/],
    [['deployment.batching={max_batch: 4, window_s: 1e9}'], 'deployment.batching.window_s', /longer than the run's arrival window/],
    [['workload.arrivals={process: gamma, rate_per_hour: 20, cv: 1e9}'], 'workload.arrivals.cv', /at most 10/],
    [['serving_overheads.service_cv=1e300'], 'serving_overheads.service_cv', /at most 10/],
    // prices: 1e308 made every cost infinite (an internal invariant message, exit 1); the cost schema bounds
    // every price from above (scenario/cost-schema.ts), bounds.ts the amortization from below
    [['cost.amortization_years=1e-300'], 'cost.amortization_years', /3 months or more/],
  ];
  it('a price of 1e308 (every cost infinite, exit 1 before) is refused by the cost schema with its bound', () => {
    for (const set of ['cost.server_price_usd=1e308', 'cost.gpu_price_usd=1e308', 'cost.electricity_usd_per_kwh=1e308', 'cost.extra_capex_usd=1e308']) {
      const i = issueWith(set);
      expect(i.path).toBe(set.split('=')[0]);
      expect(i.message).toMatch(/at most/);
      expect(i.source).toBe(`--set ${set}`);
    }
  });
  it('power.node_overhead_w keyed by an alias or an unknown node type (ignored before), and idle above busy', () => {
    expect(issueWith('power.node_overhead_w={hgx-h100: {idle: 100, busy: 200}}')).toMatchObject({ path: 'power.node_overhead_w.hgx-h100', message: 'write the catalog id "hgx-h100-sxm-8" for "hgx-h100" (node overheads are looked up by id)' });
    expect(issueWith('power.node_overhead_w={hgx-h100-sxm-9: {idle: 100, busy: 200}}').message).toBe('unknown node type "hgx-h100-sxm-9" (did you mean "hgx-h100-sxm-8"?)');
    expect(issueWith('power.node_overhead_w={idle: 5000, busy: 100}')).toMatchObject({ path: 'power.node_overhead_w.idle', message: 'idle 5,000 W is above busy 100 W: a node\'s non-GPU parts draw at least as much busy as idle' });
    // one of the two given: compared with the catalog's other figure for the cluster's node type
    expect(issueWith('power.node_overhead_w={hgx-h100-sxm-8: {busy: 10}}')).toMatchObject({ path: 'power.node_overhead_w.hgx-h100-sxm-8.busy', source: '--set power.node_overhead_w={hgx-h100-sxm-8: {busy: 10}}' });
    expect(loadScenario('scenarios/default.yaml', { set: ['power.node_overhead_w={hgx-h100-sxm-8: {idle: 100, busy: 200}}'] }).scenario.power.node_overhead_w).toBeDefined();
  });
  for (const [set, path, why] of cases) {
    it(`${set.join(' ')}`, () => {
      const i = issueWith(...set);
      expect(i.path).toBe(path);
      expect(i.message).toMatch(why);
      expect(i.hint).toBeTruthy();
      expect(i.source).toMatch(/^--set /);
    });
  }
});
